#!/usr/bin/env python3
"""Checks for the mailserver relay tests.

relay_check.py same RECEIVED SENT HOSTNAME [--lf]
    RECEIVED is what the next hop stored: its own trace fields, then the
    relay's one Received field (by HOSTNAME), then SENT byte for byte
    (with --lf: SENT with LF line ends, as Postfix stores it).
relay_check.py notice MAILDIR FAILED [RELAYED...]
    MAILDIR/new holds exactly one message: a multipart/report
    (report-type=delivery-status) from <> naming FAILED with
    Action: failed and each RELAYED with Action: relayed, and no other
    recipient; its third part holds the returned header section.
relay_check.py hop DIR N RCPT...
    The next hop's DIR holds exactly N messages; the last one's envelope
    has exactly the recipients RCPT.
"""
import email
import glob
import json
import os
import re
import sys
from email import policy


def fail(msg):
    print("relay_check: " + msg, file=sys.stderr)
    sys.exit(1)


def same(received_path, sent_path, hostname, lf=False):
    received = open(received_path, "rb").read()
    sent = open(sent_path, "rb").read()
    if lf:
        sent = sent.replace(b"\r\n", b"\n")
    if not received.endswith(sent):
        fail("%s does not end with %s" % (received_path, sent_path))
    prefix = received[: len(received) - len(sent)]
    nl = b"\n" if lf else b"\r\n"
    # The fields before the message, unfolded; the last must be ours.
    fields = []
    for line in prefix.split(nl):
        if not line:
            continue
        if line[:1] in (b" ", b"\t") and fields:
            fields[-1] += b" " + line.strip()
        else:
            fields.append(line)
    if not fields:
        fail("no trace field before the message in " + received_path)
    ours = fields[-1].decode("utf-8", "replace")
    if not re.match(r"Received: from \S+ \(\[[0-9a-fA-F.:IPv]+\]\) by %s \(mailwire mailserver\) with \S+ id \S+" % re.escape(hostname), ours):
        fail("the last trace field is not the relay's: %r" % ours)
    print("same: %s = trace fields (%d) + %s" % (received_path, len(fields), sent_path))


def notice(maildir, failed, relayed):
    files = sorted(glob.glob(os.path.join(maildir, "new", "*")))
    if len(files) != 1:
        fail("%d messages in %s/new, expected one notice" % (len(files), maildir))
    raw = open(files[0], "rb").read()
    if not raw.startswith(b"Return-Path: <>\r\n"):
        fail("the notice is not from <>: %r" % raw[:60])
    m = email.message_from_bytes(raw, policy=policy.default)
    if m.get_content_type() != "multipart/report":
        fail("notice is %s" % m.get_content_type())
    if m.get_param("report-type") != "delivery-status":
        fail("report-type is %r" % m.get_param("report-type"))
    parts = list(m.iter_parts())
    kinds = [p.get_content_type() for p in parts]
    # RFC 6533: the global (UTF-8) forms when an address is UTF-8.
    if kinds[0] != "text/plain" or len(kinds) != 3 or kinds[1] not in (
            "message/delivery-status", "message/global-delivery-status"):
        fail("parts are %s" % kinds)
    if kinds[2] not in ("text/rfc822-headers", "message/rfc822",
                        "message/global-headers", "message/global"):
        fail("third part is %s" % kinds[2])
    blocks = parts[1].get_payload()
    if kinds[1] == "message/global-delivery-status":
        # Python reads it as an unknown message type: the fields from
        # the part's own octets.
        raw_part = parts[1].as_bytes(policy=policy.SMTPUTF8)
        text = re.split(rb"\r?\n\r?\n", raw_part, maxsplit=1)[1].decode("utf-8")
        blocks = [email.message_from_string(b.strip("\r\n") + "\n", policy=policy.default)
                  for b in re.split(r"\r?\n\r?\n", text) if b.strip()]
    per_message, per_recipient = blocks[0], blocks[1:]
    if not per_message["Reporting-MTA"]:
        fail("no Reporting-MTA")
    seen = {}
    for block in per_recipient:
        final = block["Final-Recipient"]
        addr = final.split(";", 1)[1].strip().lower()
        seen[addr] = (block["Action"].strip(), block["Status"].strip(), block["Diagnostic-Code"])
    expected = {a.lower(): "failed" for a in failed}
    expected.update({a.lower(): "relayed" for a in relayed})
    if set(seen) != set(expected):
        fail("the notice names %s, expected %s" % (sorted(seen), sorted(expected)))
    for addr, action in expected.items():
        if seen[addr][0] != action:
            fail("%s: Action %s, expected %s" % (addr, seen[addr][0], action))
        if action == "failed" and not (seen[addr][1].startswith("5.") and seen[addr][2]):
            fail("%s: Status %s, Diagnostic-Code %r" % (addr, seen[addr][1], seen[addr][2]))
    text = parts[0].get_content()
    for addr in failed:
        if addr.lower() not in text.lower():
            fail("the explanation does not name %s" % addr)
    print("notice: multipart/report naming %s" % ", ".join("%s (%s)" % (a, s[0]) for a, s in sorted(seen.items())))


def hop(directory, n, rcpts):
    emls = sorted(glob.glob(os.path.join(directory, "*.eml")), key=lambda p: int(os.path.basename(p)[:-4]))
    if len(emls) != n:
        fail("%d messages at the next hop %s, expected %d" % (len(emls), directory, n))
    if n:
        env = json.load(open(emls[-1][:-4] + ".json"))
        if sorted(r.lower() for r in env["rcpt_tos"]) != sorted(r.lower() for r in rcpts):
            fail("recipients %s, expected %s" % (env["rcpt_tos"], rcpts))
    print("hop: %s has %d message(s)" % (directory, n))


if __name__ == "__main__":
    args = sys.argv[1:]
    if args[:1] == ["same"]:
        same(args[1], args[2], args[3], "--lf" in args[4:])
    elif args[:1] == ["notice"]:
        notice(args[1], [args[2]], args[3:])
    elif args[:1] == ["hop"]:
        hop(args[1], int(args[2]), args[3:])
    else:
        fail(__doc__)
