"""Knowledge-base use cases: import articles (with history), answer questions, record feedback.

The matcher index follows changes to the articles and the accepted proposals: in the process that
made them at once and incrementally (`refresh`: only the changed articles are indexed again, in a
small second segment, until there are too many of them), and in other processes through a cheap
stamp (article count, sum of versions, newest change, decided proposals) checked at most every few
seconds, which rebuilds the whole index. Only
published articles are indexed or shown; drafts and discarded drafts never are. Accepted proposals
learned from tickets (``helpdesk.services.kb.proposals``) take part: new phrasings and
counter-examples. Words are analysed by the morphology the composition root hands in.
"""

import threading
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

from helpdesk.domain.errors import InvalidInput, NotFound, TooLarge
from helpdesk.domain.kb.article import Article
from helpdesk.domain.people import Person
from helpdesk.services.kb.matcher import KbAnswer, KbMatcher, Learned, to_spec_json
from helpdesk.services.kb.memory import build_here, build_in_child
from helpdesk.services.kb.morphology import Morphology
from helpdesk.services.kb.proposals import (
    ACCEPTED,
    COUNTER_EXAMPLE,
    PHRASING,
    propose_chosen_article,
    propose_counter_example,
)
from helpdesk.services.ports import Clock, Database, KbRepo

