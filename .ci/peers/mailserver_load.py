#!/usr/bin/env python3
"""Load and check for the mailserver example (and aiosmtpd as a reference).

usage:
  mailserver_load.py send PORT --run NAME --clients N --messages M --users U1,U2,...
        [--domain localhost] [--acked FILE] [--pop3 PORT --password PASS]
        [--ignore-errors] [--label TEXT]
      N concurrent SMTP connections deliver M messages in all, each
      transaction pipelined (MAIL, RCPT, DATA in one write, then the
      dot-stuffed message). With --pop3, one POP3 reader per user logs in,
      lists and retrieves the newest message, again and again, while the
      senders run. Prints messages/s and latency percentiles (MAIL written to
      250 read); with --acked, appends each id acknowledged with 250.
      With --ignore-errors a failed connection ends its client quietly
      (the server may be killed under it).
  mailserver_load.py check DATA_DIR --run NAME --messages M --users U1,...
        [--acked FILE] [--subset]
      Every message of the run found under DATA_DIR/USER/{new,cur} equals
      what was sent after the receiver's Return-Path and Received headers
      (if any), is in the right user's Maildir, and is there once. Without
      --subset all M must be there; with it (after a crash), every acked
      one must be there and any other one must be complete.
"""
import argparse
import asyncio
import os
import re
import sys
import time


def message(run, i, users, domain):
    """The i-th message of a run: its recipient and its bytes (CRLF lines)."""
    user = users[i % len(users)]
    lines = [
        b"From: Load <load@example.org>",
        b"To: %s@%s" % (user.encode(), domain.encode()),
        b"Subject: load %s %d" % (run.encode(), i),
        b"Message-ID: <%s.%d@load.example>" % (run.encode(), i),
        b"X-Load-Id: %s.%d" % (run.encode(), i),
        b"",
    ]
    for n in range(3 + (i * 7) % 40):
        if n % 9 == 4:
            lines.append(b".a line starting with a dot %d" % n)
        elif n % 11 == 6:
            lines.append(b".")
        else:
            lines.append(b"line %d of message %d: %s" % (n, i, b"x" * ((i + n) % 70)))
    return user, b"\r\n".join(lines) + b"\r\n"


def stuffed(data):
    body = re.sub(rb"(^|\r\n)\.", rb"\1..", data)
    return body + b".\r\n"


async def reply(reader):
    """One SMTP reply: (code, text)."""
    text = []
    while True:
        line = await reader.readline()
        if not line:
            raise ConnectionError("connection closed")
        text.append(line)
        if len(line) < 4 or line[3:4] != b"-":
            return int(line[:3]), b"".join(text)


async def sender(args, queue, latencies, acked, stats):
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", args.port)
        code, _ = await reply(reader)
        assert code == 220, code
        writer.write(b"EHLO load.example\r\n")
        code, text = await reply(reader)
        assert code == 250 and b"PIPELINING" in text, text
        while True:
            try:
                i = queue.get_nowait()
            except asyncio.QueueEmpty:
                break
            user, data = message(args.run, i, args.users, args.domain)
            start = time.monotonic()
            writer.write(b"MAIL FROM:<load@example.org> SIZE=%d\r\nRCPT TO:<%s@%s>\r\nDATA\r\n"
                         % (len(data), user.encode(), args.domain.encode()))
            codes = [(await reply(reader))[0] for _ in range(3)]
            if codes != [250, 250, 354]:
                raise AssertionError("message %d: %r" % (i, codes))
            writer.write(stuffed(data))
            code, text = await reply(reader)
            if code != 250:
                raise AssertionError("message %d: %r" % (i, text))
            latencies.append(time.monotonic() - start)
            if acked:
                acked.write("%s.%d\n" % (args.run, i))
                acked.flush()
            stats["sent"] += 1
        writer.write(b"QUIT\r\n")
        await reply(reader)
        writer.close()
    except (ConnectionError, OSError, asyncio.IncompleteReadError) as e:
        if not args.ignore_errors:
            raise
        stats["errors"] += 1


async def pop3_reader(port, user, password, done, stats):
    while not done.is_set():
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            assert (await reader.readline()).startswith(b"+OK")
            writer.write(b"USER %s\r\nPASS %s\r\nSTAT\r\n" % (user.encode(), password.encode()))
            await reader.readline()
            line = await reader.readline()
            if line.startswith(b"-ERR [IN-USE]"):
                writer.close()
                await asyncio.sleep(0.05)
                continue
            assert line.startswith(b"+OK"), line
            count = int((await reader.readline()).split()[1])
            if count:
                writer.write(b"RETR %d\r\n" % count)
                line = await reader.readline()
                assert line.startswith(b"+OK"), line
                while (await reader.readline()) != b".\r\n":
                    pass
                stats["retrieved"] += 1
            writer.write(b"QUIT\r\n")
            await reader.readline()
            writer.close()
            stats["logins"] += 1
        except (ConnectionError, OSError):
            if stats.get("ignore_errors"):
                return
            raise
        await asyncio.sleep(0.02)


