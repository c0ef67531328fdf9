"""Python's poplib against the pop3-server example.

usage: pop3_ex_poplib.py PORT MAILDIR USER PASS

USER/PASS, CAPA, STAT, LIST, UIDL, TOP n 0 and RETR of every message
(compared byte for byte with the Maildir, as pop3-server sends it), a second
login while the maildrop is open ([IN-USE]), DELE then a dropped connection
(nothing removed), DELE then QUIT (the file is removed), a new session that
no longer sees it, APOP, and STLS.
"""
import os
import poplib
import ssl
import sys

sys.path.insert(0, os.path.dirname(__file__))
from pop3_ex_maildir import crlf, messages, read  # noqa: E402

port, maildir, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]


def connect():
    return poplib.POP3("127.0.0.1", port, timeout=10)


def login(pop):
    pop.user(user)
    return pop.pass_(password)


def joined(lines):
    return b"".join(line + b"\r\n" for line in lines)


stored = messages(maildir)
wire = [crlf(read(p)) for _, p in stored]

pop = connect()
caps = pop.capa()
for cap in ("USER", "UIDL", "TOP", "STLS", "PIPELINING", "RESP-CODES", "SASL"):
    assert cap in caps, caps
assert {"PLAIN", "LOGIN"} <= set(caps["SASL"]), caps
assert login(pop).startswith(b"+OK"), "login"

count, size = pop.stat()
assert (count, size) == (len(wire), sum(map(len, wire))), (count, size)
_, listing, _ = pop.list()
assert listing == [b"%d %d" % (i + 1, len(w)) for i, w in enumerate(wire)], listing
assert pop.list(2).split()[1:] == [b"2", b"%d" % len(wire[1])]
_, uidl, _ = pop.uidl()
assert uidl == [b"%d %s" % (i + 1, u.encode()) for i, (u, _) in enumerate(stored)], uidl
for n, data in enumerate(wire, 1):
    _, lines, octets = pop.top(n, 0)
    header = data.split(b"\r\n\r\n")[0] + b"\r\n\r\n"
    assert joined(lines) == header, (n, lines)
    _, lines, octets = pop.retr(n)
    assert joined(lines) == data, (n, len(joined(lines)), len(data))
print("  STAT, LIST, UIDL, TOP n 0 and RETR of %d messages (%d octets): byte-identical" % (count, size))

# The maildrop is locked while this session is open.
other = connect()
try:
    login(other)
    raise AssertionError("a second session logged in")
except poplib.error_proto as e:
    assert b"[IN-USE]" in e.args[0], e
other.quit()
print("  a second login while the maildrop is open: -ERR [IN-USE]")

# DELE, then the connection drops: nothing is removed.
victim_uid, victim_path = stored[0]
assert pop.dele(1).startswith(b"+OK")
pop.sock.close()
pop = connect()
login(pop)
assert pop.stat()[0] == count and os.path.exists(victim_path), "removed without QUIT"
# DELE, RSET, DELE, QUIT: removed in UPDATE.
pop.dele(1)
assert pop.stat()[0] == count - 1
pop.rset()
assert pop.stat()[0] == count
pop.dele(1)
try:
    pop.retr(1)
    raise AssertionError("RETR of a deleted message")
except poplib.error_proto:
    pass
assert os.path.exists(victim_path), "removed before QUIT"
assert pop.quit().startswith(b"+OK")
assert not os.path.exists(victim_path), "not removed at QUIT"
print("  DELE then a dropped connection keeps the message; DELE, QUIT removes it")

# A new session (APOP this time) no longer sees it.
pop = connect()
pop.apop(user, password)
_, uidl, _ = pop.uidl()
assert [line.split()[1].decode() for line in uidl] == [u for u, _ in stored[1:]], uidl
assert pop.stat() == (count - 1, size - len(wire[0]))
pop.quit()
print("  APOP login; the new session lists %d messages" % (count - 1))

# STLS, then a login over TLS; CAPA no longer lists STLS.
pop = connect()
context = ssl.create_default_context()
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE
pop.stls(context)
caps = pop.capa()
assert "STLS" not in caps and "USER" in caps, caps
login(pop)
assert pop.stat()[0] == count - 1
pop.quit()
print("  STLS, then USER/PASS over TLS")
