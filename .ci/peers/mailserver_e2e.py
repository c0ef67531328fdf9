#!/usr/bin/env python3
"""End-to-end checks of the mailserver example with Python's smtplib,
poplib and imaplib.

usage:
  mailserver_e2e.py send SMTP_PORT USER PASS SENT_DIR
      smtplib: STARTTLS + AUTH PLAIN, STARTTLS + AUTH LOGIN, and SMTPUTF8
      with 8-bit text and dot lines; each message sent is saved in
      SENT_DIR/NAME.eml. A relay attempt gets 550 5.7.1, an unknown local
      user 550 5.1.1, a message over the size limit 552.
  mailserver_e2e.py read POP3_PORT USER PASS SENT_DIR [--implicit]
      poplib (STLS, or implicit TLS): every message in the maildrop equals,
      after the Return-Path and Received headers, one of SENT_DIR/*.eml,
      and each of those is there once.
  mailserver_e2e.py imap IMAP_PORT USER PASS SENT_DIR [--implicit]
      imaplib (STARTTLS + LOGIN, or implicit TLS + AUTHENTICATE PLAIN):
      FETCH BODY.PEEK[] of every message of INBOX equals, after the
      Return-Path and Received headers, one of SENT_DIR/*.eml, each once;
      no message is \Seen after it. A malformed command gets BAD and the
      session goes on.
  mailserver_e2e.py idle SMTP_PORT IMAP_PORT USER PASS
      An imaplib session idling on USER's INBOX is told EXISTS within 2 s
      of each of three smtplib deliveries to USER; the message fetched
      after DONE is the one sent.
  mailserver_e2e.py both POP3_PORT IMAP_PORT USER1,USER2,... PASS
      For each user, POP3 (RETR) and IMAP (FETCH BODY.PEEK[]) give the
      same messages, byte for byte, each once.
  mailserver_e2e.py implicit SMTPS_PORT USER PASS SENT_DIR
      smtplib over implicit TLS with AUTH.
  mailserver_e2e.py plaintext SMTP_PORT POP3_PORT HOST USER PASS [IMAP_PORT]
      On a listener bound to a non-loopback HOST: no AUTH offered or
      accepted before STARTTLS, no USER/PASS before STLS, LOGINDISABLED
      and LOGIN refused before IMAP STARTTLS; each works after.
"""
import imaplib
import os
import poplib
import re
import smtplib
import ssl
import sys
import time

CTX = ssl._create_unverified_context()  # the server's self-signed certificate


def strip_trace(data):
    m = re.match(rb"Return-Path: [^\r\n]*\r\nReceived: [^\r\n]*\r\n(?:\t[^\r\n]*\r\n)*", data)
    assert m, data[:200]
    return data[m.end():]


def save(sent, name, data):
    with open(os.path.join(sent, name + ".eml"), "wb") as f:
        f.write(data)


