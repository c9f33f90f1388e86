"""Learning from tickets: proposals that a coordinator accepts or rejects in the drafts review.

Knowledge moves from the contractor to leaders and from leaders to officials; the questions the
bot could not answer are where it shows. Two kinds of proposal are made on their own:

- **phrasing** — a question the bot could not answer ended in a ticket, and a leader (or agent,
  coordinator) answered it by pointing to an article: a link to ``/kb/<id>`` in a reply, a
  workaround or the resolution (the API's ``article`` field puts that link into the text). The
  question is proposed as a new phrasing of the article.
- **counter_example** — an official marked an answer "Nie pomogło": the question is proposed as a
  counter-example of the article it was answered with.

An official who was not answered, picked one of the "Może chodzi o…" articles and said "Pomogło"
proposes the question as a phrasing of that article too (the same kind, no ticket).

A coordinator (or admin) accepts or rejects each one (web page with the drafts, API, CLI).
Accepted ones take part in matching at once in this process and within seconds in the others
(``KbService`` watches a stamp that counts decisions); the row keeps who proposed and who decided,
and when. Leaders see their own office's proposals.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any, Protocol

from helpdesk.domain import events as ev
from helpdesk.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from helpdesk.domain.kb.article import PUBLISHED
from helpdesk.domain.people import Person
from helpdesk.domain.roles import Role
from helpdesk.domain.tickets import format_ticket_id
from helpdesk.services.ports import Change, Clock, Database, DirectoryRepo, EventRepo, KbRepo

if TYPE_CHECKING:
    from helpdesk.services.kb.answers import KbService

PHRASING, COUNTER_EXAMPLE = "phrasing", "counter_example"
KIND_LABELS_PL = {PHRASING: "nowe sformułowanie pytania", COUNTER_EXAMPLE: "kontrprzykład (nie pomogło)"}
PENDING, ACCEPTED, REJECTED = "pending", "accepted", "rejected"
STATUS_LABELS_PL = {PENDING: "czeka na decyzję", ACCEPTED: "przyjęta", REJECTED: "odrzucona"}
REVIEW_ROLES = frozenset({Role.LEADER, Role.COORDINATOR, Role.ADMIN})
DECIDE_ROLES = frozenset({Role.COORDINATOR, Role.ADMIN})
# Who answers a ticket with an article: the first line, the contractor, the Marshal's Office.
POINTING_ROLES = frozenset({Role.LEADER, Role.AGENT, Role.COORDINATOR, Role.ADMIN, Role.REPRESENTATIVE})
POINTING_EVENTS = frozenset({ev.REPLIED, ev.WORKAROUND, ev.RESOLVED, ev.COMMENTED})
ARTICLE_LINK_RE = re.compile(r"/kb/([a-z0-9][a-z0-9-]{0,127})(?![a-z0-9-])")
MAX_PROPOSAL_TEXT = 2000


def linked_articles(text: str | None) -> list[str]:
    """Article ids linked in a text (``…/kb/konto-reset-hasla``), in order, each once."""
    return list(dict.fromkeys(ARTICLE_LINK_RE.findall(text or "")))


class ProposalsRepo(KbRepo, DirectoryRepo, Protocol):
    """What making proposals needs: the knowledge base and who the people are."""


def propose_from_ticket(
    tx: ProposalsRepo, ticket: Mapping[str, Any], records: Sequence[Mapping[str, Any]], now: datetime
) -> list[int]:
    """Phrasing proposals for the questions that ended in `ticket`, from articles its answers link.

    Runs in the transaction of the change (`learn_from_tickets`), so the proposal and the reply
    that made it commit together.
    """
    pointed: list[tuple[str, str]] = []
    for record in records:
        if record.get("type") not in POINTING_EVENTS:
            continue
        ids = linked_articles(record.get("text"))
        if not ids:
            continue
        actor = tx.person_by("login", record.get("actor")) if record.get("actor") else None
        if actor is None or actor.role not in POINTING_ROLES:
            continue
        pointed += [(aid, actor.login) for aid in ids]
    if not pointed:
        return []
    made: list[int] = []
    queries = tx.kb_queries_of_ticket(int(ticket["no"]))
    for article_id, login in pointed:
        article = tx.kb_article(article_id)
        if article is None or article["status"] != PUBLISHED:
            continue
        for query in queries:
            if query["answered"] and query["article_id"] == article_id:
                continue  # the bot had answered with this very article: nothing new to learn
            pid = tx.kb_propose(
                {
                    "kind": PHRASING,
                    "article_id": article_id,
                    "text": str(query["text"])[:MAX_PROPOSAL_TEXT],
                    "query_id": query["id"],
                    "ticket_no": int(ticket["no"]),
                    "office": query["office"],
                    "proposed_at": now,
                    "proposed_by": login,
                }
            )
            if pid is not None:
                made.append(pid)
    return made


def learn_from_tickets(repo: EventRepo, change: Change) -> int:
    """The event listener that makes phrasing proposals (see `propose_from_ticket`); it queues no notice."""
    propose_from_ticket(repo, change.ticket, change.records, change.at)
    return 0


def propose_counter_example(
    tx: KbRepo, query: Mapping[str, Any], person: Person | None, now: datetime
) -> int | None:
    """A counter-example proposal for an answered question marked "Nie pomogło"; its id or None."""
    if not query["answered"] or not query["article_id"]:
        return None
    made: int | None = tx.kb_propose(
        {
            "kind": COUNTER_EXAMPLE,
            "article_id": query["article_id"],
            "text": str(query["text"])[:MAX_PROPOSAL_TEXT],
            "query_id": query["id"],
            "ticket_no": query["ticket_no"],
            "office": query["office"],
            "proposed_at": now,
            "proposed_by": person.login if person else None,
        }
    )
    return made


def propose_chosen_article(
    tx: KbRepo, query: Mapping[str, Any], article_id: str, person: Person | None, now: datetime
) -> int | None:
    """A phrasing proposal when an official found the answer among the suggestions; its id or None."""
    if query["answered"] and query["article_id"] == article_id:
        return None  # the bot had answered with it: nothing new to learn
    article = tx.kb_article(article_id)
    if article is None or article["status"] != PUBLISHED:
        return None
    made: int | None = tx.kb_propose(
        {
            "kind": PHRASING,
            "article_id": article_id,
            "text": str(query["text"])[:MAX_PROPOSAL_TEXT],
            "query_id": query["id"],
            "ticket_no": query["ticket_no"],
            "office": query["office"],
            "proposed_at": now,
            "proposed_by": person.login if person else None,
        }
    )
    return made


def parse_proposal_id(value: Any) -> int:
    """A proposal id from a path or a command line (a whole number ≥ 1), else InvalidInput."""
    text = str(value).strip()
    if isinstance(value, bool) or not text.isdigit() or not 0 < int(text) < 2**31:
        raise InvalidInput(f"niepoprawny numer propozycji: '{text[:40]}' (oczekiwano liczby całkowitej od 1)")
    return int(text)


class KbProposals:
    """The review of proposals learned from tickets: list, accept, reject."""

    def __init__(self, db: Database[KbRepo], clock: Clock, kb: KbService, tz: tzinfo) -> None:
        self.db = db
        self.clock = clock
        self.kb = kb
        self.tz = tz

    def list(self, actor: Person, status: str | None = PENDING) -> list[dict[str, Any]]:
        """Proposals `actor` may see (leaders: their office's), oldest first; status None: all."""
        self._require(
            actor, REVIEW_ROLES, "przeglądać propozycji z pytań", "liderzy, koordynatorzy i administratorzy"
        )
        if status is not None and status not in STATUS_LABELS_PL:
            raise InvalidInput(
                f"nieznany stan propozycji '{status}' (dozwolone: {', '.join(STATUS_LABELS_PL)})"
            )

        def _do(tx: KbRepo) -> list[dict[str, Any]]:
            titles: dict[str, str | None] = {}
            out = []
            for row in tx.kb_proposals(status):
                if actor.role is Role.LEADER and row["office"] != actor.jst:
                    continue
                if row["article_id"] not in titles:
                    article = tx.kb_article(row["article_id"])
                    titles[row["article_id"]] = article["title"] if article else None
                out.append(self._present(row, titles[row["article_id"]]))
            return out

        result: list[dict[str, Any]] = self.db.read(_do)
        return result

    def count(self, actor: Person) -> int:
        """How many proposals wait for `actor`'s decision (0 for those who decide none)."""
        if actor.role not in DECIDE_ROLES:
            return 0
        return len(self.list(actor))

    def accept(self, actor: Person, proposal_id: Any) -> dict[str, Any]:
        """Accept a pending proposal: it takes part in matching from now on."""
        return self._decide(actor, proposal_id, ACCEPTED)

    def reject(self, actor: Person, proposal_id: Any) -> dict[str, Any]:
        """Reject a pending proposal: it is kept, with who rejected it, and never used."""
        return self._decide(actor, proposal_id, REJECTED)

    def _decide(self, actor: Person, proposal_id: Any, status: str) -> dict[str, Any]:
        verb = "przyjmować" if status == ACCEPTED else "odrzucać"
        self._require(actor, DECIDE_ROLES, f"{verb} propozycji z pytań", "koordynatorzy i administratorzy")
        pid = parse_proposal_id(proposal_id)
        now = self.clock.now()

        def _do(tx: KbRepo) -> dict[str, Any]:
            row = tx.kb_proposal(pid, lock=True)
            if row is None:
                raise NotFound(f"nie ma propozycji nr {pid}")
            if row["status"] != PENDING:
                raise Conflict(
                    f"propozycja nr {pid} jest już {STATUS_LABELS_PL[row['status']]} "
                    f"({row['decided_by']}, {self._time(row['decided_at'])})"
                )
            article = tx.kb_article(row["article_id"])
            if status == ACCEPTED and (article is None or article["status"] != PUBLISHED):
                raise Conflict(
                    f"artykułu '{row['article_id']}' nie ma wśród opublikowanych; propozycję można tylko odrzucić"
                )
            if not tx.kb_decide_proposal(pid, status, now, actor.login):
                raise Conflict(f"propozycję nr {pid} ktoś właśnie rozpatrzył")
            decided = {**row, "status": status, "decided_at": now, "decided_by": actor.login}
            return self._present(decided, article["title"] if article else None)

        result: dict[str, Any] = self.db.write(_do)
        self.kb.invalidate()  # match with it (or without it) right away in this process
        return result

    @staticmethod
    def _require(actor: Person, roles: frozenset[Role], what: str, who: str) -> None:
        if actor.role not in roles:
            raise Forbidden(f"rola '{actor.role.value}' nie może {what} (mogą {who})")

    def _time(self, value: datetime | None) -> str | None:
        return value.astimezone(self.tz).isoformat(timespec="seconds") if value is not None else None

    def _present(self, row: Mapping[str, Any], title: str | None) -> dict[str, Any]:
        return {
            "id": row["id"],
            "kind": row["kind"],
            "kind_label": KIND_LABELS_PL.get(row["kind"], row["kind"]),
            "article_id": row["article_id"],
            "article_title": title,
            "text": row["text"],
            "ticket": format_ticket_id(row["ticket_no"]) if row["ticket_no"] else None,
            "office": row["office"],
            "status": row["status"],
            "status_label": STATUS_LABELS_PL.get(row["status"], row["status"]),
            "proposed_at": self._time(row["proposed_at"]),
            "proposed_by": row["proposed_by"],
            "decided_at": self._time(row["decided_at"]),
            "decided_by": row["decided_by"],
        }
