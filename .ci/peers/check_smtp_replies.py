#!/usr/bin/env python3
"""Checks `trace smtp server` output against an independent reading of the
same bytes: replies grouped by the RFC 5321 continuation rule ("ddd-" goes
on, "ddd " or "ddd" ends), each with its code and line texts.

usage: check_smtp_replies.py SERVER_BYTES TRACE_JSONL [EXPECTED_CODES...]
"""
import json
import sys


def replies(data):
    out, lines = [], []
    for raw in data.split(b"\r\n")[:-1]:
        code, sep, text = raw[:3], raw[3:4], raw[4:]
        lines.append(text.decode("utf-8", "replace"))
        if sep != b"-":
            out.append((int(code), lines))
            lines = []
    assert not lines, "stream ends inside a reply"
    return out


def main():
    server_bytes, trace_jsonl, *expected = sys.argv[1:]
    with open(server_bytes, "rb") as f:
        want = replies(f.read())
    with open(trace_jsonl) as f:
        got = [json.loads(line) for line in f]
    errors = [g for g in got if "error" in g]
    if errors:
        raise SystemExit("trace reported errors: %r" % errors)
    got = [(g["code"], g["lines"]) for g in got]
    if got != want:
        raise SystemExit("trace disagrees:\n got  %r\n want %r" % (got, want))
    codes = [c for c, _ in got]
    if expected and codes != [int(c) for c in expected]:
        raise SystemExit("unexpected reply codes %r, expected %r" % (codes, expected))
    print("  %d replies agree (%s)" % (len(got), " ".join(map(str, codes))))


if __name__ == "__main__":
    main()
