"""Knowledge-base use cases: import articles (with history), answer questions, record feedback.

The matcher index is rebuilt when the articles change: at once in the process that changed them
(`invalidate`), and in other processes through a cheap stamp (article count, sum of versions and
newest change) checked at most every few seconds. Only published articles are indexed or shown;
drafts and discarded drafts never are.
"""

import threading
import time
from collections.abc import Iterable
from typing import Any, Protocol

from helpdesk.domain.errors import InvalidInput, NotFound, TooLarge
from helpdesk.domain.kb.article import Article
from helpdesk.domain.people import Person
from helpdesk.services.kb.matcher import KbAnswer, KbMatcher, to_spec_json
from helpdesk.services.ports import Clock, Database, KbRepo

MAX_QUESTION = 20_000
STAMP_CHECK_SECONDS = 5.0


def article_from_row(row: dict[str, Any]) -> Article:
    """Domain Article from a stored row."""
    return Article(
        id=row["id"],
        title=row["title"],
        component=row["component"],
        tags=tuple(row["tags"]),
        questions=tuple(row["questions"]),
        body=row["body"],
    )


class KbSettings(Protocol):
    """What the knowledge base needs to know of the settings."""

    @property
    def public_url(self) -> str:
        """Where people open articles (`{public_url}/kb/{id}`)."""
        ...


class KbService:
    """Import, answer and feedback over the stored articles."""

    def __init__(self, db: Database[KbRepo], clock: Clock, settings: KbSettings) -> None:
        self.db = db
        self.clock = clock
        self.public_url = str(settings.public_url)
        self._lock = threading.Lock()
        self._matcher: KbMatcher | None = None
        self._articles: dict[str, Article] = {}
        self._stamp: tuple[int, int, str] | None = None
        self._checked = 0.0

    # --- articles -----------------------------------------------------------------------
    def import_articles(self, articles: Iterable[Article], actor: str | None = None) -> dict[str, int]:
        """Insert or update articles by id (history kept); returns counts added/updated/unchanged."""
        now = self.clock.now()
        items = list(articles)

        def _do(tx: KbRepo) -> dict[str, int]:
            counts = {"added": 0, "updated": 0, "unchanged": 0}
            for a in items:
                outcome = tx.kb_upsert(
                    {
                        "id": a.id,
                        "title": a.title,
                        "component": a.component,
                        "tags": a.tags,
                        "questions": a.questions,
                        "body": a.body,
                    },
                    now,
                    actor,
                )
                counts[outcome] += 1
            return counts

        counts = self.db.write(_do)
        self.invalidate()
        return counts

    def article(self, article_id: str) -> Article:
        """One published article, or NotFound."""
        row = self.db.read(lambda tx: tx.kb_article(article_id))
        if row is None or row["status"] != "published":
            raise NotFound(f"nie ma artykułu '{article_id}'")
        return article_from_row(row)

    def invalidate(self) -> None:
        """Forget the index: the next question rebuilds it from the stored articles (call after a change)."""
        with self._lock:
            self._matcher, self._stamp, self._checked = None, None, 0.0

    def matcher(self) -> tuple[KbMatcher, dict[str, Article]]:
        """The current index (rebuilt if the stored articles changed)."""
        now = time.monotonic()
        with self._lock:
            if self._matcher is not None and now - self._checked < STAMP_CHECK_SECONDS:
                return self._matcher, self._articles
        stamp = self.db.read(lambda tx: tx.kb_stamp())
        with self._lock:
            if self._matcher is None or stamp != self._stamp:
                rows = self.db.read(lambda tx: tx.kb_articles())
                articles = [article_from_row(r) for r in rows]
                self._matcher = KbMatcher(articles)
                self._articles = {a.id: a for a in articles}
                self._stamp = stamp
            self._checked = now
            return self._matcher, self._articles

    # --- answering ----------------------------------------------------------------------
    def match(self, text: str) -> tuple[KbAnswer, dict[str, Article]]:
        """The raw matcher verdict for `text`."""
        if not isinstance(text, str):
            raise InvalidInput("pole 'text' musi być tekstem")
        if len(text) > MAX_QUESTION:
            raise TooLarge(f"pytanie jest za długie (limit {MAX_QUESTION} znaków)")
        matcher, articles = self.matcher()
        return matcher.answer(text), articles

    def answer(
        self, text: str, person: Person | None = None, channel: str = "api", record: bool = True
    ) -> dict[str, Any]:
        """The answer as the API gives it (matcher.to_spec_json); when `record`, the question is stored (id in `query_id`) for feedback."""
        verdict, articles = self.match(text)
        result = to_spec_json(verdict, articles, self.public_url)
        if record:
            article = articles.get(verdict.article_id or "") if verdict.answered else None
            values = {
                "at": self.clock.now(),
                "person_id": person.id if person else None,
                "office": person.jst if person else None,
                "channel": channel,
                "text": text[:2000],
                "answered": bool(result["answered"]),
                "article_id": article.id if article else None,
                "component": article.component if article else None,
                "score": float(result["score"]),
            }
            result["query_id"] = self.db.write(lambda tx: tx.kb_record_query(values))
        return result

    def feedback(self, query_id: int, helpful: bool, person: Person | None = None) -> None:
        """Record whether an answer helped."""
        ok = self.db.write(lambda tx: tx.kb_feedback(query_id, helpful, person.id if person else None))
        if not ok:
            raise NotFound(f"nie ma pytania nr {query_id}")

    def link_ticket(self, query_id: int, ticket_no: int) -> None:
        """Remember that a question ended in a ticket."""
        self.db.write(lambda tx: tx.kb_link_ticket(query_id, ticket_no))
