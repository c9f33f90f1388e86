"""The repository bound to one transaction: every area's methods on one connection.

`Tx` is what adapters/db/store.py's units of work hand to a service's function. It is assembled
from one mixin per area (tickets and events, attachments, offices and people, outbox, mail,
Telegram and dialogue, knowledge base, SLA, accounts and the access log, leases, operators' figures), each in its own module and each implementing the
matching protocol of services/ports.py, so it satisfies every repository protocol a service asks
for.
"""

from typing import Any

from sqlalchemy import Connection

from helpdesk.adapters.db.attachment_store import AttachmentTxMixin
from helpdesk.adapters.db.kb_store import KbTxMixin
from helpdesk.adapters.db.lease_store import LeaseTxMixin
from helpdesk.adapters.db.mail_store import MailTxMixin
from helpdesk.adapters.db.ops_store import OpsTxMixin
from helpdesk.adapters.db.outbox_store import OutboxTxMixin
from helpdesk.adapters.db.people_store import PeopleTxMixin
from helpdesk.adapters.db.prepared import PreparedRunner
from helpdesk.adapters.db.privacy_store import PrivacyTxMixin
from helpdesk.adapters.db.rollout_store import RolloutTxMixin
from helpdesk.adapters.db.sla_store import SlaTxMixin
from helpdesk.adapters.db.telegram_store import TelegramTxMixin
from helpdesk.adapters.db.ticket_store import TicketTxMixin
from helpdesk.adapters.db.trust_store import TrustTxMixin


class Tx(
    RolloutTxMixin,
    TicketTxMixin,
    AttachmentTxMixin,
    PeopleTxMixin,
    OutboxTxMixin,
    MailTxMixin,
    TelegramTxMixin,
    KbTxMixin,
    SlaTxMixin,
    TrustTxMixin,
    PrivacyTxMixin,
    LeaseTxMixin,
    OpsTxMixin,
):
    """Repository bound to one transaction (every repository protocol of services/ports.py)."""

    def __init__(
        self,
        conn: Connection,
        postgres: bool,
        *,
        fast: PreparedRunner | None = None,
        registry: dict[tuple[Any, ...], Any] | None = None,
    ) -> None:
        """`fast` and `registry` are shared by the units of work of one batch (adapters/db/store.py):
        they run in one transaction, so what one unit read or deferred holds for the next."""
        self.conn = conn
        self.postgres = postgres
        self.fast = fast if fast is not None else PreparedRunner(conn)
        self._registry: dict[tuple[Any, ...], Any] = registry if registry is not None else {}
