"""Python's imaplib against imap-server.

usage: imap_srv_imaplib.py PORT MAILDIR USER PASS SMTP_PORT

MAILDIR is the Maildir imap-server serves; it starts with the messages
smtp-server delivered (through SMTP_PORT). Checks, with imaplib: STARTTLS,
LOGIN, capabilities, SELECT/EXAMINE, FETCH of FLAGS, UID, INTERNALDATE,
RFC822.SIZE, ENVELOPE, BODYSTRUCTURE, BODY[] (byte for byte against the
files), BODY[HEADER], BODY[TEXT], BODY[1.MIME], HEADER.FIELDS (NOT),
partials, BODY.PEEK and \\Seen, RFC822*, STORE (+/-FLAGS, .SILENT, Maildir
flag letters), SEARCH (flags, sizes, dates, headers, text, UID, OR/NOT),
APPEND (APPENDUID), COPY (COPYUID), MOVE, EXPUNGE, CREATE/RENAME/DELETE,
LIST/LSUB/STATUS, IDLE seeing a delivery made by smtp-server, and UIDs
that survive a reconnection.
"""

import glob
import imaplib
import os
import re
import smtplib
import socket
import ssl
import sys
import time

port, maildir, user, password, smtp_port = sys.argv[1:6]
port, smtp_port = int(port), int(smtp_port)


def files(folder=""):
    """The message files of a folder, oldest first, as bytes."""
    root = os.path.join(maildir, folder)
    paths = glob.glob(os.path.join(root, "new", "*")) + glob.glob(os.path.join(root, "cur", "*"))
    return sorted(paths, key=lambda p: os.path.basename(p).split(":2,")[0])


def check(cond, what):
    if not cond:
        raise SystemExit(f"FAIL: {what}")
    print(f"ok: {what}")


def ok(result):
    typ, data = result
    if typ != "OK":
        raise SystemExit(f"FAIL: {typ} {data}")
    return data


def connect():
    imap = imaplib.IMAP4("127.0.0.1", port, timeout=20)
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ok(imap.starttls(ctx))
    ok(imap.login(user, password))
    return imap


def fetch_items(imap, seq, items, uid=False):
    data = ok(imap.uid("FETCH", seq, items) if uid else imap.fetch(seq, items))
    return [d for d in data if d is not None and d != b")"]


imap = connect()
check("IDLE" in imap.capabilities and "UIDPLUS" in imap.capabilities, "capabilities after STARTTLS")
n = int(ok(imap.select("INBOX"))[0])
paths = files()
check(n == len(paths) and n >= 3, f"SELECT INBOX: {n} messages")

# Whole messages, byte for byte, and \Seen untouched by BODY.PEEK.
for i, path in enumerate(paths, 1):
    data = fetch_items(imap, str(i), "(UID RFC822.SIZE BODY.PEEK[])")
    head, body = data[0]
    raw = open(path, "rb").read()
    check(body == raw, f"BODY.PEEK[] of message {i} is its file")
    size = int(re.search(rb"RFC822\.SIZE (\d+)", head).group(1))
    check(size == len(raw), f"RFC822.SIZE of message {i}")
check(not any(":2,S" in p or (":2," in p and "S" in p.split(":2,")[1]) for p in files()), "BODY.PEEK sets no \\Seen")

# Structure and metadata.
data = ok(imap.fetch("1", "(FLAGS INTERNALDATE ENVELOPE BODYSTRUCTURE BODY)"))
line = data[0] if isinstance(data[0], bytes) else data[0][0]
check(b"ENVELOPE (" in line and b"BODYSTRUCTURE (" in line and b"INTERNALDATE \"" in line, "FETCH FLAGS INTERNALDATE ENVELOPE BODYSTRUCTURE BODY")
check(b"Subject one" in line or b"subject one" in line.lower(), "ENVELOPE carries the subject")
raw1 = open(files()[0], "rb").read()
header, text = raw1.split(b"\r\n\r\n", 1)


def one(seq, item):
    """The value of one FETCH item, as a literal or a quoted string."""
    data = fetch_items(imap, seq, "(" + item + ")")
    if isinstance(data[0], tuple):
        return data[0][1]
    m = re.search(rb'\] ?(?:<\d+>)? "((?:[^"\\]|\\.)*)"', data[0])
    return re.sub(rb"\\(.)", rb"\1", m.group(1))


