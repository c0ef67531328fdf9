#!/usr/bin/env python3
"""End-to-end checks of the mailserver example with Python's smtplib and
poplib.

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
  mailserver_e2e.py implicit SMTPS_PORT USER PASS SENT_DIR
      smtplib over implicit TLS with AUTH.
  mailserver_e2e.py plaintext SMTP_PORT POP3_PORT HOST USER PASS
      On a listener bound to a non-loopback HOST: no AUTH offered or
      accepted before STARTTLS, no USER/PASS before STLS; both work after.
"""
import os
import poplib
import re
import smtplib
import ssl
import sys

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


def plaintext(smtp_port, pop3_port, host, user, password):
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
    print("  on %s: no plaintext AUTH or USER before STARTTLS/STLS; both after" % host)


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
        plaintext(int(args[0]), int(args[1]), args[2], args[3], args[4])
    else:
        sys.exit(__doc__)
