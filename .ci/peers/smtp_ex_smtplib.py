#!/usr/bin/env python3
"""Python's smtplib against the smtp-server example. Each message sent is
also written to OUTDIR/NAME.eml as the server must store it (after the
trace headers it prepends).

usage: smtp_ex_smtplib.py MODE PORT OUTDIR
  pipelined   EHLO, then MAIL (SIZE, BODY=8BITMIME), two RCPTs and DATA
              written in one go (RFC 2920), four replies read after them,
              a dot-stuffed 8-bit body; then MAIL with SIZE over the
              announced limit must get 552.
  smtputf8    sendmail with a UTF-8 sender and recipient and SMTPUTF8
              (SIZE added by smtplib); a UTF-8 address without SMTPUTF8
              must be refused with 5.6.7.
  auth        STARTTLS with an unverified context, AUTH PLAIN (smtplib's
              login), sendmail; MAIL before AUTH must get 530, AUTH before
              STARTTLS must not be offered.
  injection   STARTTLS with NOOP pipelined behind it in one write: the 220
              comes, the NOOP is never answered, the handshake and a new
              EHLO work.
"""
import re
import smtplib
import socket
import ssl
import sys

mode, port, outdir = sys.argv[1], int(sys.argv[2]), sys.argv[3]


def expect(reply, code, what):
    if reply[0] != code:
        sys.exit("%s: expected %d, got %r" % (what, code, reply))


def save(name, message):
    with open("%s/%s.eml" % (outdir, name), "wb") as f:
        f.write(message)


def stuff(message):
    return re.sub(rb"(?m)^\.", b"..", message) + b".\r\n"


if mode == "pipelined":
    message = (
        b"From: sender@example.org\r\n"
        b"To: one@example.com, two@example.com\r\n"
        b"Subject: pipelined\r\n"
        b"MIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n"
        b"\r\n"
        b".a line that starts with a dot\r\n"
        b"..and one with two\r\n"
        b"\xc3\xa9t\xc3\xa9 8-bit\r\n"
        b".\r\n"
        b"end\r\n"
    )
    with smtplib.SMTP("127.0.0.1", port, local_hostname="client.example", timeout=10) as s:
        s.ehlo()
        for ext in ("pipelining", "size", "8bitmime", "smtputf8", "enhancedstatuscodes", "chunking"):
            if not s.has_extn(ext):
                sys.exit("%s not announced: %r" % (ext, s.esmtp_features))
        limit = int(s.esmtp_features["size"])
        # One write: MAIL, RCPT, RCPT, DATA; then the four replies.
        s.send(
            b"MAIL FROM:<sender@example.org> SIZE=%d BODY=8BITMIME\r\n"
            b"RCPT TO:<one@example.com>\r\n"
            b"RCPT TO:<two@example.com>\r\n"
            b"DATA\r\n" % len(message)
        )
        for code, what in ((250, "MAIL"), (250, "RCPT"), (250, "RCPT"), (354, "DATA")):
            expect(s.getreply(), code, what)
        s.send(stuff(message))
        expect(s.getreply(), 250, "end of data")
        save("smtplib-pipelined", message)
        # SIZE is enforced at MAIL.
        code, text = s.mail("sender@example.org", ["SIZE=%d" % (limit + 1)])
        if code != 552 or not text.startswith(b"5.3.4"):
            sys.exit("MAIL over SIZE: %r" % ((code, text),))
        s.rset()
        # A parameter of an extension that is not announced.
        code, text = s.mail("sender@example.org", ["RET=HDRS"])
        if code != 555 or not text.startswith(b"5.5.4"):
            sys.exit("MAIL RET= without DSN: %r" % ((code, text),))
    print("  smtplib: pipelined MAIL/RCPT/RCPT/DATA accepted; SIZE and unannounced RET= refused")

