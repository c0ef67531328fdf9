"""aiosmtpd handlers for the interop tests (load with -c aiosmtpd_handlers.NAME
and this folder on PYTHONPATH)."""


class PipeliningSink:
    """Accepts and discards every message, and advertises PIPELINING
    (RFC 2920) so that clients send their commands in groups."""

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        return responses[:-1] + ["250-PIPELINING", responses[-1]]

    async def handle_DATA(self, server, session, envelope):
        return "250 2.0.0 OK: discarded"
