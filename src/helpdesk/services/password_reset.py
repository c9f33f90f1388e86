"""A forgotten web password, or a first one: a one-time link by e-mail, then a new password.

Asking (`request`) never tells whether an account exists: the page says the same either way, and
a link goes out only to an active person with an e-mail address, at most a few times an hour per
person and per client address (beyond that nothing is sent, silently — the mailbox of someone
whose login is known cannot be flooded). The link carries a random secret of which the database
keeps only the digest, as for API tokens; it works once, for an hour, and a newer link replaces
an older one. Setting the new password (`complete`) ends every session of the person, as a
password change does. The mail goes through the outbox, in the transaction that stored the link.

An invitation (`invite`) is the same link for someone just registered by the people who manage
their office: a welcome that says what the desk is and how to start, valid for a week, within the
same per-person limit (so a button pressed again and again sends nothing more).
"""

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from helpdesk.domain.errors import InvalidInput
from helpdesk.domain.people import Person
from helpdesk.domain.throttle import Limit, after_failure, blocked_for
from helpdesk.services.people import digest, hash_password, require_password_length
from helpdesk.services.ports import Clock, Credential, Database, OutboxWriter, TrustRepo

RESET_KIND = "reset"
RESET_TTL = timedelta(hours=1)
INVITE_TTL = timedelta(days=7)
PERSON_SCOPE, ADDRESS_SCOPE = "reset", "reset_address"
SUBJECT = "Ustawienie nowego hasła do help-desku e-Urzędu"
INVITE_SUBJECT = "Zaproszenie do help-desku e-Urzędu"
EXPIRED = "Link do ustawienia hasła wygasł albo został już użyty. Poproś o nowy."


class ResetRepo(TrustRepo, OutboxWriter, Protocol):
    """People with their credentials and throttles, and the outbox the link's mail goes to."""


@dataclass(frozen=True)
class ResetLimits:
    """How many links a person, and a client address, may be sent within a window."""

    person: Limit = field(default_factory=lambda: Limit(3, timedelta(hours=1)))
    address: Limit = field(default_factory=lambda: Limit(10, timedelta(minutes=15)))


