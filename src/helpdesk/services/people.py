"""People and offices: the registry, API tokens, web passwords, sessions and Telegram link codes.

Only digests of tokens and codes are stored; the secret is shown once to whoever created it.
"""

import csv
import hashlib
import hmac
import io
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from helpdesk.domain.errors import InvalidInput, NotAuthenticated, NotFound
from helpdesk.domain.offices import Office, make_office
from helpdesk.domain.people import Person, check_new_person, validate_login
from helpdesk.domain.roles import Role, parse_role
from helpdesk.services.ports import Database, PeopleRepo

OFFICE_CSV_HEADER = ["code", "name", "type", "employees", "components", "leaders_max"]
LINK_CODE_TTL = timedelta(hours=24)
SESSION_TTL = timedelta(hours=12)
MAX_CSV_BYTES = 5 * 1024 * 1024


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


class PeopleService:
    """Use cases around people, offices and credentials."""

    def __init__(self, db: Database[PeopleRepo], contractors: Iterable[str]) -> None:
        self.db = db
        self.contractors = set(contractors)

    def import_offices(self, offices: list[Office]) -> tuple[int, int]:
        """Insert or update offices; return (added, updated)."""

        def _do(tx: PeopleRepo) -> tuple[int, int]:
            added = sum(1 for office in offices if tx.upsert_office(office))
            return added, len(offices) - added

        return self.db.write(_do)

    def list_offices(self) -> list[Office]:
        """Every office of the registry."""
        return self.db.read(lambda tx: tx.list_offices())

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
        login = validate_login(login)
        role_ = parse_role(role)
        if not name.strip():
            raise InvalidInput("imię i nazwisko (--name) nie może być puste")
        if email is not None and ("@" not in email or len(email) > 254 or any(c.isspace() for c in email)):
            raise InvalidInput(f"niepoprawny adres e-mail '{email}'")

        def _do(tx: PeopleRepo) -> Person:
            office = tx.get_office(jst) if jst else None
            if jst and office is None:
                raise InvalidInput(f"nieznany urząd '{jst}' (zaimportuj rejestr: helpdesk offices import)")
            check_new_person(
                role_,
                jst,
                contractor,
                tx.count_role_in_office(jst, "leader") if jst else 0,
                tx.count_role_in_office(jst, "representative") if jst else 0,
                office.leaders_max if office else None,
                self.contractors,
            )
            if tx.person_by("login", login) is not None:
                raise InvalidInput(f"login '{login}' jest już zajęty")
            if telegram_id is not None and tx.person_by("telegram_id", telegram_id) is not None:
                raise InvalidInput(f"konto Telegram {telegram_id} jest już powiązane z inną osobą")
            return tx.add_person(
                {
                    "login": login,
                    "name": name.strip(),
                    "role": role_.value,
                    "jst": jst,
                    "contractor": contractor,
                    "email": email.strip().lower() if email else None,
                    "telegram_id": telegram_id,
                    "created_at": now,
                    "active": True,
                }
            )

        return self.db.write(_do)

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
        self.db.write(lambda tx: tx.add_credential(digest(token), "token", person.id, now, None))
        return token

    def set_password(self, login: str, password: str) -> None:
        """Set the web password of `login`."""
        if len(password) < 8:
            raise InvalidInput("hasło musi mieć co najmniej 8 znaków")
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
        """The person behind an API token or web session; NotAuthenticated otherwise."""

        def _do(tx: PeopleRepo) -> Person | None:
            for kind in ("token", "session"):
                found = tx.credential(digest(token), kind)
                if found:
                    person, row = found
                    if row.expires_at is None or row.expires_at > now:
                        return person
            return None

        person = self.db.read(_do)
        if person is None:
            raise NotAuthenticated("nieznany lub wygasły token")
        return person

    def login(self, login: str, password: str, now: datetime) -> tuple[Person, str]:
        """Check a web password; return the person and a new session id."""

        def _do(tx: PeopleRepo) -> tuple[Person, str | None] | None:
            person = tx.person_by("login", login.strip())
            return (person, tx.password_hash(person.id)) if person else None

        found = self.db.read(_do)
        # Hash anyway when the login is unknown, so timing does not reveal which logins exist.
        stored = found[1] if found else hash_password("x", salt=b"0" * 16)
        if not found or not check_password(password, stored):
            raise NotAuthenticated("niepoprawny login lub hasło")
        person = found[0]
        session = secrets.token_urlsafe(32)
        self.db.write(
            lambda tx: tx.add_credential(digest(session), "session", person.id, now, now + SESSION_TTL)
        )
        return person, session

    def logout(self, session: str) -> None:
        """End a web session."""
        self.db.write(lambda tx: tx.drop_credential(digest(session)))

    def link_telegram(self, code: str, telegram_id: int, now: datetime) -> Person:
        """Link a Telegram account with a one-time code; InvalidInput when it is wrong or used."""

        def _do(tx: PeopleRepo) -> Person:
            found = tx.credential(digest(code.strip().upper()), "link")
            if not found:
                raise InvalidInput("nieznany kod")
            person, row = found
            if row.used_at is not None or (row.expires_at and row.expires_at <= now):
                raise InvalidInput("kod wygasł lub został już użyty")
            other = tx.person_by("telegram_id", telegram_id)
            if other is not None and other.id != person.id:
                tx.set_person(other.id, {"telegram_id": None})
            tx.set_person(person.id, {"telegram_id": telegram_id})
            tx.use_credential(row.digest, now)
            linked = tx.person_by_id(person.id)
            assert linked is not None  # the person the code belongs to, just updated
            return linked

        return self.db.write(_do)

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
