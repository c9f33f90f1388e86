"""Accounts, throttles and the access log (mixed into tx.Tx): what every worker must see at once.

Throttles live in the database, not in a process, so a limit holds across workers and restarts;
on PostgreSQL the key's row is locked for the read-modify-write, on SQLite the write transaction
already is (`BEGIN IMMEDIATE`). Credentials are looked up with their person in one statement, and
only an active person's credential lets anyone in.
"""

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Select, String, any_, bindparam, delete, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from helpdesk.adapters.db.people_store import credential_from_row, person_from_row
from helpdesk.adapters.db.prepared import PreparedRunner
from helpdesk.adapters.db.tables import AccessLogRow, CredentialRow, PersonRow, ThrottleRow
from helpdesk.domain.people import Person
from helpdesk.domain.throttle import Attempts
from helpdesk.services.ports import Credential, Row

throttle_t = ThrottleRow.__table__  # type: ignore[attr-defined]
access_t = AccessLogRow.__table__  # type: ignore[attr-defined]
_credential_t = CredentialRow.__table__  # type: ignore[attr-defined]
_person_t = PersonRow.__table__  # type: ignore[attr-defined]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_PERSON_COLUMNS = [c.label(f"p_{c.key}") for c in _person_t.c]


_ACTIVE_CREDENTIAL: dict[tuple[str, ...], Select[Any]] = {}
_ACTIVE_CREDENTIALS: dict[tuple[str, ...], Select[Any]] = {}


def _credential_with_person(digest_matches: Any, kinds: tuple[str, ...]) -> Select[Any]:
    """The credentials whose digest matches, of one of `kinds`, joined to their active person."""
    return (
        select(_credential_t, *_PERSON_COLUMNS)
        .join(_person_t, _person_t.c.id == _credential_t.c.person_id)
        .where(
            digest_matches,
            or_(*(_credential_t.c.kind == kind for kind in kinds)),
            _person_t.c.active.is_(True),
        )
    )


def _active_credential_query(kinds: tuple[str, ...]) -> Select[Any]:
    """The credential-with-its-person lookup for `kinds`, built once per set of kinds.

    Every API request runs it, so it goes through the prepared path (adapters/db/prepared.py): one
    statement object per kinds, compiled once. The kinds are plain equalities rather than `IN`,
    whose list SQLAlchemy expands at each execution and the prepared path cannot take.
    """
    query = _ACTIVE_CREDENTIAL.get(kinds)
    if query is None:
        query = _credential_with_person(_credential_t.c.digest == bindparam("digest"), kinds)
        _ACTIVE_CREDENTIAL[kinds] = query
    return query


def _active_credentials_query(kinds: tuple[str, ...]) -> Select[Any]:
    """PostgreSQL: the same lookup for an array of digests (`= ANY`): one statement text whatever
    their number, so the prepared path takes it too."""
    query = _ACTIVE_CREDENTIALS.get(kinds)
    if query is None:
        digests = bindparam("digests", type_=postgresql.ARRAY(String))
        query = _credential_with_person(_credential_t.c.digest == any_(digests), kinds)
        _ACTIVE_CREDENTIALS[kinds] = query
    return query


class _PersonView:
    """A joined row seen through the person columns' names (for person_from_row)."""

    def __init__(self, row: Any) -> None:
        self._row = row

    def __getattr__(self, name: str) -> Any:
        return getattr(self._row, f"p_{name}")