elif mode == "smtputf8":
    message = (
        "From: Jösé <jösé@exämple.org>\r\n"
        "To: müller@example.com\r\n"
        "Subject: grüße\r\n"
        "\r\n"
        "UTF-8 everywhere: ü\r\n"
    ).encode()
    with smtplib.SMTP("127.0.0.1", port, local_hostname="client.example", timeout=10) as s:
        s.ehlo()
        refused = s.sendmail(
            "jösé@exämple.org", ["müller@example.com"], message,
            mail_options=["SMTPUTF8", "BODY=8BITMIME"],
        )
        assert not refused, refused
        save("smtplib-smtputf8", message)
        # Without SMTPUTF8 a UTF-8 address is refused (RFC 6531 §3.5).
        s.command_encoding = "utf-8"
        code, text = s.mail("jösé@exämple.org")
        if code != 550 or not text.startswith(b"5.6.7"):
            sys.exit("UTF-8 MAIL without SMTPUTF8: %r" % ((code, text),))
    print("  smtplib: SMTPUTF8 message with UTF-8 addresses accepted; without SMTPUTF8 refused")

elif mode == "auth":
    message = (
        b"From: alice@example.org\r\n"
        b"To: bob@example.com\r\n"
        b"Subject: authenticated\r\n"
        b"\r\n"
        b"sent after STARTTLS and AUTH PLAIN\r\n"
        b".\r\n"
    )
    with smtplib.SMTP("127.0.0.1", port, local_hostname="client.example", timeout=10) as s:
        s.ehlo()
        if s.has_extn("auth"):
            sys.exit("AUTH offered before STARTTLS")
        code, text = s.mail("alice@example.org")
        if code != 530:
            sys.exit("MAIL before AUTH: %r" % ((code, text),))
        s.starttls(context=ssl._create_unverified_context())
        s.ehlo()
        if "PLAIN" not in s.esmtp_features.get("auth", "").split():
            sys.exit("AUTH PLAIN not offered after STARTTLS: %r" % s.esmtp_features)
        s.user, s.password = "alice", "secret"
        code, text = s.auth("PLAIN", s.auth_plain)
        expect((code, text), 235, "AUTH PLAIN")
        refused = s.sendmail("alice@example.org", ["bob@example.com"], message)
        assert not refused, refused
        save("smtplib-auth", message)
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as s:
        s.starttls(context=ssl._create_unverified_context())
        try:
            s.login("alice", "wrong")
            sys.exit("a wrong password was accepted")
        except smtplib.SMTPAuthenticationError as e:
            expect((e.smtp_code, e.smtp_error), 535, "wrong password")
    print("  smtplib: STARTTLS + AUTH PLAIN accepted; MAIL before AUTH 530; wrong password 535")

elif mode == "injection":
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    f = sock.makefile("rb")

    def reply():
        lines = []
        while True:
            line = f.readline()
            if not line:
                sys.exit("connection closed; got %r" % lines)
            lines.append(line)
            if line[3:4] != b"-":
                return lines

    reply()  # greeting
    sock.sendall(b"EHLO client.example\r\n")
    reply()
    sock.sendall(b"STARTTLS\r\nNOOP\r\n")
    r = reply()
    if not r[0].startswith(b"220"):
        sys.exit("STARTTLS: %r" % r)
    tls = ssl._create_unverified_context().wrap_socket(sock, server_hostname="localhost")
    tf = tls.makefile("rb")
    tls.sendall(b"EHLO client.example\r\n")
    first = tf.readline()
    if not first.startswith(b"250"):
        sys.exit("the first reply through TLS is %r, not the EHLO's 250" % first)
    rest = [first]
    while rest[-1][3:4] == b"-":
        rest.append(tf.readline())
    if any(b"STARTTLS" in l for l in rest):
        sys.exit("STARTTLS still offered under TLS")
    tls.sendall(b"QUIT\r\n")
    q = tf.readline()
    if not q.startswith(b"221"):
        sys.exit("QUIT through TLS: %r" % q)
    print("  STARTTLS with NOOP pipelined behind it: NOOP never answered, TLS session clean")
else:
    sys.exit("unknown mode %s" % mode)
