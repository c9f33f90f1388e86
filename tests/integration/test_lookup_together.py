"""Credentials of concurrent requests looked up together (`Database.lookup_together`).

Under a burst every request's token is looked up; on PostgreSQL the callers that arrive while a
lookup is on its way share the next statement instead of taking one each. What must still hold,
and what each case checks: each caller gets its own person (never a neighbour's), an unknown or
revoked token is refused for its caller only, nothing is cached (a token revoked after a lookup is
refused by the next one), a failure of the shared statement reaches every caller of that batch as
the Polish 503 and the next lookup works, and a caller alone waits for nobody. SQLite answers the
same through a plain read.
"""

import threading
from typing import Any

import pytest

from helpdesk.adapters.db.trust_store import TrustTxMixin
from helpdesk.domain.errors import NotAuthenticated, Unavailable
from helpdesk.services.people import digest
from tests.support.world import populate

LOGINS = ["urz.plock", "urz2.plock", "lider.plock", "lider2.plock", "urz.slupno", "lider.slupno"]


class HeldFirstLookup:
    """Wraps `db.lookup`: the first statement waits until `release`; the digests of every
    statement are kept (`batches`)."""

    def __init__(self, db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
        self.batches: list[list[str]] = []
        self.started = threading.Event()
        self.release = threading.Event()
        original = db.lookup

        def lookup(fn: Any) -> Any:
            first = not self.started.is_set()
            self.started.set()
            if first:
                assert self.release.wait(10)
            return original(fn)

        monkeypatch.setattr(db, "lookup", lookup)
        looked_up = TrustTxMixin.active_credentials

        def active_credentials(repo: Any, digests: Any, kinds: Any) -> Any:
            self.batches.append(list(digests))
            return looked_up(repo, digests, kinds)

        monkeypatch.setattr(TrustTxMixin, "active_credentials", active_credentials)


def _in_threads(calls: list[Any]) -> tuple[list[threading.Thread], list[Any]]:
    """Each call started in its own thread; the threads, and where each one's outcome will be."""
    out: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        try:
            out[i] = calls[i]()
        except Exception as err:  # kept to be checked by the test
            out[i] = err

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    return threads, out


def _used_tokens(c: Any, logins: list[str]) -> list[str]:
    """A token of each of `logins` (in the populated world), each used once: its "last used" is
    written now, so the lookups of a test only read."""
    populate(c)
    now = c.clock.now()
    tokens = [c.people.issue_token(login, now) for login in logins]
    for token in tokens:
        c.people.by_token(token, now)
    return tokens


@pytest.mark.postgres
def test_callers_arriving_during_a_lookup_share_the_next_statement_and_each_gets_their_own_person(
    pg_container, monkeypatch
):
    c = pg_container
    now = c.clock.now()
    tokens = dict(zip(LOGINS, _used_tokens(c, LOGINS), strict=True))
    held = HeldFirstLookup(c.db, monkeypatch)

    first_threads, first_out = _in_threads([lambda: c.people.by_token(tokens[LOGINS[0]], now)])
    assert held.started.wait(10)
    rest = [lambda login=login: c.people.by_token(tokens[login], now) for login in LOGINS[1:]]
    rest.append(lambda: c.people.by_token("nieznany-token", now))
    threads, out = _in_threads(rest)
    # The others are queued behind the held statement before it is let go.
    for _ in range(200):
        if len(c.db._together) == 1 and len(next(iter(c.db._together.values()))._pending) == len(rest):
            break
        threading.Event().wait(0.01)
    held.release.set()
    for thread in [*first_threads, *threads]:
        thread.join(10)

    assert [p.login for p in first_out] == [LOGINS[0]]
    assert [p.login for p in out[:-1]] == LOGINS[1:]
    assert isinstance(out[-1], NotAuthenticated)
    assert held.batches[0] == [digest(tokens[LOGINS[0]])]
    assert len(held.batches) == 2  # everyone who came meanwhile: one statement
    assert sorted(held.batches[1]) == sorted(
        [digest(tokens[x]) for x in LOGINS[1:]] + [digest("nieznany-token")]
    )


@pytest.mark.postgres
def test_a_caller_alone_is_answered_by_its_own_statement_and_nothing_is_cached(pg_container):
    c = pg_container
    populate(c)
    now = c.clock.now()
    token = c.people.issue_token("urz.plock", now)
    assert c.people.by_token(token, now).login == "urz.plock"
    assert c.people.revoke_tokens("urz.plock", None) >= 1
    with pytest.raises(NotAuthenticated):
        c.people.by_token(token, now)


@pytest.mark.postgres
def test_a_failed_shared_statement_is_a_503_for_every_caller_of_its_batch_and_the_next_lookup_works(
    pg_container, monkeypatch
):
    c = pg_container
    now = c.clock.now()
    tokens = _used_tokens(c, LOGINS[:3])
    original = c.db.lookup
    failing = {"on": True}

    def lookup(fn: Any) -> Any:
        if failing["on"]:
            raise Unavailable("baza danych jest chwilowo niedostępna; spróbuj ponownie za chwilę")
        return original(fn)

    monkeypatch.setattr(c.db, "lookup", lookup)
    threads, out = _in_threads([lambda t=t: c.people.by_token(t, now) for t in tokens])
    for thread in threads:
        thread.join(10)
    assert all(isinstance(o, Unavailable) for o in out)
    assert "niedostępna" in str(out[0])
    failing["on"] = False
    assert c.people.by_token(tokens[0], now).login == LOGINS[0]


def test_sqlite_answers_the_same_through_a_read(container):
    populate(container)
    now = container.clock.now()
    token = container.people.issue_token("lider.plock", now)
    assert container.people.by_token(token, now).login == "lider.plock"
    assert container.db.lookup_together("no-such-digest", lambda tx, keys: {}) is None
    with pytest.raises(NotAuthenticated):
        container.people.by_token("nieznany-token", now)
