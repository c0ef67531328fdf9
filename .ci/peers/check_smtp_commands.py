#!/usr/bin/env python3
"""Checks `trace smtp client` output: no errors, and the commands (and
message data) in the expected order.

usage: check_smtp_commands.py TRACE_JSONL EXPECTED...
EXPECTED items are verbs (EHLO, MAIL, ...) or `data` for a DATA body.
"""
import json
import sys


def main():
    trace_jsonl, *expected = sys.argv[1:]
    with open(trace_jsonl) as f:
        got = [json.loads(line) for line in f]
    errors = [g for g in got if "error" in g]
    if errors:
        raise SystemExit("trace reported errors: %r" % errors)
    seen = [g["verb"] if g["type"] == "command" else g["type"] for g in got]
    if seen != expected:
        raise SystemExit("unexpected commands %r, expected %r" % (seen, expected))
    print("  %d client messages decode (%s)" % (len(seen), " ".join(seen)))


if __name__ == "__main__":
    main()
