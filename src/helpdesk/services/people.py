"""People and offices: the registry, API tokens, web passwords, sessions and Telegram link codes.

Only digests of tokens and codes are stored; the secret is shown once to whoever created it.
Every credential is looked up with its person on every use, so a disabled person, a revoked token
or an ended session is refused at once by every worker. Tokens expire (HELPDESK_TOKEN_TTL_DAYS);
failed passwords are throttled per login and per client address, failed Telegram link codes per
chat, in the database (domain/throttle.py), so the limits hold across workers.
"""

import csv
import hashlib
import hmac
import io
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from helpdesk.domain.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    TooManyRequests,
)
from helpdesk.domain.offices import Office, make_office
from helpdesk.domain.people import (
    CLI_HINTS,
    NewPerson,
    OfficeHints,
    Person,
    can_block,
    can_manage,
    check_new_person,
    new_person,
    require_manage,
)
from helpdesk.domain.roles import Role, parse_role
from helpdesk.domain.throttle import Limit, after_failure, blocked_for, seconds
from helpdesk.services.ports import Credential, Database, PeopleRepo, TrustRepo

OFFICE_CSV_HEADER = ["code", "name", "type", "employees", "components", "leaders_max"]
LINK_CODE_TTL = timedelta(hours=24)
SESSION_TTL = timedelta(hours=12)
TOKEN_TTL = timedelta(days=365)
TOUCH_EVERY = timedelta(minutes=5)  # "last used" is kept to this precision: one write per token per 5 min
MAX_CSV_BYTES = 5 * 1024 * 1024
LOGIN_SCOPE, ADDRESS_SCOPE, LINK_SCOPE = "login", "address", "tg_link"


@dataclass(frozen=True)
class Throttles:
    """The limits on failed attempts (from the settings)."""

    login: Limit = field(default_factory=lambda: Limit(5, timedelta(minutes=15)))
    address: Limit = field(default_factory=lambda: Limit(30, timedelta(minutes=15)))
    link_code: Limit = field(default_factory=lambda: Limit(5, timedelta(hours=1)))


def _wait_text(wait: timedelta) -> str:
    total = seconds(wait)
    if total < 120:
        return f"{total} s"
    if total < 7200:
        return f"{-(-total // 60)} min"
    return f"{-(-total // 3600)} godz."


def _active_logins(repo: TrustRepo, digests: list[str]) -> dict[str, tuple[Person, Credential]]:
    """The API tokens and web sessions among `digests` whose person is active (`by_token` of
    concurrent requests, looked up together)."""
    return repo.active_credentials(digests, ("token", "session"))


def _let_in(found: tuple[Person, Credential] | None, now: datetime) -> Person | NotAuthenticated:
    """The person a looked-up credential lets in at `now`, or the refusal (unknown, revoked,
    expired, or its person disabled — the lookup finds only active people's credentials)."""
    if found is None or (found[1].expires_at is not None and found[1].expires_at <= now):
        return NotAuthenticated("nieznany, unieważniony lub wygasły token albo sesja")
    return found[0]


def _touch_due(credential: Credential, now: datetime) -> bool:
    """Whether a credential that let someone in is due for its "last used" to be written."""
    return credential.last_used_at is None or now - credential.last_used_at >= TOUCH_EVERY


def _toucher(key: str, now: datetime) -> Callable[[TrustRepo], None]:
    """The unit of work that notes that credential `key` let someone in at `now`."""
    return lambda tx: tx.touch_credential(key, now)


MIN_PASSWORD = 8


def require_password_length(password: str, what: str = "hasło") -> None:
    """InvalidInput, naming `what`, for a password shorter than MIN_PASSWORD characters (the one
    rule every way of setting a password checks: the command line, "Moje konto", a link)."""
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"{what} musi mieć co najmniej {MIN_PASSWORD} znaków")


