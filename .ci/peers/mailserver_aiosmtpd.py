"""aiosmtpd handler for the mailserver load test's reference run: each
message is written into DIR/<local part>/tmp/, synced, and renamed into
DIR/<local part>/new/ before the 250, as mailserver does (the write runs
in a thread so the event loop keeps serving).

usage: PYTHONPATH=.ci/peers python3 -m aiosmtpd -n -l 127.0.0.1:PORT \
           -c mailserver_aiosmtpd.MaildirSync DIR
"""
import asyncio
import itertools
import os

_counter = itertools.count()


class MaildirSync:
    def __init__(self, directory):
        self.directory = directory

    @classmethod
    def from_cli(cls, parser, *args):
        if len(args) != 1:
            parser.error("MaildirSync takes the data directory")
        return cls(args[0])

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        return responses[:-1] + ["250-PIPELINING", responses[-1]]

    def _store(self, rcpts, data):
        for rcpt in rcpts:
            root = os.path.join(self.directory, rcpt.split("@")[0])
            for sub in ("tmp", "new", "cur"):
                os.makedirs(os.path.join(root, sub), exist_ok=True)
            name = "%d.%d.ref" % (os.getpid(), next(_counter))
            tmp = os.path.join(root, "tmp", name)
            with open(tmp, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.rename(tmp, os.path.join(root, "new", name))
            fd = os.open(os.path.join(root, "new"), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)

    async def handle_DATA(self, server, session, envelope):
        await asyncio.get_running_loop().run_in_executor(
            None, self._store, list(envelope.rcpt_tos), envelope.original_content)
        return "250 2.0.0 OK"
