#!/usr/bin/env python3
"""Checks that the messages a receiver stored are the messages sent,
byte for byte, after the trace headers the receiver prepends.

usage: smtp_ex_check.py STRIP STORED_DIR EXPECTED_FILE...
  STRIP is "mailwire" (exactly a Return-Path and a Received header, as the
  smtp-server example writes them), "none", or "trace" (any leading
  Return-Path, Received, Delivered-To, X-Original-To, X-Peer, X-MailFrom,
  X-RcptTo headers, as Postfix and aiosmtpd add them).
STORED_DIR is a Maildir (its new/ and cur/) or a plain directory of
*.eml files. Every expected message must be stored exactly once, and
nothing else.
"""
import os
import re
import sys

TRACE = {b"return-path", b"received", b"delivered-to", b"x-original-to", b"x-peer",
         b"x-mailfrom", b"x-rcptto"}


def headers(data):
    """Splits the leading header fields: [(name, raw field bytes)], rest."""
    fields = []
    pos = 0
    while True:
        m = re.match(rb"([!-9;-~]+):[^\n]*\n(?:[ \t][^\n]*\n)*", data[pos:])
        if not m:
            return fields, pos
        fields.append((m.group(1).lower(), m.group(0)))
        pos += m.end()


def strip(mode, data, path):
    if mode == "none":
        return data
    fields, _ = headers(data)
    cut = 0
    if mode == "mailwire":
        names = [n for n, _ in fields[:2]]
        if names != [b"return-path", b"received"]:
            sys.exit("%s: does not start with Return-Path and Received: %r" % (path, names))
        for _, raw in fields[:2]:
            if not raw.endswith(b"\r\n"):
                sys.exit("%s: trace header not ended by CRLF: %r" % (path, raw))
        cut = sum(len(raw) for _, raw in fields[:2])
    else:
        for name, raw in fields:
            if name not in TRACE:
                break
            cut += len(raw)
    return data[cut:]


def stored_files(root):
    if os.path.isdir(os.path.join(root, "new")):
        dirs = [os.path.join(root, "new"), os.path.join(root, "cur")]
    else:
        dirs = [root]
    out = []
    for d in dirs:
        for name in sorted(os.listdir(d)):
            path = os.path.join(d, name)
            if os.path.isfile(path) and (d != root or name.endswith(".eml")):
                out.append(path)
    return out


mode, root, expected = sys.argv[1], sys.argv[2], sys.argv[3:]
want = {}
for path in expected:
    with open(path, "rb") as f:
        want.setdefault(f.read(), []).append(path)
stored = stored_files(root)
for path in stored:
    with open(path, "rb") as f:
        body = strip(mode, f.read(), path)
    if body not in want or not want[body]:
        sys.exit("%s: stored message matches nothing sent (or came twice):\n%r" % (path, body[:600]))
    want[body].pop()
missing = [p for paths in want.values() for p in paths]
if missing:
    sys.exit("not stored: %s (stored: %s)" % (missing, stored))
print("  %d stored messages identical to those sent (%s)" % (len(stored), root))