def digest(secret: str) -> str:
    """SHA-256 hex of a token, session id or link code (what the database keeps)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """scrypt hash in the form scrypt$n$r$p$salt$hash (stdlib only)."""
    salt = salt or secrets.token_bytes(16)
    n, r, p = 2**14, 8, 1
    key = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=32)
    return f"scrypt${n}${r}${p}${salt.hex()}${key.hex()}"


def check_password(password: str, stored: str | None) -> bool:
    """True if `password` matches the stored scrypt hash."""
    if not stored or not stored.startswith("scrypt$"):
        return False
    _, n, r, p, salt, key = stored.split("$")
    candidate = hashlib.scrypt(
        password.encode("utf-8"), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), dklen=32
    )
    return hmac.compare_digest(candidate.hex(), key)


def parse_offices_csv(data: str) -> list[Office]:
    """Parse the JST registry CSV (header OFFICE_CSV_HEADER); errors name the line."""
    if len(data) > MAX_CSV_BYTES:
        raise InvalidInput("plik CSV jest za duży (limit 5 MB)")
    reader = csv.reader(io.StringIO(data.lstrip("\ufeff")))
    header = next(reader, None)
    if header is None:
        raise InvalidInput("plik CSV jest pusty")
    if [h.strip().lower() for h in header] != OFFICE_CSV_HEADER:
        raise InvalidInput(f"linia 1: oczekiwano nagłówka {','.join(OFFICE_CSV_HEADER)}")
    offices: list[Office] = []
    seen: set[str] = set()
    for line_no, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(OFFICE_CSV_HEADER):
            raise InvalidInput(f"linia {line_no}: oczekiwano {len(OFFICE_CSV_HEADER)} pól, jest {len(row)}")
        try:
            office = make_office(*row)
        except InvalidInput as err:
            raise InvalidInput(f"linia {line_no}: {err}") from err
        if office.code in seen:
            raise InvalidInput(f"linia {line_no}: kod {office.code} powtarza się w pliku")
        seen.add(office.code)
        offices.append(office)
    return offices


def check_admission(
    new: NewPerson,
    office: Office | None,
    leaders: int,
    representatives: int,
    contractors: set[str],
    *,
    login_taken: bool,
    telegram_taken: bool,
    hints: OfficeHints = CLI_HINTS,
) -> None:
    """InvalidInput unless `new` may join: its office is known, the office rules hold with the
    office's `leaders` and `representatives` so far, its login and Telegram account are free.
    One check for every way people are added (one by one, or a whole file: services/people_import.py)."""
    if new.jst and office is None:
        raise InvalidInput(f"nieznany urząd '{new.jst}' (zaimportuj rejestr: helpdesk offices import)")
    leaders_max = office.leaders_max if office else None
    check_new_person(
        new.role, new.jst, new.contractor, leaders, representatives, leaders_max, contractors, hints
    )
    if login_taken:
        raise InvalidInput(f"login '{new.login}' jest już zajęty")
    if telegram_taken:
        raise InvalidInput(f"konto Telegram {new.telegram_id} jest już powiązane z inną osobą")


def person_values(new: NewPerson, now: datetime) -> dict[str, Any]:
    """The stored columns of a person registered at `now` (active)."""
    return {
        "login": new.login,
        "name": new.name,
        "role": new.role.value,
        "jst": new.jst,
        "contractor": new.contractor,
        "email": new.email,
        "telegram_id": new.telegram_id,
        "created_at": now,
        "active": True,
    }


@dataclass(frozen=True)
class RosterEntry:
    """One person of an office as its page lists them for someone who manages its people."""

    person: Person
    active: bool
    can_block: bool  # may the viewer block (or unblock) this person


@dataclass(frozen=True)
class OfficeRoster:
    """An office's people for someone who manages them, and the roles that person may add."""

    office: str
    roles: tuple[Role, ...]
    people: list[RosterEntry]


