#!/usr/bin/env python3
"""Fault tests for the mailserver example, on raw sockets.

usage:
  mailserver_faults.py middata SMTP_PORT MAILDIR
      A client that drops the connection in the middle of DATA (and one
      in the middle of a BDAT chunk) leaves no message, not even in tmp/.
  mailserver_faults.py slow SMTP_PORT MAILDIR
      Two clients sending one byte a second (one in its commands, one in
      its DATA) while a normal client delivers 20 messages: the normal
      one is not held up, and the slow ones' messages arrive too.
  mailserver_faults.py smuggle SMTP_PORT MAILDIR VICTIM_MAILDIR VECTORS
      For each vector of the smuggling file but the canonical end of data:
      a message whose body holds the vector followed by a second
      transaction (MAIL, RCPT to the victim, DATA, a message, end of data)
      sent raw. At most one message per vector may be stored, never one
      for the victim, and no stored message may start with the smuggled
      transaction's text.
  mailserver_faults.py malformed SMTP_PORT POP3_PORT USER PASS
      Malformed commands get 500/501 (SMTP) and -ERR (POP3); the
      connection stays usable afterwards.
  mailserver_faults.py graceful SMTP_PORT SERVER_PID MAILDIR [IMAP_PORT]
      SIGTERM with a message in flight and an idle SMTP session (and an
      IMAP session idling on the user faults, password secret): the
      message is delivered and acknowledged, the idle sessions told
      421 4.3.2 (and * BYE).
"""
import os
import socket
import sys
import threading
import time


def files(maildir, subs=("new", "cur")):
    out = []
    for sub in subs:
        d = os.path.join(maildir, sub)
        if os.path.isdir(d):
            out += [os.path.join(d, n) for n in os.listdir(d)]
    return sorted(out)


class Client:
    def __init__(self, port, timeout=10):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.file = self.sock.makefile("rb")

    def reply(self):
        lines = []
        while True:
            line = self.file.readline()
            if not line:
                raise ConnectionError("closed")
            lines.append(line)
            if line[3:4] != b"-":
                return int(line[:3]), b"".join(lines)

    def cmd(self, line):
        self.sock.sendall(line + b"\r\n")
        return self.reply()

    def close(self):
        self.sock.close()


def transaction(port, rcpt, body, ehlo=True):
    c = Client(port)
    assert c.reply()[0] == 220
    assert c.cmd(b"EHLO faults.example")[0] == 250
    assert c.cmd(b"MAIL FROM:<f@example.org>")[0] == 250
    assert c.cmd(b"RCPT TO:<%s>" % rcpt)[0] == 250
    assert c.cmd(b"DATA")[0] == 354
    c.sock.sendall(body)
    code, text = c.reply()
    c.cmd(b"QUIT")
    c.close()
    return code, text


def middata(port, maildir):
    before = files(maildir)
    c = Client(port)
    assert c.reply()[0] == 220
    assert c.cmd(b"EHLO faults.example")[0] == 250
    assert c.cmd(b"MAIL FROM:<f@example.org>")[0] == 250
    assert c.cmd(b"RCPT TO:<%s>" % RCPT)[0] == 250
    assert c.cmd(b"DATA")[0] == 354
    c.sock.sendall(b"Subject: cut\r\n\r\n" + b"half a message\r\n" * 2000)
    c.sock.close()
    c = Client(port)
    assert c.reply()[0] == 220
    assert c.cmd(b"EHLO faults.example")[0] == 250
    assert c.cmd(b"MAIL FROM:<f@example.org>")[0] == 250
    assert c.cmd(b"RCPT TO:<%s>" % RCPT)[0] == 250
    c.sock.sendall(b"BDAT 100000 LAST\r\nSubject: cut bdat\r\n\r\n" + b"x" * 5000)
    c.sock.close()
    time.sleep(1)
    assert files(maildir) == before, "a message appeared"
    assert files(maildir, ("tmp",)) == [], "a file was left in tmp/"
    print("  clients that vanish during DATA and during BDAT leave no message and nothing in tmp/")


