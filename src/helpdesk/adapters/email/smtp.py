"""The inbound SMTP gateway (HELPDESK_SMTP_LISTEN): an aiosmtpd server in the server's own event loop.

The message is stored raw (in the executor, the database is blocking) before anything else; if that
fails the sender gets 451 and retries later. Mail over `mail_max_bytes` is refused with 552 at
MAIL FROM when the client announces its SIZE (ESMTP), and at the end of DATA otherwise.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from concurrent.futures import Executor

from aiosmtpd.smtp import SMTP, Envelope, Session

from helpdesk.services.intake.mail import MailIntake, quick_message_id

log = logging.getLogger(__name__)

TEMPFAIL = "451 4.3.0 Chwilowy błąd systemu, spróbuj ponownie później (temporary failure, retry later)"


class IntakeHandler:
    """aiosmtpd handler: store, then process, each message delivered to us."""

    def __init__(self, intake: MailIntake, executor: Executor) -> None:
        self.intake = intake
        self.executor = executor

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        """Answer 250 once the raw message is stored, 451 when it could not be."""
        loop = asyncio.get_running_loop()
        data = envelope.original_content or envelope.content or b""
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogateescape")
        mail_from = str(envelope.mail_from or "")
        rcpt = ",".join(str(r) for r in envelope.rcpt_tos)
        try:
            store = functools.partial(
                self.intake.store_raw,
                bytes(data),
                source="smtp",
                envelope_from=mail_from,
                envelope_to=rcpt,
                message_id=quick_message_id(bytes(data)),
            )
            raw_id = await loop.run_in_executor(self.executor, store)
        except Exception:
            log.warning("inbound mail from %s not stored; answering 451", mail_from, exc_info=True)
            return TEMPFAIL
        outcome = await loop.run_in_executor(
            self.executor, functools.partial(self.intake.process, raw_id, envelope_from=mail_from)
        )
        log.info(
            "mail %s from %s: %s %s", raw_id, mail_from, outcome.status, outcome.ticket or outcome.note or ""
        )
        return f"250 2.0.0 OK: przyjęto ({raw_id})"


class SmtpGateway:
    """Listens on host:port from `start` until `stop`, handing each message to the intake."""

    def __init__(
        self,
        intake: MailIntake,
        executor: Executor,
        host: str,
        port: int,
        max_bytes: int,
        hostname: str = "helpdesk",
    ) -> None:
        self.handler = IntakeHandler(intake, executor)
        self.host = host
        self.port = port
        self.max_bytes = max_bytes
        self.hostname = hostname
        self.server: asyncio.Server | None = None

    async def start(self) -> None:
        """Bind host:port and start answering (OSError when the address is taken)."""
        loop = asyncio.get_running_loop()

        def factory() -> SMTP:
            return SMTP(
                self.handler,
                data_size_limit=self.max_bytes,
                enable_SMTPUTF8=True,
                decode_data=False,
                hostname=self.hostname,
                ident="helpdesk ESMTP",
                loop=loop,
            )

        self.server = await loop.create_server(factory, self.host, self.port, reuse_address=True)
        log.warning("helpdesk: bramka SMTP na %s:%s", self.host, self.port)

    async def stop(self) -> None:
        """Stop listening and close the connections."""
        server, self.server = self.server, None
        if server is not None:
            server.close()
            await server.wait_closed()