class PeopleService:
    """Use cases around people, offices and credentials."""

    def __init__(
        self,
        db: Database[TrustRepo],
        contractors: Iterable[str],
        *,
        token_ttl: timedelta = TOKEN_TTL,
        throttles: Throttles | None = None,
    ) -> None:
        self.db = db
        self.contractors = set(contractors)
        self.token_ttl = token_ttl
        self.throttles = throttles or Throttles()

    def import_offices(self, offices: list[Office]) -> tuple[int, int]:
        """Insert or update offices; return (added, updated)."""

        def _do(tx: PeopleRepo) -> tuple[int, int]:
            added = sum(1 for office in offices if tx.upsert_office(office))
            return added, len(offices) - added

        return self.db.write(_do)

    def list_offices(self) -> list[Office]:
        """Every office of the registry."""
        return self.db.read(lambda tx: tx.list_offices())

    def all_office_names(self) -> dict[str, str]:
        """Every office's name by its TERYT code (lists and reports naming offices)."""
        return {o.code: o.name for o in self.list_offices()}

    def office_names(self, codes: Iterable[str]) -> dict[str, str]:
        """The names of the offices `codes` (a page shows names, not TERYT codes)."""

        def _do(tx: PeopleRepo) -> dict[str, str]:
            found = {code: tx.get_office(code) for code in set(codes)}
            return {code: o.name for code, o in found.items() if o is not None}

        return self.db.read(_do)

    def names(self, logins: Iterable[str | None]) -> dict[str, str]:
        """The names of the active people `logins` (pages show names, not logins); unknown ones and
        those no longer active are left out, so a page falls back to the login."""

        def _do(tx: PeopleRepo) -> dict[str, str]:
            found = {login: tx.person_by("login", login) for login in {x for x in logins if x}}
            return {login: p.name for login, p in found.items() if p is not None}

        return self.db.read(_do)

    def assignable(self, office: str | None = None) -> list[tuple[str, str, str]]:
        """(login, name, office name) of the active leaders and representatives, of one office or of
        every office, by name: whom the queue's assignee filter suggests. Three reads, not one per
        office as `registry` makes."""

        def _do(tx: PeopleRepo) -> list[tuple[str, str, str]]:
            roles = ("leader", "representative")
            if office is not None:
                found = tx.get_office(office)
                names = {office: found.name} if found is not None else {}
                people = [p for role in roles for p in tx.people_of_office(office, role)]
            else:
                names = {o.code: o.name for o in tx.list_offices()}
                people = [p for role in roles for p in tx.people_by_role(role)]
            return [(p.login, p.name, names.get(p.jst or "", p.jst or "")) for p in people]

        return sorted(self.db.read(_do), key=lambda choice: (choice[1], choice[2]))

    def registry(self) -> list[tuple[Office, list[Person]]]:
        """Every office with its active leaders and representatives (the offices page)."""

        def _do(tx: PeopleRepo) -> list[tuple[Office, list[Person]]]:
            return [
                (o, tx.people_of_office(o.code, "leader") + tx.people_of_office(o.code, "representative"))
                for o in tx.list_offices()
            ]

        return self.db.read(_do)

    def add_person(
        self,
        *,
        login: str,
        name: str,
        role: str,
        now: datetime,
        jst: str | None = None,
        contractor: str | None = None,
        email: str | None = None,
        telegram_id: int | None = None,
    ) -> Person:
        """Register a person after checking the office rules (one representative, 1–3 leaders)."""
        new = new_person(
            login=login,
            name=name,
            role=role,
            jst=jst,
            contractor=contractor,
            email=email,
            telegram_id=telegram_id,
        )
        return self.db.write(lambda tx: self._register(tx, new, now))

    def _register(self, tx: TrustRepo, new: NewPerson, now: datetime) -> Person:
        office = tx.get_office(new.jst) if new.jst else None
        check_admission(
            new,
            office,
            tx.count_role_in_office(new.jst, Role.LEADER.value) if new.jst else 0,
            tx.count_role_in_office(new.jst, Role.REPRESENTATIVE.value) if new.jst else 0,
            self.contractors,
            # Blocked people keep their login: it is taken too.
            login_taken=tx.any_person(new.login) is not None,
            telegram_taken=new.telegram_id is not None
            and tx.person_by("telegram_id", new.telegram_id) is not None,
        )
        return tx.add_person(person_values(new, now))

    def add_office_person(
        self, actor: Person, code: str, *, login: str, name: str, role: str, email: str | None, now: datetime
    ) -> Person:
        """Register a person of office `code` on behalf of `actor` (its representative, a coordinator or
        an admin: domain/people.py `can_manage`); the office rules as `add_person`."""
        new = new_person(login=login, name=name, role=role, jst=code, email=email)
        require_manage(actor, new.role, new.jst)
        return self.db.write(lambda tx: self._register(tx, new, now))

    def office_roster(self, actor: Person, code: str) -> OfficeRoster | None:
        """The people of office `code`, blocked ones too, with what `actor` may do to each and which
        roles they may add; None when `actor` may manage nobody there (the page then offers nothing)."""
        roles = tuple(
            r for r in (Role.OFFICIAL, Role.LEADER, Role.REPRESENTATIVE) if can_manage(actor, r, code)
        )
        if not roles:
            return None
        people = self.list_people(code)
        return OfficeRoster(
            code, roles, [RosterEntry(p, active, can_block(actor, p)) for p, active in people]
        )

    def set_enabled_in_office(self, actor: Person, code: str, login: str, enabled: bool) -> Person:
        """Block or unblock a person of office `code` on behalf of `actor` (`can_block`: never oneself)."""

        def _do(tx: TrustRepo) -> Person:
            person = tx.any_person(login.strip())
            if person is None or person.jst != code:
                raise NotFound(f"w urzędzie {code} nie ma osoby o loginie '{login[:64]}'")
            if person.login == actor.login:
                raise Forbidden("nie można zablokować ani odblokować własnego konta")
            require_manage(actor, person.role, person.jst)
            self._set_active(tx, person, enabled)
            return person

        return self.db.write(_do)

    def managed(self, actor: Person, code: str, login: str) -> Person:
        """The active person `login` of office `code`, if `actor` manages them (`can_manage`):
        NotFound or Forbidden otherwise (whom an invitation may be sent to)."""

        def _do(tx: TrustRepo) -> Person:
            person = tx.person_by("login", login.strip().lower())
            if person is None or person.jst != code:
                raise NotFound(f"w urzędzie {code} nie ma aktywnej osoby o loginie '{login[:64]}'")
            require_manage(actor, person.role, person.jst)
            return person

        return self.db.read(_do)

    def list_people(self, office: str | None = None, role: str | None = None) -> list[tuple[Person, bool]]:
        """Everyone registered, blocked people too, by login, each with whether they may use the
        help-desk; optionally of one office (TERYT code) or one role. An unknown office or role is an
        error, so that a typo is not taken for an empty list."""
        role_value = parse_role(role).value if role is not None else None

        def _do(tx: PeopleRepo) -> list[tuple[Person, bool]]:
            if office is not None and tx.get_office(office) is None:
                raise NotFound(f"nie ma urzędu o kodzie '{office}'")
            return tx.list_people(office, role_value)

        return self.db.read(_do)

    def person(self, login: str) -> Person:
        """The person with `login`, or NotFound."""
        person = self.db.read(lambda tx: tx.person_by("login", login))
        if person is None:
            raise NotFound(f"nie ma osoby o loginie '{login}'")
        return person

    def issue_token(self, login: str, now: datetime) -> str:
        """A new API token for `login` (only its digest is stored)."""
        person = self.person(login)
        token = "hd_" + secrets.token_urlsafe(32)
        expires = now + self.token_ttl
        self.db.write(lambda tx: tx.add_credential(digest(token), "token", person.id, now, expires))
        return token

    def set_password(self, login: str, password: str) -> None:
        """Set the web password of `login`."""
        require_password_length(password)
        person = self.person(login)
        hashed = hash_password(password)
        self.db.write(lambda tx: tx.set_person(person.id, {"password_hash": hashed}))

    def issue_link_code(self, login: str, now: datetime) -> str:
        """A one-time code (24 h) that links a Telegram account via `/start CODE`."""
        person = self.person(login)
        code = secrets.token_hex(4).upper()
        self.db.write(lambda tx: tx.add_credential(digest(code), "link", person.id, now, now + LINK_CODE_TTL))
        return code

    def by_token(self, token: str, now: datetime) -> Person:
        """The active person behind an API token or web session; NotAuthenticated otherwise.

        Looked up on every call (no cache): a revoked token, an ended session or a disabled person
        is refused by the very next request, whichever worker serves it.
        """
        key = digest(token)
        found = self.db.lookup_together(key, _active_logins)
        person = _let_in(found, now)
        if isinstance(person, NotAuthenticated):
            raise person
        if found is not None and _touch_due(found[1], now):
            self.db.write(lambda tx: tx.touch_credential(key, now))
        return person

    def by_tokens(self, tokens: Sequence[str], now: datetime) -> list[Person | NotAuthenticated]:
        """`by_token` for the requests of a batch at once: one statement for all their tokens,
        each answered with its person or the refusal it alone gets (nothing cached either)."""
        keys = [digest(token) for token in tokens]
        unique = list(dict.fromkeys(keys))
        found = self.db.lookup(lambda tx: _active_logins(tx, unique))
        let_in = {key: _let_in(found.get(key), now) for key in unique}
        stale = [key for key in unique if isinstance(let_in[key], Person) and _touch_due(found[key][1], now)]
        # One unit of work per credential, as `by_token` writes it: a unit that updates one row
        # cannot be caught in a deadlock of its own when it is run again alone (store.py).
        for touched in self.db.write_each([_toucher(key, now) for key in stale]):
            if isinstance(touched, Exception):
                raise touched
        return [let_in[key] for key in keys]

    def login(
        self, login: str, password: str, now: datetime, *, address: str = "", old_session: str | None = None
    ) -> tuple[Person, str]:
        """Check a web password; return the person and a new session id (the old one, if any, ends).

        TooManyRequests while the login or the client address is throttled (the password is then
        not even checked); each failure counts against both.
        """
        person, name = self._verified(login, password, now, address)
        session = secrets.token_urlsafe(32)

        def _start(tx: TrustRepo) -> None:
            tx.throttle_put(LOGIN_SCOPE, name, None)
            if old_session:
                tx.drop_credential(digest(old_session))
            tx.add_credential(digest(session), "session", person.id, now, now + SESSION_TTL)

        self.db.write(_start)
        return person, session

    def change_password(self, login: str, current: str, new: str, now: datetime, *, address: str = "") -> str:
        """A person's own change of their web password: the current one is checked like a login
        (throttled, failures counted); every session of theirs ends and the new session id for the
        browser that asked is returned. InvalidInput for a new password too short or the same."""
        require_password_length(new, "nowe hasło")
        if new == current:
            raise InvalidInput("nowe hasło musi różnić się od obecnego")
        person, name = self._verified(login, current, now, address)
        hashed = hash_password(new)
        session = secrets.token_urlsafe(32)

        def _do(tx: TrustRepo) -> None:
            tx.throttle_put(LOGIN_SCOPE, name, None)
            tx.set_person(person.id, {"password_hash": hashed})
            # Whoever else knew the old password is signed out everywhere, at once.
            tx.drop_credentials(person.id, ("session",))
            tx.add_credential(digest(session), "session", person.id, now, now + SESSION_TTL)

        self.db.write(_do)
        return session

    def _verified(self, login: str, password: str, now: datetime, address: str) -> tuple[Person, str]:
        """The person whose password this is and the login's throttle key (the caller clears it in
        its own write); NotAuthenticated (a failure counted against the login and the address) or
        TooManyRequests (while either is blocked) otherwise."""
        name = login.strip().lower()[:64]
        keys = [(LOGIN_SCOPE, name, self.throttles.login)]
        if address:
            keys.append((ADDRESS_SCOPE, address[:255], self.throttles.address))

        def _check(tx: TrustRepo) -> tuple[Person, str | None] | None:
            for scope, key, _limit in keys:
                wait = blocked_for(tx.throttle_get(scope, key), now)
                if wait is not None:
                    raise TooManyRequests(
                        f"Zbyt wiele nieudanych prób logowania. Spróbuj ponownie za {_wait_text(wait)}.",
                        seconds(wait),
                    )
            person = tx.person_by("login", name)
            return (person, tx.password_hash(person.id)) if person else None

        found = self.db.read(_check)
        # Hash anyway when the login is unknown, so timing does not reveal which logins exist.
        stored = found[1] if found else hash_password("x", salt=b"0" * 16)
        if not check_password(password, stored) or not found:
            self.db.write(lambda tx: self._failed(tx, keys, now))
            raise NotAuthenticated("niepoprawny login lub hasło")
        return found[0], name

    @staticmethod
    def _failed(tx: TrustRepo, keys: list[tuple[str, str, Limit]], now: datetime) -> None:
        for scope, key, limit in keys:
            tx.throttle_put(scope, key, after_failure(tx.throttle_get(scope, key, lock=True), limit, now))

    def logout(self, session: str) -> None:
        """End a web session (at once, for every worker)."""
        self.db.write(lambda tx: tx.drop_credential(digest(session)))

    # --- accounts -------------------------------------------------------------------------
    def _anyone(self, tx: TrustRepo, login: str) -> Person:
        person = tx.any_person(login.strip())
        if person is None:
            raise NotFound(f"nie ma osoby o loginie '{login}'")
        return person

    def set_enabled(self, login: str, enabled: bool) -> tuple[Person, int]:
        """Enable or disable a person; disabling ends their web sessions. Returns (person, sessions ended)."""

        def _do(tx: TrustRepo) -> tuple[Person, int]:
            person = self._anyone(tx, login)
            return person, self._set_active(tx, person, enabled)

        return self.db.write(_do)

    @staticmethod
    def _set_active(tx: TrustRepo, person: Person, enabled: bool) -> int:
        """Enable or disable `person`; disabling ends their web sessions (how many ended)."""
        tx.set_active(person.id, enabled)
        return 0 if enabled else tx.drop_credentials(person.id, ("session",))

    def is_enabled(self, login: str) -> bool:
        """Whether the person with `login` may use the help-desk."""
        return self.db.read(lambda tx: tx.person_active(self._anyone(tx, login).id))

    def tokens(self, login: str) -> list[Credential]:
        """A person's API tokens (digests only), oldest first."""
        return self.db.read(lambda tx: tx.credentials_of(self._anyone(tx, login).id, ("token",)))

    def revoke_tokens(self, login: str, token_id: str | None) -> int:
        """Revoke one token (by its id, a prefix of its digest) or, with None, all of them; how many."""

        def _do(tx: TrustRepo) -> int:
            person = self._anyone(tx, login)
            if token_id is None:
                return tx.drop_credentials(person.id, ("token",))
            wanted = token_id.strip().lower()
            if len(wanted) < 6 or not all(c in "0123456789abcdef" for c in wanted):
                raise InvalidInput(
                    f"niepoprawny identyfikator tokenu '{token_id[:40]}' (co najmniej 6 znaków z listy)"
                )
            matches = [
                c.digest for c in tx.credentials_of(person.id, ("token",)) if c.digest.startswith(wanted)
            ]
            if not matches:
                raise NotFound(f"{person.login} nie ma tokenu o identyfikatorze '{wanted}'")
            if len(matches) > 1:
                raise Conflict(f"identyfikator '{wanted}' pasuje do {len(matches)} tokenów; podaj dłuższy")
            return tx.drop_credentials(person.id, ("token",), matches)

        return self.db.write(_do)

    def link_telegram(self, code: str, telegram_id: int, now: datetime, *, chat: int | None = None) -> Person:
        """Link a Telegram account with a one-time code; InvalidInput when it is wrong or used.

        Failed codes are throttled per chat (TooManyRequests while blocked; the code is then not
        even looked at).
        """
        key = str(chat if chat is not None else telegram_id)
        limit = self.throttles.link_code
        wait = blocked_for(self.db.read(lambda tx: tx.throttle_get(LINK_SCOPE, key)), now)
        if wait is not None:
            raise TooManyRequests(
                f"Zbyt wiele błędnych kodów. Spróbuj ponownie za {_wait_text(wait)}.", seconds(wait)
            )

        def _fail(reason: str) -> InvalidInput:
            def _count(tx: TrustRepo) -> None:
                tx.throttle_put(
                    LINK_SCOPE, key, after_failure(tx.throttle_get(LINK_SCOPE, key, lock=True), limit, now)
                )

            self.db.write(_count)
            return InvalidInput(reason)

        def _do(tx: TrustRepo) -> Person | str:
            found = tx.credential(digest(code.strip().upper()), "link")
            if not found:
                return "nieznany kod"
            person, row = found
            if row.used_at is not None or (row.expires_at and row.expires_at <= now):
                return "kod wygasł lub został już użyty"
            other = tx.person_by("telegram_id", telegram_id)
            if other is not None and other.id != person.id:
                tx.set_person(other.id, {"telegram_id": None})
            tx.set_person(person.id, {"telegram_id": telegram_id})
            tx.use_credential(row.digest, now)
            tx.throttle_put(LINK_SCOPE, key, None)
            linked = tx.person_by_id(person.id)
            assert linked is not None  # the person the code belongs to, just updated
            return linked

        result = self.db.write(_do)
        if isinstance(result, str):
            raise _fail(result)
        return result

    def unlink_telegram(self, telegram_id: int) -> bool:
        """Forget the Telegram link of whoever has `telegram_id`."""

        def _do(tx: PeopleRepo) -> bool:
            person = tx.person_by("telegram_id", telegram_id)
            if person is None:
                return False
            tx.set_person(person.id, {"telegram_id": None})
            return True

        return self.db.write(_do)

    def find(self, *, email: str | None = None, telegram_id: int | None = None) -> Person | None:
        """The active person with this e-mail or Telegram id."""
        if email is not None:
            address = email.strip()
            return self.db.read(lambda tx: tx.person_by("email", address))
        if telegram_id is not None:
            return self.db.read(lambda tx: tx.person_by("telegram_id", telegram_id))
        return None


def role_of(person: Person) -> Role:
    """The person's role (helper for templates)."""
    return person.role