def slow(port, maildir):
    before = len(files(maildir))
    results = {}

    def dribble(name, prefix, rest, suffix):
        c = Client(port, timeout=60)
        assert c.reply()[0] == 220
        c.sock.sendall(prefix)
        start = time.monotonic()
        for i in range(len(rest)):
            c.sock.sendall(rest[i:i + 1])
            time.sleep(1)
        c.sock.sendall(suffix)
        # The replies to everything sent.
        codes = []
        while True:
            code, _ = c.reply()
            codes.append(code)
            if code in (221, 421) or len(codes) > 10:
                break
        results[name] = (codes, time.monotonic() - start)
        c.close()

    threads = [
        threading.Thread(target=dribble, args=("commands", b"EHLO s\r\n", b"QUIT\r\n", b"")),
        threading.Thread(target=dribble, args=(
            "data",
            b"EHLO s\r\nMAIL FROM:<s@example.org>\r\nRCPT TO:<%s>\r\nDATA\r\n"
            b"Subject: slow\r\n\r\nslo" % RCPT,
            b"w\r\n.\r\n", b"QUIT\r\n")),
    ]
    for t in threads:
        t.start()
    time.sleep(1.5)
    start = time.monotonic()
    for i in range(20):
        code, text = transaction(port, RCPT, b"Subject: fast %d\r\n\r\nfast\r\n.\r\n" % i)
        assert code == 250, text
    fast = time.monotonic() - start
    for t in threads:
        t.join(90)
    assert fast < 5, "20 fast messages took %.1f s next to slow clients" % fast
    assert results["commands"][0] == [250, 221], results
    assert results["data"][0] == [250, 250, 250, 354, 250, 221], results
    assert len(files(maildir)) == before + 21
    print("  20 messages in %.2f s while two clients sent one byte a second (for %.0f s and %.0f s),"
          " whose sessions completed too" % (fast, results["commands"][1], results["data"][1]))


def vectors(path):
    for line in open(path, encoding="utf-8"):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.rstrip("\n").split("\t")
        try:
            seq = bytes.fromhex(fields[2])
        except (IndexError, ValueError):
            continue  # templates and client-side vectors
        # Sequences holding the canonical end of data end it, rightly.
        if b"\r\n.\r\n" not in b"before" + seq:
            yield fields[0], seq


def smuggle(port, maildir, victim, path):
    tried = 0
    for name, seq in vectors(path):
        tried += 1
        before = set(files(maildir))
        smuggled = (b"MAIL FROM:<evil@example.org>\r\nRCPT TO:<%s>\r\nDATA\r\n"
                    b"Subject: smuggled %s\r\n\r\nsmuggled\r\n" % (VICTIM, name.encode()))
        body = (b"Subject: vector %s\r\n\r\nbefore" % name.encode()) + seq + smuggled + b"\r\n.\r\n"
        c = Client(port)
        assert c.reply()[0] == 220
        c.sock.sendall(b"EHLO smuggler.example\r\nMAIL FROM:<f@example.org>\r\nRCPT TO:<%s>\r\nDATA\r\n"
                       % RCPT)
        codes = [c.reply()[0] for _ in range(4)]
        assert codes == [250, 250, 250, 354], (name, codes)
        c.sock.sendall(body + b"QUIT\r\n")
        replies = []
        try:
            while True:
                code, _ = c.reply()
                replies.append(code)
                if code in (221, 421):
                    break
        except (ConnectionError, socket.timeout):
            pass
        c.close()
        new = sorted(set(files(maildir)) - before)
        assert len(new) <= 1, "%s: %d messages stored" % (name, len(new))
        for f in new:
            data = open(f, "rb").read()
            assert b"\r\nSubject: vector " in data and b"Subject: smuggled" in data, (name, data)
        assert replies[:1] in ([250], [550], [554], [500]) and 221 in replies, (name, replies)
        assert files(victim) == [], "%s: a message reached the victim" % name
    assert tried >= 10, tried
    print("  %d smuggling vectors sent raw: never a second message, nothing for the victim" % tried)


def malformed(smtp_port, pop3_port, user, password):
    c = Client(smtp_port)
    assert c.reply()[0] == 220
    assert c.cmd(b"EHLO x")[0] == 250
    for bad, codes in [(b"MAIL FROM:nobrackets", (501, 500)), (b"FROB", (500, 502)),
                       (b"RCPT TO:<a@localhost>", (503,)), (b"MAIL FROM:<a@b> SIZE=99999999999", (552, 501, 555)),
                       (b"\x00\xff\xfe", (500, 501)), (b"x" * 5000, (500,))]:
        code, text = c.cmd(bad)
        assert code in codes, (bad[:40], text)
    assert c.cmd(b"NOOP")[0] == 250
    assert c.cmd(b"QUIT")[0] == 221
    c.close()
    c = socket.create_connection(("127.0.0.1", pop3_port), timeout=10)
    f = c.makefile("rb")
    assert f.readline().startswith(b"+OK")
    for bad in [b"FROB", b"RETR 1", b"USER", b"x" * 5000]:
        c.sendall(bad + b"\r\n")
        line = f.readline()
        assert line.startswith(b"-ERR"), (bad[:20], line)
    c.sendall(b"USER %s\r\nPASS %s\r\nSTAT\r\nRETR 999999\r\nLIST x\r\nNOOP\r\nQUIT\r\n"
              % (user.encode(), password.encode()))
    lines = [f.readline() for _ in range(7)]
    assert [l[:3] for l in lines] == [b"+OK", b"+OK", b"+OK", b"-ER", b"-ER", b"+OK", b"+OK"], lines
    c.close()
    print("  malformed SMTP and POP3 commands answered with errors; the sessions went on")


