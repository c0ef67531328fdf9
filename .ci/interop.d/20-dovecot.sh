# Dovecot's IMAP and POP3 servers with Python's imaplib and poplib as
# clients: both sides decode with the trace example.

echo "--- Dovecot (IMAP and POP3 on loopback, user test)"
imap_port=$(free_port)
pop3_port=$(free_port)
.ci/peers/dovecot.sh "$work/dovecot" "$imap_port" "$pop3_port"
stop_dovecot() { doveadm -c "$work/dovecot/dovecot.conf" stop 2>/dev/null || true; }
on_exit stop_dovecot
# One message in the test user's Maildir, with a line that needs dot-stuffing.
maildir="$work/dovecot/mail/test/Maildir"
mkdir -p "$maildir/new" "$maildir/cur" "$maildir/tmp"
printf 'From: a@example.org\r\nTo: test@example.com\r\nSubject: pop3\r\n\r\n.starts with a dot\r\nbody\r\n' \
    >"$work/pop3-message.eml"
cp "$work/pop3-message.eml" "$maildir/new/1700000000.M1P1.interop"
chown -R mailwire:mailwire "$work/dovecot/mail"

echo "--- Dovecot's IMAP greeting decodes (trace imap server)"
python3 - "$imap_port" "$work/imap-greeting.bin" <<'PY'
import socket, sys
with socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10) as s:
    data = b""
    while not data.endswith(b"\r\n"):
        chunk = s.recv(4096)
        if not chunk:
            break
        data += chunk
open(sys.argv[2], "wb").write(data)
PY
"$trace" imap server <"$work/imap-greeting.bin" >"$work/imap-greeting.jsonl"
python3 - "$work/imap-greeting.jsonl" <<'PY'
import json, sys
[greeting] = [json.loads(l) for l in open(sys.argv[1])]
assert greeting["type"] == "greeting" and greeting["status"] == "OK", greeting
caps = greeting["code"]["capabilities"]
assert "IMAP4rev1" in caps and "AUTH=PLAIN" in caps, caps
print("  greeting OK with %d capabilities" % len(caps))
PY

poplib_fetch() { # PORT
    timeout 60 python3 - "$1" <<'PY'
import poplib, sys
pop = poplib.POP3("127.0.0.1", int(sys.argv[1]), timeout=10)
pop.capa()
pop.user("test")
pop.pass_("secret")
count, _ = pop.stat()
assert count == 1, count
pop.list()
pop.uidl()
pop.top(1, 0)
_, lines, _ = pop.retr(1)
assert lines[-2:] == [b".starts with a dot", b"body"], lines
pop.noop()
pop.rset()
pop.quit()
PY
}
echo "--- Python's poplib against Dovecot: its commands decode (trace pop3 client)"
relay_session poplib pop3 "$pop3_port" poplib_fetch
python3 .ci/peers/check_commands.py "$work/poplib.client.jsonl" command \
    CAPA USER PASS STAT LIST UIDL TOP RETR NOOP RSET QUIT
echo "--- Dovecot's POP3 responses decode in the context of poplib's commands (trace pop3 server)"
TRACE_POP3_COMMANDS="$work/poplib.client.bin" "$trace" pop3 server \
    <"$work/poplib.server.bin" >"$work/poplib.server.jsonl"
python3 - "$work/poplib.server.jsonl" "$work/pop3-message.eml" <<'PY'
import json, os, sys
events = [json.loads(l) for l in open(sys.argv[1])]
errors = [e for e in events if "error" in e]
assert not errors, errors
kinds = [e["type"] for e in events]
assert kinds[0] == "greeting", kinds
bodies = [e["octets"] for e in events if e["type"] == "body"]
size = os.path.getsize(sys.argv[2])
# TOP 1 0 gives the header section and the blank line; RETR 1 the whole message.
header = open(sys.argv[2], "rb").read().split(b"\r\n\r\n")[0] + b"\r\n\r\n"
assert bodies == [len(header), size], (bodies, len(header), size)
print("  %d responses; TOP 1 0 gave %d octets and RETR 1 all %d" % (kinds.count("end") + kinds.count("response") + kinds.count("multiline"), bodies[0], size))
PY

imaplib_session() { # PORT
    timeout 60 python3 - "$1" "$work/pop3-message.eml" <<'PY'
import imaplib, sys
stored = open(sys.argv[2], "rb").read()
imap = imaplib.IMAP4("127.0.0.1", int(sys.argv[1]), timeout=10)
imap.login("test", "secret")
imap.select("INBOX")
typ, data = imap.fetch("1", "(UID FLAGS RFC822.SIZE ENVELOPE BODYSTRUCTURE BODY.PEEK[])")
assert typ == "OK", (typ, data)
assert data[0][1] == stored, data
imap.uid("SEARCH", None, "ALL")
imap.store("1", "+FLAGS", "(\\Flagged)")
imap.append("INBOX", "(\\Seen)", None, b"Subject: appended\r\n\r\n.hello\r\n")
imap.list()
imap.status("INBOX", "(MESSAGES UIDNEXT)")
imap.noop()
imap.close()
imap.logout()
PY
}
echo "--- Python's imaplib against Dovecot: its commands decode (trace imap client), Dovecot's responses too (trace imap server)"
relay_session imaplib imap "$imap_port" imaplib_session
python3 .ci/peers/check_commands.py "$work/imaplib.client.jsonl" command \
    CAPABILITY LOGIN SELECT FETCH "UID SEARCH" STORE literal APPEND LIST STATUS NOOP CLOSE LOGOUT
python3 - "$work/imaplib.server.jsonl" <<'PY'
import json, sys
events = [json.loads(l) for l in open(sys.argv[1])]
errors = [e for e in events if "error" in e]
assert not errors, errors
kinds = [e["type"] for e in events]
assert kinds[0] == "greeting" and "continuation" in kinds, kinds
tagged = [e for e in events if e["type"] == "status" and e.get("tag")]
assert len(tagged) == 12 and all(e["status"] == "OK" for e in tagged), tagged
print("  %d server responses decode, %d tagged OK" % (len(events), len(tagged)))
PY