def send(port, user, password, sent):
    rcpt = "%s@localhost" % user
    plain = (b"From: Alice <alice@example.org>\r\nTo: %s\r\nSubject: PLAIN\r\n\r\n"
             b".leading dot\r\n.\r\n..\r\nend\r\n" % rcpt.encode())
    with smtplib.SMTP("127.0.0.1", port, timeout=20) as s:
        s.starttls(context=CTX)
        s.ehlo()
        assert "PLAIN" in s.esmtp_features.get("auth", ""), s.esmtp_features
        s.login(user, password)  # PLAIN, the first smtplib prefers of those offered
        assert s.sendmail("alice@example.org", [rcpt], plain) == {}
    save(sent, "smtplib-plain", plain)

    login = b"From: bob@example.org\r\nTo: %s\r\nSubject: LOGIN\r\n\r\nvia AUTH LOGIN\r\n" % rcpt.encode()
    with smtplib.SMTP("127.0.0.1", port, timeout=20) as s:
        s.starttls(context=CTX)
        s.ehlo()
        s.user, s.password = user, password
        code, text = s.auth("LOGIN", s.auth_login, initial_response_ok=False)
        assert code == 235, (code, text)
        assert s.sendmail("bob@example.org", [rcpt, "%s+tag@localhost" % user], login) == {}
    save(sent, "smtplib-login", login)

    utf8 = ("From: Jösé <jösé@example.org>\r\nTo: %s\r\nSubject: ünïcödé\r\n\r\n"
            "8-bit body: café\r\n.\r\n" % rcpt).encode()
    with smtplib.SMTP("127.0.0.1", port, timeout=20) as s:
        s.ehlo()
        assert s.has_extn("smtputf8") and s.has_extn("8bitmime")
        s.sendmail("jösé@example.org", [rcpt], utf8, mail_options=["SMTPUTF8", "BODY=8BITMIME"])
        # Refusals: relaying, unknown user, too large.
        try:
            s.sendmail("a@example.org", ["someone@example.net"], b"Subject: relay\r\n\r\nx\r\n")
            raise AssertionError("relayed")
        except smtplib.SMTPRecipientsRefused as e:
            code, text = e.recipients["someone@example.net"]
            assert code == 550 and text.startswith(b"5.7.1"), (code, text)
        try:
            s.sendmail("a@example.org", ["nobody@localhost"], b"Subject: x\r\n\r\nx\r\n")
            raise AssertionError("accepted an unknown user")
        except smtplib.SMTPRecipientsRefused as e:
            code, text = e.recipients["nobody@localhost"]
            assert code == 550 and text.startswith(b"5.1.1"), (code, text)
        limit = int(s.esmtp_features["size"])
        try:
            s.sendmail("a@example.org", [rcpt], b"Subject: big\r\n\r\n" + b"x" * (limit + 10))
            raise AssertionError("accepted a message over SIZE")
        except smtplib.SMTPSenderRefused as e:
            assert e.smtp_code == 552, e
        # The same without SIZE= on MAIL: refused at the end of data.
        s.ehlo_resp = None
        s.does_esmtp = False
        s.esmtp_features = {}
        code, _ = s.docmd("MAIL FROM:<a@example.org>")
        assert code == 250
        assert s.docmd("RCPT TO:<%s>" % rcpt)[0] == 250
        assert s.docmd("DATA")[0] == 354
        s.send(b"Subject: big\r\n\r\n" + (b"y" * 998 + b"\r\n") * (limit // 1000 + 2) + b".\r\n")
        code, text = s.getreply()
        assert code == 552, (code, text)
        assert s.noop()[0] == 250
    save(sent, "smtplib-utf8", utf8)
    print("  smtplib: STARTTLS + AUTH PLAIN, STARTTLS + AUTH LOGIN (two addresses of one user), "
          "SMTPUTF8; relaying 550 5.7.1, unknown user 550 5.1.1, over SIZE 552 (announced and at end of data)")


def expected(sent):
    out = {}
    for name in sorted(os.listdir(sent)):
        out[name] = open(os.path.join(sent, name), "rb").read()
    return out


def read(port, user, password, sent, implicit):
    if implicit:
        p = poplib.POP3_SSL("127.0.0.1", port, context=CTX, timeout=20)
    else:
        p = poplib.POP3("127.0.0.1", port, timeout=20)
        p.stls(context=CTX)
    p.user(user)
    p.pass_(password)
    count, _ = p.stat()
    got = []
    for n in range(1, count + 1):
        _, lines, _ = p.retr(n)
        got.append(strip_trace(b"\r\n".join(lines) + b"\r\n"))
    p.quit()
    want = expected(sent)
    remaining = list(want.values())
    for data in got:
        if data not in remaining:
            sys.exit("a message that was not sent: %r" % data[:200])
        remaining.remove(data)
    if remaining:
        sys.exit("%d sent messages not in the maildrop" % len(remaining))
    print("  poplib (%s): %d messages, byte-identical to those sent"
          % ("implicit TLS" if implicit else "STLS", len(got)))


def imap_connect(port, user, password, implicit=False, host="127.0.0.1"):
    if implicit:
        m = imaplib.IMAP4_SSL(host, port, ssl_context=CTX, timeout=20)
        assert "STARTTLS" not in m.capabilities, m.capabilities
        creds = b"\0%s\0%s" % (user.encode(), password.encode())
        m.authenticate("PLAIN", lambda _challenge: creds)
    else:
        m = imaplib.IMAP4(host, port, timeout=20)
        assert "STARTTLS" in m.capabilities, m.capabilities
        m.starttls(ssl_context=CTX)
        m.login(user, password)
    return m


def imap_fetch_all(m):
    """The bytes of every message of the selected mailbox, by FETCH BODY.PEEK[]."""
    typ, data = m.fetch("1:*", "(BODY.PEEK[])")
    assert typ == "OK", (typ, data)
    return [item[1] for item in data if isinstance(item, tuple)]


def compare(got, sent, what):
    want = expected(sent)
    remaining = list(want.values())
    for data in got:
        if data not in remaining:
            sys.exit("%s: a message that was not sent: %r" % (what, data[:200]))
        remaining.remove(data)
    if remaining:
        sys.exit("%s: %d sent messages not in the mailbox" % (what, len(remaining)))


def imap_read(port, user, password, sent, implicit):
    m = imap_connect(port, user, password, implicit)
    typ, data = m.select("INBOX")
    assert typ == "OK", data
    count = int(data[0])
    got = [strip_trace(d) for d in imap_fetch_all(m)]
    assert len(got) == count, (len(got), count)
    compare(got, sent, "imaplib")
    typ, data = m.fetch("1:*", "(FLAGS)")
    assert typ == "OK" and not any(b"\\Seen" in d for d in data), data
    if not implicit:
        tag = m._new_tag()
        m.send(tag + b" FROBNICATE INBOX\r\n")
        while True:
            line = m.readline()
            if line.startswith(tag):
                break
        assert line.startswith(tag + b" BAD"), line
        assert m.noop()[0] == "OK"
    m.logout()
    print("  imaplib (%s): %d messages by FETCH BODY.PEEK[], byte-identical to those sent%s"
          % ("implicit TLS + AUTHENTICATE PLAIN" if implicit else "STARTTLS + LOGIN", count,
             "" if implicit else "; a malformed command got BAD and the session went on"))


def idle(smtp_port, imap_port, user, password):
    m = imap_connect(imap_port, user, password)
    typ, data = m.select("INBOX")
    exists = int(data[0])
    waits = []
    for n in range(3):
        tag = m._new_tag()
        m.send(tag + b" IDLE\r\n")
        line = m.readline()
        assert line.startswith(b"+"), line
        body = b"From: idle@example.org\r\nSubject: idle %d\r\n\r\nwake up %d\r\n" % (n, n)
        with smtplib.SMTP("127.0.0.1", smtp_port, timeout=20) as s:
            s.sendmail("idle@example.org", ["%s@localhost" % user], body)
        acked = time.monotonic()
        m.sock.settimeout(2.0)
        while True:
            line = m.readline()  # a timeout (over 2 s) raises
            if line.endswith(b" EXISTS\r\n"):
                break
        waits.append(time.monotonic() - acked)
        m.sock.settimeout(20)
        exists += 1
        assert line == b"* %d EXISTS\r\n" % exists, line
        m.send(b"DONE\r\n")
        while True:
            line = m.readline()
            if line.startswith(tag):
                break
        assert line.startswith(tag + b" OK"), line
        typ, data = m.fetch(str(exists), "(BODY.PEEK[])")
        assert strip_trace(data[0][1]) == body, data
    m.logout()
    print("  imaplib IDLE told EXISTS %s after each 250 of three SMTP deliveries; "
          "the messages fetched are those sent"
          % ", ".join("%.0f ms" % (w * 1000) for w in waits))


def both(pop3_port, imap_port, user, password):
    p = poplib.POP3("127.0.0.1", pop3_port, timeout=30)
    p.user(user)
    p.pass_(password)
    count, _ = p.stat()
    pop = []
    for n in range(1, count + 1):
        _, lines, _ = p.retr(n)
        pop.append(b"\r\n".join(lines) + b"\r\n")
    p.quit()
    m = imaplib.IMAP4("127.0.0.1", imap_port, timeout=30)
    m.login(user, password)
    typ, data = m.select("INBOX", readonly=True)
    imap = imap_fetch_all(m)
    m.logout()
    if sorted(pop) != sorted(imap):
        sys.exit("%s: POP3 gives %d messages, IMAP %d, not the same" % (user, len(pop), len(imap)))
    return len(pop)


def same(retrieved, sent):
    """Every file of RETRIEVED equals, after the trace headers, a different one of SENT."""
    remaining = list(expected(sent).values())
    names = sorted(os.listdir(retrieved))
    for name in names:
        data = strip_trace(open(os.path.join(retrieved, name), "rb").read())
        if data not in remaining:
            sys.exit("%s: not a message sent" % name)
        remaining.remove(data)
    if remaining:
        sys.exit("%d sent messages not retrieved" % len(remaining))
    print("  %d messages retrieved, byte-identical to those sent" % len(names))


def implicit(port, user, password, sent):
    data = b"From: tls@example.org\r\nTo: %s@localhost\r\nSubject: implicit\r\n\r\nover SMTPS\r\n" % user.encode()
    with smtplib.SMTP_SSL("127.0.0.1", port, context=CTX, timeout=20) as s:
        s.ehlo()
        assert not s.has_extn("starttls")
        s.login(user, password)
        s.sendmail("tls@example.org", ["%s@localhost" % user], data)
    save(sent, "smtplib-implicit", data)
    print("  smtplib over implicit TLS with AUTH (no STARTTLS offered)")


def plaintext(smtp_port, pop3_port, host, user, password, imap_port=None):
    with smtplib.SMTP(host, smtp_port, timeout=20) as s:
        s.ehlo()
        assert not s.has_extn("auth"), s.esmtp_features
        code, _ = s.docmd("AUTH PLAIN", "AGRlbW8AZGVtbw==")
        assert code in (538, 503, 502, 504), code
        s.starttls(context=CTX)
        s.ehlo()
        assert s.has_extn("auth")
        s.login(user, password)
    p = poplib.POP3(host, pop3_port, timeout=20)
    p._putcmd("USER %s" % user)
    line = p._getline()[0]
    assert line.startswith(b"-ERR"), line
    p.stls(context=CTX)
    p.user(user)
    p.pass_(password)
    p.quit()
    if imap_port is None:
        print("  on %s: no plaintext AUTH or USER before STARTTLS/STLS; both after" % host)
        return
    m = imaplib.IMAP4(host, imap_port, timeout=20)
    assert "LOGINDISABLED" in m.capabilities, m.capabilities
    assert not any(c.startswith("AUTH=") for c in m.capabilities), m.capabilities
    try:
        m.login(user, password)
        raise AssertionError("IMAP LOGIN accepted before STARTTLS")
    except imaplib.IMAP4.error:
        pass
    m.starttls(ssl_context=CTX)
    assert "LOGINDISABLED" not in m.capabilities and "AUTH=PLAIN" in m.capabilities, m.capabilities
    m.login(user, password)
    m.logout()
    print("  on %s: no plaintext AUTH, USER or LOGIN before STARTTLS/STLS (IMAP: LOGINDISABLED); "
          "each after" % host)


if __name__ == "__main__":
    mode, args = sys.argv[1], sys.argv[2:]
    if mode == "send":
        send(int(args[0]), args[1], args[2], args[3])
    elif mode == "read":
        read(int(args[0]), args[1], args[2], args[3], "--implicit" in args)
    elif mode == "same":
        same(args[0], args[1])
    elif mode == "implicit":
        implicit(int(args[0]), args[1], args[2], args[3])
    elif mode == "plaintext":
        plaintext(int(args[0]), int(args[1]), args[2], args[3], args[4],
                  int(args[5]) if len(args) > 5 else None)
    elif mode == "imap":
        imap_read(int(args[0]), args[1], args[2], args[3], "--implicit" in args)
    elif mode == "idle":
        idle(int(args[0]), int(args[1]), args[2], args[3])
    elif mode == "both":
        users = args[2].split(",")
        counts = [both(int(args[0]), int(args[1]), u, args[3]) for u in users]
        print("  POP3 and IMAP give the same %s messages, byte for byte (%s)"
              % (sum(counts), ", ".join("%s %d" % uc for uc in zip(users, counts))))
    else:
        sys.exit(__doc__)
