#!/usr/bin/env python3
"""Checks `trace PROTOCOL client` output: no errors, and the commands (and
other client messages) in the expected order.

usage: check_commands.py TRACE_JSONL FIELD EXPECTED...
FIELD names the command's keyword in the JSON (`verb` for SMTP, `command`
for POP3); EXPECTED items are keywords, or the `type` of a message that is
not a command (`data` for an SMTP DATA body).
"""
import json
import sys


def main():
    trace_jsonl, field, *expected = sys.argv[1:]
    with open(trace_jsonl) as f:
        got = [json.loads(line) for line in f]
    errors = [g for g in got if "error" in g]
    if errors:
        raise SystemExit("trace reported errors: %r" % errors)
    seen = [g[field] if g["type"] == "command" else g["type"] for g in got]
    if seen != expected:
        raise SystemExit("unexpected commands %r, expected %r" % (seen, expected))
    print("  %d client messages decode (%s)" % (len(seen), " ".join(seen)))


if __name__ == "__main__":
    main()
