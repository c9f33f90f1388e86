"""IMAP polling for offices that only have a mailbox (HELPDESK_IMAP_URL).

Each round (imaplib, blocking, in the executor) fetches UNSEEN messages with BODY.PEEK so reading
does not mark them; a message is flagged \\Seen only after its raw bytes are stored. When the
database is down the message stays unseen and the round stops: the next round tries again.
"""

from __future__ import annotations

import contextlib
import imaplib
import logging
from dataclasses import dataclass
from email.parser import BytesHeaderParser
from email.utils import parseaddr
from urllib.parse import unquote, urlsplit

from helpdesk.domain.errors import InvalidInput
from helpdesk.services.intake.mail import MailIntake, Outcome, quick_message_id

log = logging.getLogger(__name__)

IMAP_TIMEOUT = 30.0


@dataclass(frozen=True)
class ImapAddress:
    """Where to poll: parsed from imap[s]://user:password@host:port/MAILBOX."""

    ssl: bool
    host: str
    port: int
    user: str
    password: str
    mailbox: str


def parse_imap_url(url: str) -> ImapAddress:
    """Split HELPDESK_IMAP_URL; InvalidInput naming the variable when it is incomplete."""
    parts = urlsplit(url)
    if parts.scheme not in ("imap", "imaps") or not parts.hostname or parts.username is None:
        raise InvalidInput("HELPDESK_IMAP_URL: oczekiwano imap[s]://użytkownik:hasło@host:port/SKRZYNKA")
    ssl = parts.scheme == "imaps"
    return ImapAddress(
        ssl=ssl,
        host=parts.hostname,
        port=parts.port or (993 if ssl else 143),
        user=unquote(parts.username),
        password=unquote(parts.password or ""),
        mailbox=unquote(parts.path.lstrip("/")) or "INBOX",
    )


class ImapPoller:
    """Fetches unseen mail from one mailbox into the intake."""

    def __init__(self, intake: MailIntake, address: ImapAddress) -> None:
        self.intake = intake
        self.address = address

    def _connect(self) -> imaplib.IMAP4:
        a = self.address
        conn: imaplib.IMAP4
        if a.ssl:
            conn = imaplib.IMAP4_SSL(a.host, a.port, timeout=IMAP_TIMEOUT)
        else:
            conn = imaplib.IMAP4(a.host, a.port, timeout=IMAP_TIMEOUT)
        conn.login(a.user, a.password)
        status, _ = conn.select(_quote(a.mailbox))
        if status != "OK":
            raise imaplib.IMAP4.error(f"cannot select mailbox {a.mailbox}")
        return conn

    def poll_once(self) -> list[Outcome]:
        """One round (blocking): store and process every unseen message."""
        outcomes: list[Outcome] = []
        conn = self._connect()
        try:
            status, data = conn.uid("SEARCH", "UNSEEN")
            uids = [u.decode() for u in data[0].split()] if status == "OK" and data and data[0] else []
            for uid in uids:
                raw = _fetch(conn, uid)
                if raw is None:
                    continue
                # The envelope sender, as the delivering server wrote it (Return-Path), not the From
                # header: the two are compared when the sender's identity is checked.
                sender = parseaddr(str(BytesHeaderParser().parsebytes(raw).get("Return-Path", "")))[1].lower()
                try:
                    raw_id = self.intake.store_raw(
                        raw,
                        source="imap",
                        envelope_from=sender,
                        envelope_to=self.address.mailbox,
                        message_id=quick_message_id(raw),
                    )
                except Exception:
                    log.warning("IMAP message %s left unseen: database unavailable", uid, exc_info=True)
                    break
                conn.uid("STORE", uid, "+FLAGS", "(\\Seen)")
                outcomes.append(self.intake.process(raw_id))
        finally:
            with contextlib.suppress(Exception):
                conn.logout()
        return outcomes


def _quote(mailbox: str) -> str:
    return '"' + mailbox.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _fetch(conn: imaplib.IMAP4, uid: str) -> bytes | None:
    status, data = conn.uid("FETCH", uid, "(BODY.PEEK[])")
    if status != "OK":
        return None
    for item in data:
        if isinstance(item, tuple) and len(item) >= 2 and isinstance(item[1], bytes):
            return item[1]
    return None


def report_failure(err: Exception) -> None:
    """Log a failed poll in one line; the next round tries again."""
    log.warning("IMAP poll failed: %s", err)
