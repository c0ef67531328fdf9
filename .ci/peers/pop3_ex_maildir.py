"""Maildir fixtures and checks for the POP3 example interop tests.

usage:
  pop3_ex_maildir.py make MAILDIR
      writes the test messages (dot-started lines, 8-bit octets, an empty
      body, bare LF line ends, a large message whose dot lines fall across
      read boundaries) into MAILDIR/new and MAILDIR/cur
  pop3_ex_maildir.py wire MAILDIR
      prints, one per line in POP3 message order, `unique size` as
      pop3-server announces them (bare LF counted as CRLF)
  pop3_ex_maildir.py byuid OUTDIR MAILDIR
      every message of MAILDIR is in OUTDIR/<escaped unique name>.eml as
      pop3-server sends it (pop3-fetch's naming), and nothing else is there
  pop3_ex_maildir.py same OUTDIR MAILDIR [--fetchmail]
      the files of OUTDIR are the messages of MAILDIR, as multisets; with
      --fetchmail, fetchmail's Received: header is removed and line ends
      are compared as LF (fetchmail hands messages to its MDA that way)
  pop3_ex_maildir.py empty MAILDIR
      no message is left in MAILDIR
"""
import os
import sys


def crlf(data):
    """Bare LF made CRLF, as pop3-server sends stored messages."""
    out = bytearray()
    prev = None
    for b in data:
        if b == 0x0A and prev != 0x0D:
            out += b"\r"
        out.append(b)
        prev = b
    return bytes(out)


def messages(maildir):
    """(unique, path) in pop3-server's order: delivery time, then name."""
    found = []
    for sub in ("new", "cur"):
        for name in os.listdir(os.path.join(maildir, sub)):
            if name.startswith("."):
                continue
            unique = name.split(":2,")[0]
            time = int(unique.split(".")[0]) if unique.split(".")[0].isdigit() else 0
            found.append(((time, unique), unique, os.path.join(maildir, sub, name)))
    found.sort()
    return [(u, p) for _, u, p in found]


def escaped(uid):
    """pop3-fetch's file name for a unique-id."""
    out = []
    for i, b in enumerate(uid.encode()):
        c = chr(b)
        if c.isascii() and (c.isalnum() or c in "-_=+," or (c == "." and i > 0)):
            out.append(c)
        else:
            out.append("%%%02X" % b)
    return "".join(out) + ".eml"


def make(maildir):
    for sub in ("new", "cur", "tmp"):
        os.makedirs(os.path.join(maildir, sub), exist_ok=True)
    big = bytearray(b"From: big@example.org\r\nSubject: large\r\n\r\n")
    i = 0
    while len(big) < 300_000:
        # Lines of varying length, one in ten starting with a dot, so dot
        # lines and CRLFs fall on every side of the 64 KiB read boundaries.
        line = (b"." if i % 10 == 0 else b"") + b"line %d " % i + b"x" * (i % 97) + b"\r\n"
        big += line
        i += 1
    fixtures = {
        "new/1700000001.M1P1.mailwire": b"From: a@example.org\r\nTo: alice@example.com\r\nSubject: dots\r\n\r\n"
        b".starts with a dot\r\n..two dots\r\n.\r\nend\r\n",
        "new/1700000002.M2P1.mailwire": b"From: b@example.org\r\nSubject: =?utf-8?q?8bit?=\r\n"
        b"Content-Type: text/plain; charset=latin1\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        b"caf\xc3\xa9 \xe9t\xe9 \xff\xfe\x80 raw\r\n",
        "cur/1700000003.M3P1.mailwire:2,S": b"From: c@example.org\r\nSubject: empty body\r\n\r\n",
        "new/1700000004.M4P1.mailwire": b"From: d@example.org\nSubject: bare LF\n\n.dot line with LF\nend\n",
        "new/1700000005.M5P1.mailwire": bytes(big),
    }
    for name, data in fixtures.items():
        with open(os.path.join(maildir, name), "wb") as f:
            f.write(data)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def main():
    cmd = sys.argv[1]
    if cmd == "make":
        make(sys.argv[2])
    elif cmd == "wire":
        for unique, path in messages(sys.argv[2]):
            print(unique, len(crlf(read(path))))
    elif cmd == "byuid":
        out, maildir = sys.argv[2], sys.argv[3]
        expected = {escaped(u): crlf(read(p)) for u, p in messages(maildir)}
        got = sorted(n for n in os.listdir(out) if not n.startswith("."))
        assert got == sorted(expected), (got, sorted(expected))
        for name, data in expected.items():
            assert read(os.path.join(out, name)) == data, name
        print("  %d messages byte-identical, named by unique-id" % len(expected))
    elif cmd == "same":
        out, maildir = sys.argv[2], sys.argv[3]
        fetchmail = "--fetchmail" in sys.argv[4:]
        want = [crlf(read(p)) for _, p in messages(maildir)]
        got = [read(os.path.join(out, n)) for n in os.listdir(out) if not n.startswith(".")]
        if fetchmail:
            want = [w.replace(b"\r\n", b"\n") for w in want]
            stripped = []
            for g in got:
                lines = g.split(b"\n")
                assert lines[0].startswith(b"Received: "), lines[:3]
                k = 1
                while lines[k][:1] in (b" ", b"\t"):
                    k += 1
                stripped.append(b"\n".join(lines[k:]))
            got = stripped
        assert sorted(got) == sorted(want), (len(got), len(want), [len(g) for g in got], [len(w) for w in want])
        print("  %d messages byte-identical%s" % (len(want), " after fetchmail's Received: header" if fetchmail else ""))
    elif cmd == "empty":
        left = messages(sys.argv[2])
        assert not left, left
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
