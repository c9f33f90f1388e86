"""What the knowledge base achieves, and what it should learn next.

- **Deflection** — an answer counts as a deflection only when it is *final*:
  it was answered (`answered` true), the person did not mark it unhelpful, and no ticket on the
  same subject by the same person followed within `WINDOW` (7 days). "Same subject" means any of:
  the question is linked to the ticket (`kb_query.ticket_no`), the ticket's component equals the
  answered article's component, or the ticket's title and description run through the matcher
  give the answered article as the best candidate. A ticket that follows makes the answer a
  failure at once; the absence of a ticket proves nothing until the window has closed, so
  younger answers are reported as `pending` and are left out of the rate. Questions asked
  anonymously (no person) cannot be followed to a ticket: they are `unverified` and also left out.
  `rate` = deflected / (questions − pending − unverified): of the questions whose outcome is
  known, the share the knowledge base settled on its own (unanswered questions count as not
  deflected — the bot had to offer a ticket).
- **Unanswered questions** grouped by similarity (folded, stemmed content words; rapidfuzz
  `token_set_ratio`), so leaders see which articles to write next.
- **Draft from a ticket** — a leader of the ticket's office or a coordinator turns a resolved or
  closed ticket into a draft article (`szkic-t-000042`); drafts are never used for answers. They are
  reviewed, edited, published (under a final id of their own) or discarded in
  `services/kb/drafts.py`. The article remembers its ticket (`source_ticket`), so a ticket makes at
  most one article, whatever id it has by now.
"""

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any, Protocol

from rapidfuzz import fuzz, process

from helpdesk.domain import events as ev
from helpdesk.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from helpdesk.domain.inputs import parse_date
from helpdesk.domain.kb.article import DISCARDED, DRAFT, Article, draft_id
from helpdesk.domain.kb.text import content_words, is_small_talk, stem, tokens
from helpdesk.domain.people import Person
from helpdesk.domain.roles import SEE_ALL_ROLES, Role
from helpdesk.domain.tickets import State, format_ticket_id, parse_ticket_id
from helpdesk.services.kb.matcher import KbAnswer
from helpdesk.services.ports import Clock, Database, KbRepo, Row, TicketRepo

WINDOW = timedelta(days=7)
"""How long after an answer a ticket on the same subject still undoes the deflection."""
SIMILARITY = 75.0
"""rapidfuzz token_set_ratio (0–100) from which two unanswered questions are one topic."""
MAX_EXAMPLES = 3
MAX_SHOWN = 300
MAX_PERIOD_DAYS = 731
DRAFT_ROLES = frozenset({Role.LEADER, Role.COORDINATOR})
REPORT_OFFICE_ROLES = frozenset({Role.LEADER, Role.REPRESENTATIVE})
DRAFT_SECTIONS = ((ev.REPLIED, "Odpowiedź"), (ev.WORKAROUND, "Obejście"), (ev.RESOLVED, "Rozwiązanie"))
NO_OFFICE = "—"

# Per-answer outcomes.
UNANSWERED, UNHELPFUL, TICKET, PENDING, UNVERIFIED, DEFLECTED = (
    "unanswered",
    "unhelpful",
    "ticket",
    "pending",
    "unverified",
    "deflected",
)


def parse_period(date_from: str | None, date_to: str | None, tz: tzinfo) -> tuple[datetime, datetime]:
    """[since, until) for the inclusive dates `date_from`..`date_to` (YYYY-MM-DD) in `tz`."""
    if not date_from or not date_to:
        raise InvalidInput("podaj okres: --from RRRR-MM-DD i --to RRRR-MM-DD (parametry 'from' i 'to')")
    days: list[date] = []
    for name, raw in (("from", date_from), ("to", date_to)):
        days.append(parse_date(raw, name))  # years 1970–9998: the period's end never overflows
    first, last = days
    if last < first:
        raise InvalidInput(f"data końcowa {last} jest wcześniejsza niż początkowa {first}")
    if (last - first).days > MAX_PERIOD_DAYS:
        raise InvalidInput(f"okres raportu może mieć najwyżej {MAX_PERIOD_DAYS} dni")
    return (
        datetime.combine(first, time(0), tzinfo=tz),
        datetime.combine(last + timedelta(days=1), time(0), tzinfo=tz),
    )


