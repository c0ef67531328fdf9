"""aiosmtpd handler: a next hop for the mailserver relay tests. Each
message is written to DIR/N.eml as received (dot-unstuffed, CRLF kept)
with its envelope in DIR/N.json; every DATA is counted in DIR/attempts.

    PYTHONPATH=.ci/peers python3 -m aiosmtpd -n --smtputf8 -l 127.0.0.1:PORT \
        -c relay_nexthop.NextHop DIR [TEMPFAIL [REJECT...]]

TEMPFAIL: answer the first TEMPFAIL messages with 451 4.3.0.
With NEXTHOP_PLAIN=1 in the environment, neither 8BITMIME nor SMTPUTF8
is offered.
REJECT: addresses refused at RCPT with 550 5.1.1, or with 451 4.2.1 when
written 4:ADDRESS.
"""
import itertools
import json
import os


class NextHop:
    def __init__(self, directory, tempfail=0, reject=()):
        self.directory = directory
        self.tempfail = tempfail
        self.reject = {r.lower() for r in reject if not r.startswith("4:")}
        self.defer = {r[2:].lower() for r in reject if r.startswith("4:")}
        self.plain = os.environ.get("NEXTHOP_PLAIN") == "1"
        self.count = itertools.count(1)
        self.attempts = 0
        os.makedirs(directory, exist_ok=True)

    @classmethod
    def from_cli(cls, parser, *args):
        if not args:
            parser.error("NextHop takes DIR [TEMPFAIL [REJECT...]]")
        tempfail = int(args[1]) if len(args) > 1 else 0
        return cls(args[0], tempfail, args[2:])

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        if self.plain:
            # Neither 8BITMIME nor SMTPUTF8 offered.
            kept = [r for r in responses[:-1] if r[4:] not in ("8BITMIME", "SMTPUTF8")]
            return kept + [responses[-1]]
        return responses[:-1] + ["250-PIPELINING", responses[-1]]

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.reject:
            return "550 5.1.1 <%s>: no such user here" % address
        if address.lower() in self.defer:
            return "451 4.2.1 <%s>: mailbox busy, try later" % address
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.append(list(rcpt_options))
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        self.attempts += 1
        with open(os.path.join(self.directory, "attempts"), "w") as f:
            f.write("%d\n" % self.attempts)
        if self.attempts <= self.tempfail:
            return "451 4.3.0 Try again later (%d)" % self.attempts
        n = next(self.count)
        path = os.path.join(self.directory, "%d" % n)
        with open(path + ".json", "w") as f:
            json.dump({
                "mail_from": envelope.mail_from,
                "mail_options": list(envelope.mail_options),
                "rcpt_tos": list(envelope.rcpt_tos),
                "rcpt_options": list(envelope.rcpt_options),
            }, f)
        with open(path + ".tmp", "wb") as f:
            f.write(envelope.original_content)
        os.rename(path + ".tmp", path + ".eml")
        return "250 2.0.0 OK stored as %d" % n