class PasswordReset:
    """Links to set a new password, by e-mail."""

    def __init__(
        self,
        db: Database[ResetRepo],
        clock: Clock,
        public_url: str,
        limits: ResetLimits | None = None,
        *,
        mail_address: str = "",
    ) -> None:
        self.db = db
        self.clock = clock
        self.public_url = public_url.rstrip("/")
        self.mail_address = mail_address
        self.limits = limits or ResetLimits()

    def request(self, who: str, address: str = "") -> bool:
        """Send a link to the person whose login or e-mail `who` is, when there is one with an
        address and the limits allow; whether a mail was queued (for tests and logs — never shown)."""
        wanted = who.strip().lower()[:254]
        if not wanted:
            raise InvalidInput("podaj login albo adres e-mail")
        now = self.clock.now()
        secret = secrets.token_urlsafe(32)

        def _do(tx: ResetRepo) -> bool:
            person = tx.person_by("email" if "@" in wanted else "login", wanted)
            keys = [(ADDRESS_SCOPE, address[:255], self.limits.address)] if address else []
            if person is not None:
                keys.append((PERSON_SCOPE, person.login, self.limits.person))
            if not _counted(tx, keys, now) or person is None or not person.email:
                return False
            link = self._issue(tx, person, secret, now, RESET_TTL)
            return _queue(tx, person.email, SUBJECT, self._body(person, link), now)

        return self.db.write(_do)

    def invite(self, login: str) -> bool:
        """Send `login` (an active person with an e-mail address) a welcome with a link to set
        their password, valid for a week; whether a mail was queued (False: no address, or the
        person's limit reached)."""
        now = self.clock.now()
        secret = secrets.token_urlsafe(32)

        def _do(tx: ResetRepo) -> bool:
            person = tx.person_by("login", login.strip().lower())
            if person is None or not person.email:
                return False
            if not _counted(tx, [(PERSON_SCOPE, person.login, self.limits.person)], now):
                return False
            link = self._issue(tx, person, secret, now, INVITE_TTL)
            return _queue(tx, person.email, INVITE_SUBJECT, self._welcome(person, link), now)

        return self.db.write(_do)

    def holder(self, secret: str) -> Person:
        """The person a link is for; InvalidInput (EXPIRED) when it is unknown, used or too old."""
        now = self.clock.now()
        return _holder(self.db.read(lambda tx: tx.active_credential(digest(secret), (RESET_KIND,))), now)

    def complete(self, secret: str, password: str) -> Person:
        """Set the new password of the link's person; the link and every session of theirs end."""
        require_password_length(password, "nowe hasło")
        hashed = hash_password(password)
        now = self.clock.now()

        def _do(tx: ResetRepo) -> Person:
            person = _holder(tx.active_credential(digest(secret), (RESET_KIND,)), now)
            tx.set_person(person.id, {"password_hash": hashed})
            tx.drop_credentials(person.id, (RESET_KIND, "session"))
            return person

        return self.db.write(_do)

    def _issue(self, tx: ResetRepo, person: Person, secret: str, now: datetime, ttl: timedelta) -> str:
        """Store the digest of a new link for `person` (only the newest works); its address."""
        tx.drop_credentials(person.id, (RESET_KIND,))
        tx.add_credential(digest(secret), RESET_KIND, person.id, now, now + ttl)
        return f"{self.public_url}/haslo/nowe?t={secret}"

    def _welcome(self, person: Person, link: str) -> str:
        return (
            f"Dzień dobry, {person.name},\n\n"
            "masz konto w help-desku e-Urzędu – tu pytasz o EZD, ePUAP, podpis i inne systemy urzędu "
            "i zgłaszasz problemy liderom swojego urzędu.\n\n"
            f"Twój login: {person.login}\n"
            "Aby ustawić hasło, otwórz ten link (działa jeden raz, przez 7 dni):\n\n"
            f"{link}\n\n"
            f"Potem zaloguj się na {self.public_url}/login. W „Moje konto” połączysz też konto z botem "
            "w Telegramie, jeśli wolisz pytać z telefonu.\n\n"
            + (
                f"Możesz też napisać e-mail na adres {self.mail_address} – powstanie zgłoszenie.\n\n"
                if self.mail_address
                else ""
            )
            + "Help-desk e-Urzędu\n"
        )

    @staticmethod
    def _body(person: Person, link: str) -> str:
        return (
            "Dzień dobry,\n\n"
            f"ktoś – zapewne Ty – poprosił o ustawienie nowego hasła do help-desku e-Urzędu dla konta {person.login}.\n"
            "Aby ustawić nowe hasło, otwórz ten link (działa jeden raz, przez godzinę):\n\n"
            f"{link}\n\n"
            "Jeśli to nie Ty, zignoruj tę wiadomość: obecne hasło działa dalej.\n\n"
            "Help-desk e-Urzędu\n"
        )


def _counted(tx: ResetRepo, keys: list[tuple[str, str, Limit]], now: datetime) -> bool:
    """Count one more link against each key, unless one of them is blocked (then False)."""
    if any(blocked_for(tx.throttle_get(scope, key), now) for scope, key, _ in keys):
        return False
    for scope, key, limit in keys:
        tx.throttle_put(scope, key, after_failure(tx.throttle_get(scope, key, lock=True), limit, now))
    return True


def _queue(tx: ResetRepo, address: str, subject: str, body: str, now: datetime) -> bool:
    """Put the link's mail into the outbox, in the transaction that stored the link."""
    return tx.enqueue("email", address, subject, body, at=now, headers={"Auto-Submitted": "auto-generated"})


def _holder(found: tuple[Person, Credential] | None, now: datetime) -> Person:
    """The person of a looked-up link; InvalidInput (EXPIRED) when there is none or it is too old."""
    if found is None or (found[1].expires_at is not None and found[1].expires_at <= now):
        raise InvalidInput(EXPIRED)
    return found[0]