got = {
    b"BODY[HEADER]": one("1", "BODY.PEEK[HEADER]"),
    b"BODY[TEXT]": one("1", "BODY.PEEK[TEXT]"),
    b"BODY[TEXT]<2>": one("1", "BODY.PEEK[TEXT]<2.5>"),
    b"BODY[HEADER.FIELDS (SUBJECT FROM)]": one("1", "BODY.PEEK[HEADER.FIELDS (SUBJECT FROM)]"),
}
check(got[b"BODY[HEADER]"] == header + b"\r\n\r\n", "BODY[HEADER]")
check(got[b"BODY[TEXT]"] == text, "BODY[TEXT]")
check(got[b"BODY[TEXT]<2>"] == text[2:7], "BODY[TEXT]<2.5>")
fields = [l for l in header.split(b"\r\n") if l.lower().startswith((b"subject:", b"from:"))]
check(got[b"BODY[HEADER.FIELDS (SUBJECT FROM)]"] == b"\r\n".join(fields) + b"\r\n\r\n", "BODY[HEADER.FIELDS (SUBJECT FROM)]")
data = fetch_items(imap, "1", "(BODY.PEEK[HEADER.FIELDS.NOT (SUBJECT FROM)])")
check(b"Subject:" not in data[0][1] and b"To:" in data[0][1], "BODY[HEADER.FIELDS.NOT (SUBJECT FROM)]")

# The multipart message (the third): parts and their MIME headers.
raw3 = open(files()[2], "rb").read()
data = fetch_items(imap, "3", "(BODYSTRUCTURE)")
line = data[0][0] if isinstance(data[0], tuple) else data[0]
check(b'("text" "plain"' in line.lower() and b'"alternative"' in line.lower(), "BODYSTRUCTURE of a multipart")
parts = {k: one("3", "BODY.PEEK[" + k.decode()[5:-1] + "]") for k in (b"BODY[1]", b"BODY[2.MIME]", b"BODY[2]")}
check(parts[b"BODY[1]"] == b"first part", "BODY[1]")
check(parts[b"BODY[2.MIME]"].startswith(b"Content-Type: text/html") and parts[b"BODY[2.MIME]"].endswith(b"\r\n\r\n"), "BODY[2.MIME]")
check(parts[b"BODY[2]"] == b"<p>second part</p>", "BODY[2]")

# A fetch without PEEK sets \Seen, with FLAGS in the answer; RFC822 forms.
data = fetch_items(imap, "2", "(BODY[TEXT])")
check(any(b"\\Seen" in (d[0] if isinstance(d, tuple) else d) for d in data), "BODY[TEXT] sets \\Seen and says so")
check(any(":2,S" in p for p in files()), "\\Seen is the Maildir flag S")
data = fetch_items(imap, "2", "(RFC822.HEADER RFC822.TEXT)")
check(len(data) == 2, "RFC822.HEADER and RFC822.TEXT")
data = fetch_items(imap, "2", "RFC822")
check(data[0][1] == open(files()[1], "rb").read(), "RFC822 byte for byte")

# STORE.
data = ok(imap.store("1", "+FLAGS", "(\\Flagged \\Answered)"))
check(b"\\Flagged" in data[0] and b"\\Answered" in data[0], "STORE +FLAGS")
data = ok(imap.store("1", "-FLAGS.SILENT", "(\\Answered)"))
check(data == [None], "STORE -FLAGS.SILENT answers nothing")
check(any(p.endswith(":2,F") for p in files()), "flags are Maildir letters (F)")
data = ok(imap.uid("STORE", "1:*", "FLAGS", "(\\Draft)"))
check(all(b"\\Draft" in d and b"UID" in d for d in data), "UID STORE FLAGS")
ok(imap.store("1:*", "FLAGS.SILENT", "()"))

# SEARCH.
ok(imap.store("2", "+FLAGS", "(\\Seen \\Flagged)"))
check(ok(imap.search(None, "FLAGGED"))[0] == b"2", "SEARCH FLAGGED")
check(ok(imap.search(None, "UNSEEN"))[0].split() == [str(i).encode() for i in range(1, n + 1) if i != 2], "SEARCH UNSEEN")
check(ok(imap.search(None, "SUBJECT", '"subject two"'))[0] == b"2", "SEARCH SUBJECT")
check(ok(imap.search(None, "FROM", "bob"))[0] == b"3", "SEARCH FROM")
check(ok(imap.search(None, "HEADER", "X-Test", "marker"))[0] == b"1", "SEARCH HEADER")
check(ok(imap.search(None, "BODY", '"second part"'))[0] == b"3", "SEARCH BODY")
check(ok(imap.search(None, "TEXT", "zebra"))[0] == b"2", "SEARCH TEXT")
big = max(range(n), key=lambda i: os.path.getsize(files()[i])) + 1
check(str(big).encode() in ok(imap.search(None, "LARGER", "400"))[0].split(), "SEARCH LARGER")
check(ok(imap.search(None, "SMALLER", "1"))[0] == b"", "SEARCH SMALLER")
today = time.strftime("%d-%b-%Y", time.gmtime())
check(len(ok(imap.search(None, "SINCE", today))[0].split()) == n, "SEARCH SINCE today")
check(ok(imap.search(None, "BEFORE", "1-Jan-2000"))[0] == b"", "SEARCH BEFORE")
check(ok(imap.search(None, "SENTON", "1-Feb-2024"))[0] == b"1", "SEARCH SENTON")
check(ok(imap.search(None, "OR", "FLAGGED", "FROM", "bob"))[0] == b"2 3", "SEARCH OR")
check(ok(imap.search(None, "NOT", "FLAGGED", "1:2"))[0] == b"1", "SEARCH NOT and sequence sets")
uids = ok(imap.uid("SEARCH", None, "ALL"))[0].split()
check(len(uids) == n, "UID SEARCH ALL")

