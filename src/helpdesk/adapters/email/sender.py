"""Outgoing mail: claims `email` messages from the outbox and hands them to HELPDESK_SMTP_RELAY.

Each message becomes a multipart/alternative (plain text and HTML) with the threading headers
stored with it. smtplib is blocking, so a round runs in the executor. A failure leaves the message
in the outbox with a growing pause (OutboxService); nothing is lost while the relay is down. A
message the relay refuses for good (5xx for the recipient or the content, or one that cannot be
built) is given up on at once instead of being retried for a day and a half.
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
import socket
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr

from helpdesk.services.notify.mail import SIGNATURE
from helpdesk.services.notify.outbox import OutboxMessage, OutboxService
from helpdesk.services.ports import Clock

log = logging.getLogger(__name__)

SMTP_TIMEOUT = 30.0
ALLOWED_HEADERS = ("Message-ID", "In-Reply-To", "References", "X-Helpdesk-Ticket", "Auto-Submitted")


def refused_for_good(err: Exception) -> bool:
    """True when retrying cannot deliver the message: a 5xx for every recipient or for the data.

    A refused sender address (SMTPSenderRefused) is a set-up problem that stops all mail, not a
    fault of this message, so it is retried like an outage.
    """
    if isinstance(err, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in err.recipients.values()]
        return bool(codes) and all(code >= 500 for code in codes)
    if isinstance(err, smtplib.SMTPSenderRefused):
        return False
    if isinstance(err, smtplib.SMTPResponseException):
        return err.smtp_code >= 500
    return isinstance(err, ValueError)


class MailSender:
    """Delivers outbox e-mail through one SMTP relay."""

    def __init__(self, outbox: OutboxService, clock: Clock, relay: tuple[str, int], mail_from: str) -> None:
        self.outbox = outbox
        self.clock = clock
        self.relay = relay
        self.from_addr = parseaddr(mail_from)[1] or mail_from

    def build(self, message: OutboxMessage) -> EmailMessage:
        """The MIME message for one outbox row."""
        mail = EmailMessage()
        mail["From"] = formataddr((SIGNATURE, self.from_addr))
        mail["To"] = message.recipient
        mail["Subject"] = message.subject
        mail["Date"] = format_datetime(self.clock.now())
        for name in ALLOWED_HEADERS:
            value = message.headers.get(name)
            if value:
                mail[name] = value
        mail.set_content(message.body, charset="utf-8")
        if message.html:
            mail.add_alternative(message.html, subtype="html", charset="utf-8")
        return mail

    def send_once(self, limit: int = 50) -> int:
        """Send what is due now (blocking); return how many were delivered."""
        messages = self.outbox.claim("email", limit)
        if not messages:
            return 0
        sent = 0
        client: smtplib.SMTP | None = None
        try:
            for message in messages:
                try:
                    if client is None:
                        client = smtplib.SMTP(self.relay[0], self.relay[1], timeout=SMTP_TIMEOUT)
                    client.send_message(
                        self.build(message), from_addr=self.from_addr, to_addrs=[message.recipient]
                    )
                except (OSError, smtplib.SMTPException, ValueError) as err:
                    given_up = self.outbox.failed(
                        message, f"{type(err).__name__}: {err}", permanent=refused_for_good(err)
                    )
                    log.warning(
                        "mail %s to %s not sent%s: %s",
                        message.id,
                        message.recipient,
                        " (given up)" if given_up else "",
                        err,
                    )
                    if isinstance(err, OSError | smtplib.SMTPServerDisconnected) and client is not None:
                        with contextlib.suppress(Exception):
                            client.close()
                        client = None
                    continue
                self.outbox.sent(message)
                sent += 1
        finally:
            if client is not None:
                with contextlib.suppress(smtplib.SMTPException, OSError, socket.timeout):
                    client.quit()
        return sent


def report_failure(err: Exception) -> None:
    """Log a failed round with its traceback (a fault here, not a refusal); the next round retries."""
    log.error("outbox e-mail round failed", exc_info=err)