def graceful(port, pid, maildir, imap_port=None):
    """SIGTERM while one client is in the middle of DATA and another is
    idle: the idle one is told 421 4.3.2, the message being received is
    read to its end, delivered and acknowledged with 250. With IMAP_PORT,
    an IMAP session idling meanwhile is told * BYE."""
    import signal
    before = len(files(maildir))
    imap = None
    if imap_port:
        import imaplib
        imap = imaplib.IMAP4("127.0.0.1", imap_port, timeout=20)
        imap.login("faults", "secret")
        imap.select("INBOX")
        imap.send(b"i1 IDLE\r\n")
        assert imap.readline().startswith(b"+")
    appender = None
    if imap_port:
        # An APPEND whose literal is half sent when the server stops.
        literal = b"Subject: appended in flight\r\n\r\n" + b"z" * 5000 + b"\r\n"
        appender = socket.create_connection(("127.0.0.1", imap_port), timeout=20)
        af = appender.makefile("rb")
        assert af.readline().startswith(b"* OK")
        appender.sendall(b"l1 LOGIN faults secret\r\n")
        assert af.readline().startswith(b"l1 OK")
        appender.sendall(b"a1 APPEND INBOX {%d}\r\n" % len(literal))
        assert af.readline().startswith(b"+")
        appender.sendall(literal[:2000])
    a = Client(port, timeout=20)
    assert a.reply()[0] == 220
    assert a.cmd(b"EHLO a")[0] == 250
    assert a.cmd(b"MAIL FROM:<a@example.org>")[0] == 250
    assert a.cmd(b"RCPT TO:<%s>" % RCPT)[0] == 250
    assert a.cmd(b"DATA")[0] == 354
    a.sock.sendall(b"Subject: in flight\r\n\r\nfirst half\r\n")
    b = Client(port, timeout=20)
    assert b.reply()[0] == 220
    assert b.cmd(b"EHLO b")[0] == 250
    time.sleep(0.3)
    os.kill(pid, signal.SIGTERM)
    code, text = b.reply()
    assert code == 421 and b"4.3.2" in text, text
    time.sleep(0.5)
    a.sock.sendall(b"second half\r\n.\r\n")
    code, text = a.reply()
    assert code == 250, text
    code, text = a.reply()  # then told the server stops
    assert code == 421, text
    if appender:
        appender.sendall(literal[2000:] + b"\r\n")
        lines = []
        while True:
            line = af.readline()
            assert line, "APPEND connection closed early: %r" % lines
            lines.append(line)
            if line.startswith(b"a1 "):
                break
        assert lines[-1].startswith(b"a1 OK"), lines
        line = af.readline()
        assert line.startswith(b"* BYE"), line
    assert len(files(maildir)) == before + (2 if appender else 1)
    if imap:
        while True:
            line = imap.readline()
            assert line, "IMAP connection closed without BYE"
            if line.startswith(b"* BYE"):
                break
    print("  SIGTERM: an idle session got 421 4.3.2%s; the message in flight was read to its end, "
          "delivered and acknowledged with 250" % (
              ", an idling IMAP session * BYE, an APPEND in flight completed" if imap else ""))


RCPT = b"faults@localhost"
VICTIM = b"victim@localhost"

if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "middata":
        middata(int(sys.argv[2]), sys.argv[3])
    elif mode == "slow":
        slow(int(sys.argv[2]), sys.argv[3])
    elif mode == "smuggle":
        smuggle(int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5])
    elif mode == "graceful":
        graceful(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4],
                 int(sys.argv[5]) if len(sys.argv) > 5 else None)
    elif mode == "malformed":
        malformed(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5])
    else:
        sys.exit(__doc__)
