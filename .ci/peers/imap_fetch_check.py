#!/usr/bin/env python3
"""Helpers of the imap-fetch interop test (.ci/interop.d/55-imap-fetch.sh),
with Python's imaplib as the independent IMAP client.

usage:
  imap_fetch_check.py same PORT DIR      every message of Dovecot's INBOX, as
                                         imaplib fetches it (UID FETCH 1:*
                                         BODY.PEEK[]), is DIR/<UIDVALIDITY>-<UID>.eml
                                         byte for byte, and DIR holds no other
                                         message; prints the count
  imap_fetch_check.py corpus CORPUS DIR  every CORPUS/*.eml is among DIR/*.eml
                                         once line ends are made CRLF (Dovecot
                                         serves LF-only files with CRLF)
  imap_fetch_check.py append PORT FILE   APPENDs FILE to INBOX
  imap_fetch_check.py structure PORT     FETCH 1:* (UID ENVELOPE BODYSTRUCTURE)
                                         of INBOX, for a recording relay
  imap_fetch_check.py trace JSONL COUNT  the server side's trace decodes without
                                         error, with COUNT FETCH responses, each
                                         with ENVELOPE and BODYSTRUCTURE
The account is Dovecot's test user (test/secret), on 127.0.0.1.
"""
import collections
import imaplib
import json
import os
import re
import sys

USER, PASS = "test", "secret"


def connect(port):
    imap = imaplib.IMAP4("127.0.0.1", int(port), timeout=10)
    imap.login(USER, PASS)
    return imap


def messages(imap):
    """{uid: bytes} of INBOX, and its UIDVALIDITY."""
    typ, _ = imap.select("INBOX", readonly=True)
    assert typ == "OK", typ
    validity = int(imap.response("UIDVALIDITY")[1][0])
    typ, data = imap.uid("FETCH", "1:*", "(UID BODY.PEEK[])")
    assert typ == "OK", (typ, data)
    found = {}
    for item in data:
        if not isinstance(item, tuple):
            continue
        head, body = item
        m = re.search(rb"UID (\d+)", head)
        assert m, head
        found[int(m.group(1))] = body
    return validity, found


def same(port, out):
    imap = connect(port)
    validity, found = messages(imap)
    imap.logout()
    names = {f for f in os.listdir(out) if f.endswith(".eml")}
    expected = {"%d-%d.eml" % (validity, uid) for uid in found}
    assert names == expected, ("extra", sorted(names - expected), "missing", sorted(expected - names))
    for uid, body in found.items():
        with open(os.path.join(out, "%d-%d.eml" % (validity, uid)), "rb") as f:
            fetched = f.read()
        assert fetched == body, (uid, len(fetched), len(body))
    assert not [f for f in os.listdir(out) if f.startswith(".tmp")], os.listdir(out)
    print("  %d messages in %s are byte-identical to Dovecot's (UIDVALIDITY %d)" % (len(found), out, validity))


def crlf(data):
    return re.sub(rb"\r?\n", b"\r\n", data)


def corpus(source, out):
    fetched = collections.Counter()
    for name in os.listdir(out):
        if name.endswith(".eml"):
            with open(os.path.join(out, name), "rb") as f:
                fetched[f.read()] += 1
    count = 0
    for name in sorted(os.listdir(source)):
        if not name.endswith(".eml"):
            continue
        with open(os.path.join(source, name), "rb") as f:
            data = crlf(f.read())
        # Dovecot serves NUL octets as 0x80 outside BINARY.
        candidates = [data, data.replace(b"\0", b"\x80")]
        hit = next((c for c in candidates if fetched[c] > 0), None)
        assert hit is not None, "%s not among the fetched messages" % name
        fetched[hit] -= 1
        count += 1
    print("  all %d corpus messages fetched, same as sent but for line ends" % count)


def append(port, path):
    imap = connect(port)
    with open(path, "rb") as f:
        typ, data = imap.append("INBOX", None, None, f.read())
    assert typ == "OK", (typ, data)
    imap.logout()


def structure(port):
    imap = connect(port)
    typ, _ = imap.select("INBOX", readonly=True)
    assert typ == "OK", typ
    typ, data = imap.fetch("1:*", "(UID ENVELOPE BODYSTRUCTURE)")
    assert typ == "OK", (typ, data)
    imap.logout()


def trace(path, count):
    events = [json.loads(line) for line in open(path)]
    errors = [e for e in events if "error" in e]
    assert not errors, errors[:5]
    fetches = [e for e in events if e.get("name") == "FETCH"]
    assert len(fetches) == int(count), (len(fetches), count)
    for e in fetches:
        assert "ENVELOPE" in e["items"] and "BODYSTRUCTURE" in e["items"], e
        # Typed, not kept as raw "other" items the decoder could not read.
        assert not e.get("other_items"), e
    seqs = sorted(e["seq"] for e in fetches)
    assert seqs == list(range(1, int(count) + 1)), seqs
    print("  %d FETCH responses with ENVELOPE and BODYSTRUCTURE decode, no errors" % len(fetches))


def main():
    command, args = sys.argv[1], sys.argv[2:]
    {"same": same, "corpus": corpus, "append": append, "structure": structure, "trace": trace}[command](*args)


if __name__ == "__main__":
    main()