def report_scope(person: Person) -> str | None:
    """The office whose questions `person` may see in reports (None: all); Forbidden otherwise."""
    if person.role in SEE_ALL_ROLES:
        return None
    if person.role in REPORT_OFFICE_ROLES and person.jst:
        return person.jst
    raise Forbidden(f"rola '{person.role.value}' nie ma dostępu do raportów bazy wiedzy")


def question_key(text: str) -> str:
    """Sorted, distinct stems of the content words — the form similar questions are compared in."""
    return " ".join(sorted({stem(w) for w in content_words(text)}))


@dataclass
class _Tally:
    questions: int = 0
    answered: int = 0
    helpful: int = 0
    unhelpful: int = 0
    followed_by_ticket: int = 0
    pending: int = 0
    unverified: int = 0
    deflected: int = 0

    def add(self, query: Mapping[str, Any], outcome: str) -> None:
        self.questions += 1
        answered = bool(query["answered"])
        self.answered += answered
        self.helpful += answered and query["helpful"] is True
        self.unhelpful += answered and query["helpful"] is False
        self.followed_by_ticket += outcome == TICKET
        self.pending += outcome == PENDING
        self.unverified += outcome == UNVERIFIED
        self.deflected += outcome == DEFLECTED

    def row(self) -> dict[str, Any]:
        final = self.questions - self.pending - self.unverified
        return {
            "questions": self.questions,
            "answered": self.answered,
            "helpful": self.helpful,
            "unhelpful": self.unhelpful,
            "followed_by_ticket": self.followed_by_ticket,
            "pending": self.pending,
            "unverified": self.unverified,
            "final": final,
            "deflected": self.deflected,
            "rate": round(self.deflected / final, 4) if final else None,
        }


@dataclass
class _Cluster:
    seed: str
    members: list[Mapping[str, Any]] = field(default_factory=list)


class InsightsRepo(KbRepo, TicketRepo, Protocol):
    """What the insights read: questions, articles, and the tickets that followed them."""


class ArticleMatcher(Protocol):
    """The knowledge base's verdict on a text (services.kb.answers.KbService.match)."""

    def match(self, text: str) -> tuple[KbAnswer, dict[str, Article]]:
        """The best article for `text` and the articles by id."""
        ...