# Mailboxes.
ok(imap.create("Archive"))
ok(imap.create("Archive.2024"))
check(os.path.isdir(os.path.join(maildir, ".Archive.2024", "cur")), "CREATE makes a Maildir++ folder")
listing = b"\n".join(ok(imap.list()))
check(b'"." Archive.2024' in listing and b"INBOX" in listing and b"\\HasChildren" in listing, "LIST")
check(b"Archive" in b"\n".join(ok(imap.lsub())), "LSUB")
ok(imap.rename("Archive.2024", "Archive.Old"))
check(os.path.isdir(os.path.join(maildir, ".Archive.Old")), "RENAME")
typ, data = imap.copy("1", "Nowhere")
check(typ == "NO" and b"TRYCREATE" in data[0], "COPY to a missing mailbox: [TRYCREATE]")
typ, data = imap.copy("1:2", "Archive.Old")
check(typ == "OK" and b"COPYUID" in data[0], "COPY with COPYUID")
status = ok(imap.status("Archive.Old", "(MESSAGES UIDNEXT UIDVALIDITY UNSEEN)"))[0]
check(b"MESSAGES 2" in status and b"UIDNEXT 3" in status and b"UNSEEN 1" in status, "STATUS")
msg = b"From: app@example.org\r\nSubject: appended\r\n\r\nappended body\r\n"
typ, data = imap.append("Archive", "(\\Seen)", imaplib.Time2Internaldate(time.time() - 86400 * 3), msg)
check(typ == "OK" and b"APPENDUID" in data[0], "APPEND with flags and date, APPENDUID")
check(any(open(p, "rb").read() == msg and ":2,S" in p for p in files(".Archive")), "APPENDed file with flag S")
ok(imap.select("Archive"))
check(ok(imap.search(None, "BEFORE", today))[0] == b"1", "APPEND's internal date")
ok(imap.select("INBOX"))
typ, data = imap._simple_command("MOVE", "1", "Archive")
check(typ == "OK", "MOVE")
check(len(files()) == n - 1 and len(files(".Archive")) == 2, "MOVE moved the file")
n -= 1

# EXPUNGE.
ok(imap.store("1", "+FLAGS", "(\\Deleted)"))
data = ok(imap.expunge())
check(data[0] == b"1" and len(files()) == n - 1, "EXPUNGE")
n -= 1
ok(imap.delete("Archive.Old"))
check(not os.path.exists(os.path.join(maildir, ".Archive.Old")), "DELETE")

# UIDs survive a reconnection (and a restart: the uid list is on disk).
uids = ok(imap.uid("SEARCH", None, "ALL"))[0].split()
validity = ok(imap.status("INBOX", "(UIDVALIDITY)"))[0]
imap.logout()
imap = connect()
ok(imap.select("INBOX", readonly=True))
check(ok(imap.uid("SEARCH", None, "ALL"))[0].split() == uids, "UIDs are the same after reconnecting")
check(ok(imap.status("INBOX", "(UIDVALIDITY)"))[0] == validity, "UIDVALIDITY is the same")

# IDLE sees a message delivered by smtp-server.
imap.send(b"I1 IDLE\r\n")
check(imap.readline().startswith(b"+"), "IDLE accepted")
with smtplib.SMTP("127.0.0.1", smtp_port, timeout=20) as smtp:
    smtp.sendmail("carol@example.org", ["alice@example.org"],
                  b"From: carol@example.org\r\nTo: alice@example.org\r\nSubject: during idle\r\n\r\nnew mail\r\n")
imap.sock.settimeout(15)
line = imap.readline()
check(line == f"* {n + 1} EXISTS\r\n".encode(), f"IDLE reports the delivery: {line!r}")
imap.send(b"DONE\r\n")
while not (line := imap.readline()).startswith(b"I1 "):
    pass
check(line.startswith(b"I1 OK"), "DONE ends IDLE")
data = fetch_items(imap, str(n + 1), "(BODY.PEEK[])")
check(data[0][1] == open(files()[-1], "rb").read(), "the delivered message, byte for byte")
imap.logout()
print("imaplib: all passed")
