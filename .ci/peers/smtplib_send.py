#!/usr/bin/env python3
"""Sends one message with Python's smtplib: EHLO, MAIL with SIZE and BODY,
two RCPT, DATA (with lines that need dot-stuffing), QUIT.

usage: smtplib_send.py PORT
"""
import smtplib
import sys

MESSAGE = (
    b"From: sender@example.org\r\n"
    b"To: one@example.com, two@example.com\r\n"
    b"Subject: smtplib interop\r\n"
    b"\r\n"
    b".a line that starts with a dot\r\n"
    b"..and one with two\r\n"
    b".\r\n"
    b"end\r\n"
)

with smtplib.SMTP("127.0.0.1", int(sys.argv[1]), local_hostname="client.example", timeout=10) as smtp:
    smtp.ehlo("client.example")
    refused = smtp.sendmail(
        "sender@example.org",
        ["one@example.com", "two@example.com"],
        MESSAGE,
        mail_options=["BODY=8BITMIME"],
    )
    assert not refused, refused