class KbInsights:
    """Deflection and unanswered-question reports, and drafts of articles from tickets."""

    def __init__(self, db: Database[InsightsRepo], clock: Clock, kb: ArticleMatcher, tz: tzinfo) -> None:
        self.db = db
        self.clock = clock
        self.kb = kb
        self.tz = tz

    # --- deflection ---------------------------------------------------------------------
    def deflection(
        self, since: datetime, until: datetime, now: datetime | None = None, office: str | None = None
    ) -> dict[str, Any]:
        """Deflection per office and per component for questions asked in [since, until)."""
        _check_aware(since, until)
        now = now or self.clock.now()
        queries, tickets = self.db.read(lambda tx: self._deflection_data(tx, since, until, office))
        by_person: dict[int, list[dict[str, Any]]] = {}
        for t in tickets:
            by_person.setdefault(t["author_id"], []).append(t)
        ticket_article: dict[int, str | None] = {}
        total, offices, components = _Tally(), dict[str, _Tally](), dict[str, _Tally]()
        for q in queries:
            outcome = self.outcome(q, by_person.get(q["person_id"], []), now, ticket_article)
            total.add(q, outcome)
            offices.setdefault(q["office"] or NO_OFFICE, _Tally()).add(q, outcome)
            components.setdefault(q["component"] or NO_OFFICE, _Tally()).add(q, outcome)
        return {
            "from": self._time(since),
            "to": self._time(until),
            "as_of": self._time(now),
            "window_days": WINDOW.days,
            "office": office,
            "total": total.row(),
            "offices": [{"office": k, **v.row()} for k, v in sorted(offices.items())],
            "components": [{"component": k, **v.row()} for k, v in sorted(components.items())],
        }

    def _deflection_data(
        self, tx: InsightsRepo, since: datetime, until: datetime, office: str | None
    ) -> tuple[list[Row], list[Row]]:
        queries = [q for q in tx.kb_queries(since, until) if office is None or q["office"] == office]
        people = {q["person_id"] for q in queries if q["answered"] and q["person_id"] is not None}
        return queries, tx.kb_tickets_of_people(people, since, until + WINDOW + timedelta(seconds=1))

    def outcome(
        self,
        query: Mapping[str, Any],
        tickets: Iterable[Mapping[str, Any]],
        now: datetime,
        cache: dict[int, str | None] | None = None,
    ) -> str:
        """What became of one answer: unanswered, unhelpful, ticket, pending, unverified or deflected."""
        if not query["answered"]:
            return UNANSWERED
        if query["helpful"] is False:
            return UNHELPFUL
        if query["ticket_no"] is not None:
            return TICKET
        cache = {} if cache is None else cache
        at = query["at"]
        for t in tickets:
            if at <= t["created_at"] <= at + WINDOW and self._same_subject(query, t, cache):
                return TICKET
        if query["person_id"] is None:
            return UNVERIFIED
        return PENDING if now < at + WINDOW else DEFLECTED

    def _same_subject(
        self, query: Mapping[str, Any], ticket: Mapping[str, Any], cache: dict[int, str | None]
    ) -> bool:
        if query["component"] and ticket["component"] == query["component"]:
            return True
        no = ticket["no"]
        if no not in cache:
            verdict, _ = self.kb.match(f"{ticket['title']}\n{ticket['description']}")
            best = verdict.article_id if verdict.answered else None
            if best is None and verdict.candidates:
                best = verdict.candidates[0][0]
            cache[no] = best
        return cache[no] is not None and cache[no] == query["article_id"]

    # --- unanswered questions -----------------------------------------------------------
    def unanswered(self, since: datetime, until: datetime, office: str | None = None) -> dict[str, Any]:
        """Questions in [since, until) that got no answer, grouped by similarity, biggest group first."""
        _check_aware(since, until)
        rows = [
            q
            for q in self.db.read(lambda tx: tx.kb_queries(since, until))
            if not q["answered"] and (office is None or q["office"] == office)
        ]
        questions = [q for q in rows if not is_small_talk(q["text"])]
        by_key: dict[str, list[dict[str, Any]]] = {}
        for q in questions:
            by_key.setdefault(question_key(q["text"]), []).append(q)
        clusters: list[_Cluster] = []
        seeds: list[str] = []
        # Most frequent phrasings first, so they become the seeds others are compared with.
        for key, members in sorted(by_key.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            target = self._nearest(key, seeds)
            if target is None:
                clusters.append(_Cluster(seed=key))
                seeds.append(key)
                target = len(clusters) - 1
            clusters[target].members.extend(members)
        groups = [self._group(c) for c in clusters]
        groups.sort(key=lambda g: (-g["count"], g["representative"]))
        return {
            "from": self._time(since),
            "to": self._time(until),
            "office": office,
            "unanswered": len(rows),
            "small_talk": len(rows) - len(questions),
            "groups": groups,
        }

    @staticmethod
    def _nearest(key: str, seeds: list[str]) -> int | None:
        if not key or not seeds:
            return None
        size = len(key.split())
        for _seed, _score, index in process.extract(
            key, seeds, scorer=fuzz.token_set_ratio, score_cutoff=SIMILARITY, limit=5
        ):
            # token_set_ratio gives 100 when one set contains the other: a one-word question
            # ("ezd") would swallow every question that mentions the word, so it must match whole.
            if min(size, len(seeds[index].split())) >= 2 or seeds[index] == key:
                return int(index)
        return None

    def _group(self, cluster: _Cluster) -> dict[str, Any]:
        members = cluster.members
        # Phrasings that differ only in case, diacritics or punctuation count as one; each is
        # shown as first written.
        shown: dict[str, str] = {}
        forms: Counter[str] = Counter()
        for m in sorted(members, key=lambda m: m["at"]):
            form = " ".join(tokens(m["text"]))
            shown.setdefault(form, " ".join(m["text"].split()))
            forms[form] += 1
        ranked = [(shown[f], n) for f, n in sorted(forms.items(), key=lambda kv: (-kv[1], len(kv[0]), kv[0]))]
        offices = Counter(m["office"] or NO_OFFICE for m in members)
        return {
            "representative": ranked[0][0][:MAX_SHOWN],
            "count": len(members),
            "people": len({m["person_id"] for m in members if m["person_id"] is not None}),
            "offices": sorted(offices),
            "by_office": dict(sorted(offices.items())),
            "examples": [t[:MAX_SHOWN] for t, _ in ranked[1 : 1 + MAX_EXAMPLES]],
            "terms": cluster.seed.split(),
            "first_at": self._time(min(m["at"] for m in members)),
            "last_at": self._time(max(m["at"] for m in members)),
        }

    # --- drafts -------------------------------------------------------------------------
    def draft_from_ticket(self, actor: Person, ticket_id: str) -> dict[str, Any]:
        """Store a draft article made of a resolved or closed ticket; returns the draft.

        A draft that already exists is returned as it is (`outcome` "unchanged"), so what reviewers
        have edited is never overwritten; a published or discarded one is a Conflict. The article
        made of the ticket is found by its stored ticket link (it keeps it when it is published under
        another id), or, for articles stored before the link, by the draft id.
        """
        if actor.role not in DRAFT_ROLES:
            raise Forbidden(
                f"rola '{actor.role.value}' nie może tworzyć szkiców artykułów "
                "(mogą liderzy urzędu zgłoszenia i koordynatorzy)"
            )
        no = parse_ticket_id(ticket_id)
        now = self.clock.now()

        def _do(tx: InsightsRepo) -> dict[str, Any]:
            row = tx.ticket(no)
            if row is None or (actor.role is Role.LEADER and row["office"] != actor.jst):
                raise NotFound(f"nie ma zgłoszenia {format_ticket_id(no)}")
            if row["state"] not in (State.RESOLVED.value, State.CLOSED.value):
                raise Conflict(
                    f"szkic artykułu można utworzyć tylko z rozwiązanego lub zamkniętego "
                    f"zgłoszenia ({format_ticket_id(no)} ma stan '{row['state']}')"
                )
            if not row["component"]:
                raise Conflict(f"zgłoszenie {format_ticket_id(no)} nie ma komponentu, a artykuł go wymaga")
            article_id = draft_id(no)
            current = tx.kb_article_of_ticket(no, lock=True) or tx.kb_article(article_id, lock=True)
            if current is not None and current["status"] == DISCARDED:
                raise Conflict(
                    f"szkic '{current['id']}' z tego zgłoszenia został odrzucony; nowego szkicu nie utworzono"
                )
            if current is not None and current["status"] != DRAFT:
                raise Conflict(
                    f"artykuł '{current['id']}' z tego zgłoszenia jest już opublikowany; szkicu nie nadpisano"
                )
            if current is not None:
                # Under review: keep what reviewers have edited (see services/kb/drafts.py).
                return {**current, "outcome": "unchanged", "ticket": format_ticket_id(no)}
            values = {
                "id": article_id,
                "title": row["title"],
                "component": row["component"],
                "tags": [],
                "questions": [row["title"]],
                "body": draft_body(row, tx.events(no)),
            }
            outcome = tx.kb_upsert(values, now, actor.login, status=DRAFT, source_ticket=no)
            stored = tx.kb_article(article_id)
            assert stored is not None  # written just above
            return {**stored, "outcome": outcome, "ticket": format_ticket_id(no)}

        result = self.db.write(_do)
        result["updated_at"] = self._time(result["updated_at"])
        return result

    def _time(self, value: datetime) -> str:
        return value.astimezone(self.tz).isoformat(timespec="seconds")


def draft_body(ticket: Mapping[str, Any], records: Iterable[Mapping[str, Any]]) -> str:
    """Markdown body of a draft: the problem, then replies, workaround and resolution in order."""
    labels = dict(DRAFT_SECTIONS)
    parts = [f"**Problem:** {ticket['description'].strip() or ticket['title']}"]
    for record in records:
        text = str(record.get("text") or "").strip()
        if record["type"] in labels and text:
            parts.append(f"**{labels[record['type']]}:** {text}")
    parts.append(
        f"_Szkic przygotowany na podstawie zgłoszenia {format_ticket_id(ticket['no'])}; "
        "przed publikacją sprawdź treść i dopisz inne sformułowania pytań._"
    )
    return "\n\n".join(parts) + "\n"


def _check_aware(*values: datetime) -> None:
    for value in values:
        if value.tzinfo is None:
            raise InvalidInput("daty raportu muszą mieć strefę czasową")
