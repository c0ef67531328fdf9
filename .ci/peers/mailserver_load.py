#!/usr/bin/env python3
"""Load and check for the mailserver example (and aiosmtpd as a reference).

usage:
  mailserver_load.py send PORT --run NAME --clients N --messages M --users U1,U2,...
        [--domain localhost] [--acked FILE] [--pop3 PORT] [--imap PORT]
        [--password PASS] [--ignore-errors] [--label TEXT]
      N concurrent SMTP connections deliver M messages in all, each
      transaction pipelined (MAIL, RCPT, DATA in one write, then the
      dot-stuffed message). With --pop3, one POP3 reader per user logs in,
      lists and retrieves the newest message, again and again, while the
      senders run. With --imap, two IMAP sessions per user meanwhile: one
      polls (NOOP, then FETCH BODY.PEEK[] of the newest message, which
      must be a message of the run, byte-identical after the trace
      headers), one idles and must be told EXISTS for every message
      delivered to its user. Prints messages/s and latency percentiles
      (MAIL written to 250 read), and how long after the last 250 the
      idling sessions had heard of every message; with --acked, appends
      each id acknowledged with 250.
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


class Imap:
    """A minimal IMAP client over asyncio streams."""

    def __init__(self, reader, writer):
        self.reader, self.writer, self.n = reader, writer, 0

    @classmethod
    async def login(cls, port, user, password):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        imap = cls(reader, writer)
        line = await reader.readline()
        assert line.startswith(b"* OK"), line
        _, status = await imap.command(b"LOGIN %s %s" % (user.encode(), password.encode()))
        assert b" OK" in status, status
        return imap

    async def line(self):
        """One response line with its literals: (text, [literal, ...])."""
        line = await self.reader.readline()
        if not line:
            raise ConnectionError("IMAP connection closed")
        literals = []
        while True:
            m = re.search(rb"\{(\d+)\}\r\n$", line)
            if not m:
                return line, literals
            literals.append(await self.reader.readexactly(int(m.group(1))))
            line += await self.reader.readline()

    async def command(self, text):
        """Sends a command; returns its untagged responses and the tagged status."""
        self.n += 1
        tag = b"a%d" % self.n
        self.writer.write(tag + b" " + text + b"\r\n")
        untagged = []
        while True:
            line, literals = await self.line()
            if line.startswith(tag + b" "):
                return untagged, line
            untagged.append((line, literals))


def exists_in(untagged):
    count = None
    for line, _ in untagged:
        m = re.match(rb"\* (\d+) EXISTS\r\n", line)
        if m:
            count = int(m.group(1))
    return count


async def imap_poller(args, user, done, stats):
    imap = await Imap.login(args.imap, user, args.password)
    untagged, status = await imap.command(b"SELECT INBOX")
    assert b" OK" in status, status
    exists = exists_in(untagged) or 0
    while not done.is_set():
        untagged, status = await imap.command(b"NOOP")
        assert b" OK" in status, status
        exists = exists_in(untagged) or exists
        if exists:
            untagged, status = await imap.command(b"FETCH %d (BODY.PEEK[])" % exists)
            assert b" OK" in status, status
            bodies = [lits[0] for line, lits in untagged
                      if lits and line.startswith(b"* %d FETCH" % exists)]
            assert len(bodies) == 1, untagged
            data = strip_trace(bodies[0])
            m = re.search(rb"\r\nX-Load-Id: %s\.(\d+)\r\n" % args.run.encode(), data)
            assert m, data[:300]
            want_user, want = message(args.run, int(m.group(1)), args.users, args.domain)
            assert want_user == user and data == want, (user, data[:300])
            stats["imap_fetches"] += 1
        await asyncio.sleep(0.25)
    await imap.command(b"LOGOUT")
    imap.writer.close()


async def imap_idler(args, user, expect, done, stats):
    """Idles until told of `expect` more messages than SELECT showed, and
    records when (after the senders are done) that happened."""
    imap = await Imap.login(args.imap, user, args.password)
    untagged, status = await imap.command(b"SELECT INBOX")
    assert b" OK" in status, status
    first = exists_in(untagged) or 0
    target = first + expect
    imap.writer.write(b"i1 IDLE\r\n")
    line, _ = await imap.line()
    assert line.startswith(b"+"), line
    exists = 0
    while exists < target:
        line, _ = await imap.line()
        m = re.match(rb"\* (\d+) EXISTS\r\n", line)
        if m:
            exists = int(m.group(1))
            stats["imap_exists"] += 1
    stats["idle_done"].append(time.monotonic())
    stats["imap_told"] += exists - first
    imap.writer.write(b"DONE\r\n")
    while not (await imap.line())[0].startswith(b"i1 "):
        pass
    await imap.command(b"LOGOUT")
    imap.writer.close()


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
             "ignore_errors": args.ignore_errors, "imap_fetches": 0, "imap_exists": 0, "imap_told": 0,
             "idle_done": []}
    acked = open(args.acked, "a") if args.acked else None
    done = asyncio.Event()
    readers = []
    if args.pop3:
        readers = [asyncio.create_task(pop3_reader(args.pop3, u, args.password, done, stats))
                   for u in args.users]
    idlers = []
    if args.imap:
        readers += [asyncio.create_task(imap_poller(args, u, done, stats)) for u in args.users]
        expect = {u: 0 for u in args.users}
        for i in range(args.messages):
            expect[args.users[i % len(args.users)]] += 1
        idlers = [asyncio.create_task(imap_idler(args, u, expect[u], done, stats))
                  for u in args.users]
        await asyncio.sleep(0.5)  # logged in and idling before the first message
    start = time.monotonic()
    await asyncio.gather(*(sender(args, queue, latencies, acked, stats)
                           for _ in range(args.clients)))
    last_ack = time.monotonic()
    elapsed = last_ack - start
    done.set()
    await asyncio.gather(*readers)
    if idlers:
        try:
            await asyncio.wait_for(asyncio.gather(*idlers), 10)
        except asyncio.TimeoutError:
            sys.exit("IDLE sessions not told of every message 10 s after the last 250 "
                     "(%d EXISTS seen)" % stats["imap_exists"])
    rate = stats["sent"] / elapsed if elapsed else 0
    print("  %-12s %5d messages by %d clients in %.2f s: %.0f messages/s; latency p50 %.1f ms, "
          "p90 %.1f ms, p99 %.1f ms%s" % (
              args.label or "load", stats["sent"], args.clients, elapsed, rate,
              percentile(latencies, 50) * 1000, percentile(latencies, 90) * 1000,
              percentile(latencies, 99) * 1000,
              "; POP3 readers: %d logins, %d RETR" % (stats["logins"], stats["retrieved"])
              if args.pop3 else ""))
    if args.imap:
        lag = max(stats["idle_done"]) - last_ack
        print("  %-12s IMAP readers meanwhile: %d NOOP + FETCH BODY.PEEK[] of the newest message, "
              "each byte-identical to what was sent; %d IDLE sessions told of all %d messages "
              "(%d EXISTS responses), the last %.0f ms after the last 250"
              % ("", stats["imap_fetches"], len(args.users), stats["imap_told"],
                 stats["imap_exists"], max(lag, 0) * 1000))
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
    p.add_argument("--imap", type=int)
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