MAX_QUESTION = 20_000
STAMP_CHECK_SECONDS = 5.0
# Articles changed since the index was built are indexed again in a small second segment
# (KbMatcher.updated); past this many (or this share of the index) the whole index is rebuilt.
OVERLAY_MIN = 50
OVERLAY_SHARE = 0.05
# A whole index of this many articles or more is built in a child process, which keeps the build's
# garbage out of the server (helpdesk.services.kb.memory); smaller ones are built here, quicker.
CHILD_BUILD_MIN = 2_000
# The articles are kept beside the index as summaries (Article.summary): title, component and the
# start of the body, enough for the bot's excerpts of 300 characters with a little to spare (an
# excerpt makes the kept text plain once more, which may drop a space at its end); whole bodies
# stay stored.
SUMMARY_CHARS = 320


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

    def __init__(
        self,
        db: Database[KbRepo],
        clock: Clock,
        settings: KbSettings,
        *,
        morphology: Morphology,
        morphology_factory: Callable[[], Morphology] | None = None,
        child_build_min: int = CHILD_BUILD_MIN,
    ) -> None:
        """`morphology_factory` (a module-level function, so that a child process can call it)
        lets indexes of `child_build_min` articles or more be built in a child process."""
        self.db = db
        self.morphology = morphology
        self.morphology_factory = morphology_factory
        self.child_build_min = child_build_min
        self.clock = clock
        self.public_url = str(settings.public_url)
        self._lock = threading.Lock()
        self._build_lock = threading.Lock()  # one index build at a time
        self._matcher: KbMatcher | None = None
        self._articles: dict[str, Article] = {}
        self._titles: list[tuple[str, str]] | None = None  # the articles by title, for this index
        self._stamp: tuple[int, int, str, int] | None = None
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
        self.refresh(a.id for a in items)
        return counts

    def article(self, article_id: str) -> Article:
        """One published article, or NotFound."""
        row = self.db.read(lambda tx: tx.kb_article(article_id))
        if row is None or row["status"] != "published":
            raise NotFound(f"nie ma artykułu '{article_id}'")
        return article_from_row(row)

    def history(self, article_id: str) -> list[dict[str, Any]]:
        """The versions of an article, oldest first: number, when and by whom (no contents)."""
        rows = self.db.read(lambda tx: tx.kb_history(article_id))
        return [{"version": r["version"], "at": r["changed_at"], "by": r["changed_by"]} for r in rows]

    def with_article_link(self, text: Any, article_id: Any) -> str:
        """`text` with a link to a published article appended (an answer that points to it)."""
        if not isinstance(article_id, str) or not article_id.strip():
            raise InvalidInput("pole 'article' musi być identyfikatorem artykułu")
        if text is not None and not isinstance(text, str):
            raise InvalidInput("pole 'text' musi być tekstem")
        try:
            article = self.article(article_id.strip())
        except NotFound as err:
            raise InvalidInput(f"nie ma opublikowanego artykułu '{article_id.strip()[:128]}'") from err
        link = f"Artykuł w bazie wiedzy: {article.title} — {self.public_url.rstrip('/')}/kb/{article.id}"
        return f"{text.rstrip()}\n\n{link}" if text and text.strip() else link

    def invalidate(self) -> None:
        """Forget the index: the next question rebuilds it from the stored articles."""
        with self._lock:
            self._matcher, self._stamp, self._checked = None, None, 0.0

    def refresh(self, article_ids: Iterable[str]) -> None:
        """Bring the index up to date after a change made in this process to these articles (added,
        edited, published, renamed, unpublished, or a proposal about them decided): only they are
        indexed again, at once. A change too big for that forgets the index (the next question
        rebuilds it); with no index yet there is nothing to do."""
        ids = list(dict.fromkeys(article_ids))
        with self._lock:
            current = self._matcher
        if current is None:
            return
        if current.overlay_size + len(ids) > max(OVERLAY_MIN, OVERLAY_SHARE * len(current)):
            self.invalidate()
            return
        with self._build_lock:
            # The stamp is read first: a change made meanwhile by another process makes it stale,
            # and the next stamp check rebuilds.
            stamp, rows, accepted = self.db.read(
                lambda tx: (tx.kb_stamp(), [tx.kb_article(i) for i in ids], tx.kb_proposals(ACCEPTED))
            )
            with self._lock:
                current, articles = self._matcher, dict(self._articles)
            if current is None:
                return
            changed = [article_from_row(r) for r in rows if r is not None and r["status"] == "published"]
            removed = [i for i, r in zip(ids, rows, strict=True) if r is None or r["status"] != "published"]
            built = current.updated(changed, removed, learned_from(accepted))
            for aid in removed:
                articles.pop(aid, None)
            articles.update((a.id, a.summary(SUMMARY_CHARS)) for a in changed)
            with self._lock:
                self._matcher, self._articles, self._titles = built, articles, None
                self._stamp, self._checked = stamp, time.monotonic()

    def matcher(self) -> tuple[KbMatcher, dict[str, Article]]:
        """The current index (rebuilt if the stored articles or accepted proposals changed) and the
        published articles by id, as summaries (title, component, the start of the body).

        A change seen through the stamp (made by another process) is rebuilt by one thread while
        the others go on answering from the index they have: with morphology a big KB takes
        seconds to index, and officials should not wait for it. After `invalidate` (a change made
        here) there is no old index, so the next question waits for the new one.
        """
        now = time.monotonic()
        with self._lock:
            old, old_articles = self._matcher, self._articles
            if old is not None and now - self._checked < STAMP_CHECK_SECONDS:
                return old, old_articles
        stamp = self.db.read(lambda tx: tx.kb_stamp())
        with self._lock:
            if self._matcher is not None and stamp == self._stamp:
                self._checked = now
                return self._matcher, self._articles
        if old is not None and not self._build_lock.acquire(blocking=False):
            return old, old_articles  # another thread is rebuilding: answer from the old index
        if old is None:
            self._build_lock.acquire()
        try:
            with self._lock:  # built by another thread while this one waited?
                if self._matcher is not None and stamp == self._stamp:
                    return self._matcher, self._articles
            rows, accepted = self.db.read(lambda tx: (tx.kb_articles(), tx.kb_proposals(ACCEPTED)))
            articles = [article_from_row(r) for r in rows]
            del rows
            built = self._build(articles, learned_from(accepted))
            by_id = {a.id: a.summary(SUMMARY_CHARS) for a in articles}
            del articles
            with self._lock:
                self._matcher, self._articles, self._stamp, self._checked = built, by_id, stamp, now
                self._titles = None
            return built, by_id
        finally:
            self._build_lock.release()

    def _build(self, articles: list[Article], learned: Learned) -> KbMatcher:
        """A whole new index: a big one in a child process (memory), a small one here (speed)."""
        if self.morphology_factory is not None and len(articles) >= self.child_build_min:
            return build_in_child(articles, learned, self.morphology, self.morphology_factory)
        return build_here(articles, learned, self.morphology)

    # --- answering ----------------------------------------------------------------------
    def match(self, text: str) -> tuple[KbAnswer, dict[str, Article]]:
        """The raw matcher verdict for `text`."""
        if not isinstance(text, str):
            raise InvalidInput("pole 'text' musi być tekstem")
        if len(text) > MAX_QUESTION:
            raise TooLarge(f"pytanie jest za długie (limit {MAX_QUESTION} znaków)")
        matcher, articles = self.matcher()
        return matcher.answer(text), articles

    def pointers(self, text: str, limit: int = 5) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        """What a leader may point a ticket to: (the articles closest to its text, best first,
        whatever the confidence; every published article by title), each as (id, title)."""
        verdict, articles = self.match(text[:MAX_QUESTION])
        ranked = [aid for aid, _score in verdict.candidates if aid in articles]
        closest = [(aid, articles[aid].title) for aid in ranked[:limit]]
        return closest, self._by_title(articles)

    def _by_title(self, articles: dict[str, Article]) -> list[tuple[str, str]]:
        """Every article as (id, title) by title: sorted once per index (not on every ticket page),
        and kept only for the index in use (an older one, still answering a thread, is not kept)."""
        with self._lock:
            if articles is self._articles and self._titles is not None:
                return self._titles
        ordered = sorted(((a.id, a.title) for a in articles.values()), key=lambda pair: pair[1].lower())
        with self._lock:
            if articles is self._articles:
                self._titles = ordered
        return ordered

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
        """Record whether an answer helped; "Nie pomogło" on an answer proposes a counter-example."""
        now = self.clock.now()

        def _do(tx: KbRepo) -> bool:
            if not tx.kb_feedback(query_id, helpful, person.id if person else None):
                return False
            if not helpful:
                query = tx.kb_query(query_id)
                if query is not None:
                    propose_counter_example(tx, query, person, now)
            return True

        if not self.db.write(_do):
            raise NotFound(f"nie ma pytania nr {query_id}")

    def chosen(self, query_id: int, article_id: str, person: Person | None = None) -> None:
        """An official found the answer to question `query_id` in a suggested article ("Pomogło"):
        the question is proposed as a phrasing of it."""
        now = self.clock.now()

        def _do(tx: KbRepo) -> None:
            query = tx.kb_query(query_id)
            if query is not None and (person is None or query["person_id"] in (None, person.id)):
                propose_chosen_article(tx, query, article_id, person, now)

        self.db.write(_do)

    def link_ticket(self, query_id: int, ticket_no: int) -> None:
        """Remember that a question ended in a ticket."""
        self.db.write(lambda tx: tx.kb_link_ticket(query_id, ticket_no))


def learned_from(accepted: Iterable[Mapping[str, Any]]) -> Learned:
    """Accepted proposals as the matcher takes them: phrasings and counter-examples per article."""
    phrasings: dict[str, list[str]] = {}
    counter: dict[str, list[str]] = {}
    for row in accepted:
        target = phrasings if row["kind"] == PHRASING else counter if row["kind"] == COUNTER_EXAMPLE else None
        if target is not None:
            target.setdefault(row["article_id"], []).append(str(row["text"]))
    return Learned(
        phrasings={k: tuple(v) for k, v in phrasings.items()},
        counter_examples={k: tuple(v) for k, v in counter.items()},
    )
