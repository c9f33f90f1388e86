"""Installs the e-mail channel into the container: intake, listeners and the background parts.

Called by bootstrap.install_channels. Adds the intake listener (attachments and the raw mail's
outcome, in the ticket's transaction) and the notifier (outbox mail) to TicketService, and the
parts `helpdesk serve` runs: the SMTP gateway (HELPDESK_SMTP_LISTEN), the IMAP poller
(HELPDESK_IMAP_URL), the outbox sender (HELPDESK_SMTP_RELAY) and a sweep for stored but
unprocessed mail. Nothing on the web.
"""

from __future__ import annotations

import logging
from typing import Any

from helpdesk.adapters.email.imap import ImapPoller, imap_part, parse_imap_url
from helpdesk.adapters.email.parser import ParsedMail, parse_mail
from helpdesk.adapters.email.periodic import Part, periodic_part
from helpdesk.adapters.email.sender import MailSender, sender_part
from helpdesk.adapters.email.smtp import smtp_part
from helpdesk.services.intake.mail import MailIntake, intake_listener
from helpdesk.services.notify.mail import MailNotifier
from helpdesk.settings import split_host_port

log = logging.getLogger(__name__)


def _float_extra(settings: Any, name: str, default: float) -> float:
    try:
        return float(settings.extra.get(name, default))
    except (TypeError, ValueError):
        return default


def install(container: Any) -> None:
    """Wire the e-mail channel (see the module docstring)."""
    settings = container.settings
    max_attachment = int(settings.attachment_max_bytes)

    def parse(data: bytes, envelope_from: str | None) -> ParsedMail:
        return parse_mail(data, envelope_from=envelope_from, max_attachment_bytes=max_attachment)

    intake = MailIntake(container.db, container.clock, container.tickets, container.kb, parse)
    container.extras["mail_intake"] = intake
    container.tickets.listeners.append(intake_listener)
    container.tickets.listeners.append(MailNotifier(settings.mail_from, settings.public_url, settings.tz))
    parts = container.extras.setdefault("parts", [])
    parts.append(pending_part(intake, _float_extra(settings, "mail_pending_interval_s", 60.0)))
    hp = settings.smtp_host_port
    if hp is not None:
        domain = settings.mail_from.rsplit("@", 1)[-1] or "helpdesk"
        parts.append(smtp_part(intake, hp[0], hp[1], int(settings.mail_max_bytes), hostname=domain))
    if settings.imap_url:
        poller = ImapPoller(intake, parse_imap_url(settings.imap_url))
        container.extras["imap_poller"] = poller
        parts.append(imap_part(poller, _float_extra(settings, "imap_poll_s", 60.0)))
    if settings.smtp_relay:
        relay = split_host_port(settings.smtp_relay, "HELPDESK_SMTP_RELAY")
        sender = MailSender(container.outbox, container.clock, relay, settings.mail_from)
        container.extras["mail_sender"] = sender
        parts.append(sender_part(sender, _float_extra(settings, "mail_send_interval_s", 2.0)))


def pending_part(intake: MailIntake, interval_s: float) -> Part:
    """A part that processes mail stored but not processed (crash, outage), at start and then periodically."""

    def failed(err: Exception) -> None:
        log.warning("pending mail sweep failed: %s", err)

    return periodic_part(intake.process_pending, interval_s, "mail-pending", failed)