class TrustTxMixin:
    """Credential, throttle and access-log methods of the repository (services.ports.TrustRepo)."""

    conn: Connection
    postgres: bool
    fast: PreparedRunner

    # --- credentials ------------------------------------------------------------------------
    def active_credential(self, digest: str, kinds: tuple[str, ...]) -> tuple[Person, Credential] | None:
        """(person, credential) for a digest of one of `kinds` whose person is active, or None."""
        row = self.fast.first(_active_credential_query(kinds), {"digest": digest})
        if row is None:
            return None
        return person_from_row(_PersonView(row)), credential_from_row(row)

    def active_credentials(
        self, digests: Sequence[str], kinds: tuple[str, ...]
    ) -> dict[str, tuple[Person, Credential]]:
        """`active_credential` for several digests: one statement on PostgreSQL, one each on SQLite."""
        if not self.postgres:
            found = {digest: self.active_credential(digest, kinds) for digest in digests}
            return {digest: pair for digest, pair in found.items() if pair is not None}
        rows = self.fast.all(_active_credentials_query(kinds), {"digests": list(digests)})
        return {row.digest: (person_from_row(_PersonView(row)), credential_from_row(row)) for row in rows}

    def touch_credential(self, digest: str, at: datetime) -> None:
        """Note that a credential let someone in at `at`."""
        self.conn.execute(
            update(_credential_t).where(_credential_t.c.digest == digest).values(last_used_at=at)
        )

    def credentials_of(self, person_id: int, kinds: tuple[str, ...]) -> list[Credential]:
        """A person's credentials of `kinds`, oldest first."""
        rows = self.conn.execute(
            select(_credential_t)
            .where(_credential_t.c.person_id == person_id, _credential_t.c.kind.in_(kinds))
            .order_by(_credential_t.c.created_at, _credential_t.c.digest)
        )
        return [credential_from_row(r) for r in rows]

    def drop_credentials(
        self, person_id: int, kinds: tuple[str, ...], digests: list[str] | None = None
    ) -> int:
        """Delete a person's credentials of `kinds` (only `digests` when given); how many."""
        q = delete(_credential_t).where(
            _credential_t.c.person_id == person_id, _credential_t.c.kind.in_(kinds)
        )
        if digests is not None:
            q = q.where(_credential_t.c.digest.in_(digests))
        return int(self.conn.execute(q).rowcount or 0)

    def any_person(self, login: str) -> Person | None:
        """The person with `login`, active or not."""
        row = self.conn.execute(select(_person_t).where(_person_t.c.login == login.lower())).first()
        return person_from_row(row) if row else None

    def person_active(self, person_id: int) -> bool:
        """Whether the person may still use the help-desk."""
        return bool(self.conn.execute(select(_person_t.c.active).where(_person_t.c.id == person_id)).scalar())

    def set_active(self, person_id: int, active: bool) -> None:
        """Enable or disable a person."""
        self.conn.execute(update(_person_t).where(_person_t.c.id == person_id).values(active=active))

    # --- throttles --------------------------------------------------------------------------
    def throttle_get(self, scope: str, key: str, *, lock: bool = False) -> Attempts | None:
        """The failures of one key, or None; `lock` holds its row to the end of the transaction."""
        if lock:
            dialect = postgresql if self.postgres else sqlite
            self.conn.execute(
                dialect.insert(throttle_t)
                .values(scope=scope, key=key, failures=0, window_start=_EPOCH)
                .on_conflict_do_nothing()
            )
        q = select(throttle_t).where(throttle_t.c.scope == scope, throttle_t.c.key == key)
        if lock and self.postgres:
            q = q.with_for_update()
        row = self.conn.execute(q).first()
        if row is None or (row.failures == 0 and row.blocked_until is None):
            return None
        return Attempts(row.failures, row.window_start, row.blocked_until)

    def throttle_put(self, scope: str, key: str, attempts: Attempts | None) -> None:
        """Store the failures of one key (None clears it)."""
        where = (throttle_t.c.scope == scope, throttle_t.c.key == key)
        if attempts is None:
            self.conn.execute(delete(throttle_t).where(*where))
            return
        values = {
            "failures": attempts.failures,
            "window_start": attempts.window_start,
            "blocked_until": attempts.blocked_until,
        }
        if self.conn.execute(update(throttle_t).where(*where).values(**values)).rowcount == 0:
            self.conn.execute(insert(throttle_t).values(scope=scope, key=key, **values))

    # --- the access log ---------------------------------------------------------------------
    def access_record(self, values: Mapping[str, Any]) -> None:
        """Keep one entry of the access log."""
        self.conn.execute(insert(access_t).values(**values))

    def access_entries(self, since: datetime | None, until: datetime | None) -> list[Row]:
        """Entries of the access log in [since, until), oldest first."""
        q = select(access_t).order_by(access_t.c.id)
        if since is not None:
            q = q.where(access_t.c.at >= since)
        if until is not None:
            q = q.where(access_t.c.at < until)
        return [dict(r._mapping) for r in self.conn.execute(q)]

    def access_of_person(self, person_id: int) -> list[Row]:
        """What one person read (the access log's entries about them as reader)."""
        q = select(access_t).where(access_t.c.person_id == person_id).order_by(access_t.c.id)
        return [dict(r._mapping) for r in self.conn.execute(q)]