def percentile(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


async def send(args):
    queue = asyncio.Queue()
    for i in range(args.messages):
        queue.put_nowait(i)
    latencies = []
    stats = {"sent": 0, "errors": 0, "retrieved": 0, "logins": 0,
             "ignore_errors": args.ignore_errors}
    acked = open(args.acked, "a") if args.acked else None
    done = asyncio.Event()
    readers = []
    if args.pop3:
        readers = [asyncio.create_task(pop3_reader(args.pop3, u, args.password, done, stats))
                   for u in args.users]
    start = time.monotonic()
    await asyncio.gather(*(sender(args, queue, latencies, acked, stats)
                           for _ in range(args.clients)))
    elapsed = time.monotonic() - start
    done.set()
    await asyncio.gather(*readers)
    rate = stats["sent"] / elapsed if elapsed else 0
    print("  %-12s %5d messages by %d clients in %.2f s: %.0f messages/s; latency p50 %.1f ms, "
          "p90 %.1f ms, p99 %.1f ms%s" % (
              args.label or "load", stats["sent"], args.clients, elapsed, rate,
              percentile(latencies, 50) * 1000, percentile(latencies, 90) * 1000,
              percentile(latencies, 99) * 1000,
              "; POP3 readers: %d logins, %d RETR" % (stats["logins"], stats["retrieved"])
              if args.pop3 else ""))
    if not args.ignore_errors and stats["sent"] != args.messages:
        sys.exit("only %d of %d messages sent" % (stats["sent"], args.messages))


def strip_trace(data):
    """Removes a leading Return-Path and Received header (folded lines too)."""
    m = re.match(rb"Return-Path: [^\r\n]*\r\nReceived: [^\r\n]*\r\n(?:\t[^\r\n]*\r\n)*", data)
    return data[m.end():] if m else data


def check(args):
    expected = {}
    for i in range(args.messages):
        user, data = message(args.run, i, args.users, args.domain)
        expected["%s.%d" % (args.run, i)] = (user, data)
    found = {}
    for user in args.users:
        for sub in ("new", "cur"):
            d = os.path.join(args.data, user, sub)
            for name in os.listdir(d) if os.path.isdir(d) else []:
                data = strip_trace(open(os.path.join(d, name), "rb").read())
                m = re.search(rb"\r\nX-Load-Id: ([^\r\n]+)\r\n", data)
                if not m or not m.group(1).decode().startswith(args.run + "."):
                    continue
                mid = m.group(1).decode()
                if mid in found:
                    sys.exit("message %s stored twice" % mid)
                want_user, want = expected.get(mid, (None, None))
                if want_user != user:
                    sys.exit("message %s in %s's Maildir, for %s" % (mid, user, want_user))
                if data != want:
                    sys.exit("message %s differs from what was sent (%d vs %d octets)"
                             % (mid, len(data), len(want)))
                found[mid] = name
    acked = set()
    if args.acked:
        acked = {l.strip() for l in open(args.acked) if l.strip().startswith(args.run + ".")}
    if args.subset:
        missing = acked - set(found)
        if missing:
            sys.exit("%d acknowledged messages missing, e.g. %s" % (len(missing), sorted(missing)[:3]))
        print("  %d messages acknowledged with 250, all stored; %d stored in all, each complete "
              "and once" % (len(acked), len(found)))
    else:
        if len(found) != args.messages:
            sys.exit("%d of %d messages stored" % (len(found), args.messages))
        if args.acked and acked != set(found):
            sys.exit("stored and acknowledged messages differ")
        print("  all %d messages stored once, byte-identical after the trace headers"
              % len(found))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["send", "check"])
    p.add_argument("target")
    p.add_argument("--run", required=True)
    p.add_argument("--clients", type=int, default=50)
    p.add_argument("--messages", type=int, default=5000)
    p.add_argument("--users", required=True)
    p.add_argument("--domain", default="localhost")
    p.add_argument("--acked")
    p.add_argument("--pop3", type=int)
    p.add_argument("--password", default="secret")
    p.add_argument("--ignore-errors", action="store_true")
    p.add_argument("--subset", action="store_true")
    p.add_argument("--label")
    args = p.parse_args()
    args.users = args.users.split(",")
    if args.mode == "send":
        args.port = int(args.target)
        asyncio.run(send(args))
    else:
        args.data = args.target
        check(args)


if __name__ == "__main__":
    main()
