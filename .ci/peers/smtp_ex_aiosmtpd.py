"""aiosmtpd handler for the smtp-send interop test: saves each message's
DATA exactly as received (after dot-unstuffing, before any decoding) and
its envelope.

usage: PYTHONPATH=.ci/peers python3 -m aiosmtpd -n -u -l 127.0.0.1:PORT \
           -c smtp_ex_aiosmtpd.SaveExact DIR
Each message is DIR/N.eml, its envelope DIR/N.json (mail_from, rcpt_tos,
mail_options, rcpt_options, tls).
"""
import json
import os


class SaveExact:
    def __init__(self, directory):
        self.directory = directory
        self.count = 0
        os.makedirs(directory, exist_ok=True)

    @classmethod
    def from_cli(cls, parser, *args):
        if len(args) != 1:
            parser.error("SaveExact takes the output directory")
        return cls(args[0])

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        return responses[:-1] + ["250-PIPELINING", responses[-1]]

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        base = os.path.join(self.directory, str(self.count))
        with open(base + ".eml.tmp", "wb") as f:
            f.write(envelope.original_content)
        with open(base + ".json", "w") as f:
            json.dump(
                {
                    "mail_from": envelope.mail_from,
                    "rcpt_tos": envelope.rcpt_tos,
                    "mail_options": envelope.mail_options,
                    "rcpt_options": envelope.rcpt_options,
                    "tls": session.ssl is not None,
                },
                f,
            )
        os.rename(base + ".eml.tmp", base + ".eml")
        return "250 2.0.0 OK: saved as %d" % self.count
