"""Reviewing drafts of knowledge-base articles: list, read, edit, publish, discard.

A leader or a coordinator turns a resolved ticket into a draft (`KbInsights.draft_from_ticket`,
id `szkic-t-000042`). Here the draft is reviewed before anyone is answered with it:

- leaders see and edit the drafts made of their own office's tickets; coordinators and admins
  every draft;
- coordinators and admins **publish** a draft: it becomes an ordinary article, answered from at
  once in this process (`KbService.invalidate`) and within a few seconds in the others (the KB
  stamp changes), and shown at `/kb/{id}`; or they **discard** it: it is kept with its history,
  never answered from, never shown, never listed again;
- every change is a new version in the article's history (who, when, what).

Edits are checked exactly as imported article files are (`make_article`). An edit or a decision
may carry the `version` it was made on; if someone changed the draft since, it is a Conflict, so
two reviewers never overwrite each other unseen.
"""

import json
from collections.abc import Mapping
from datetime import datetime, tzinfo
from typing import Any

from helpdesk.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from helpdesk.domain.kb.article import (
    DISCARDED,
    DRAFT,
    PUBLISHED,
    STATUS_LABELS_PL,
    Article,
    ArticleFieldError,
    draft_ticket_no,
    make_article,
    parse_article_id,
)
from helpdesk.domain.people import Person
from helpdesk.domain.roles import Role
from helpdesk.domain.tickets import format_ticket_id
from helpdesk.services.kb import KbService
from helpdesk.services.ports import Clock

REVIEW_ROLES = frozenset({Role.LEADER, Role.COORDINATOR, Role.ADMIN})
"""Who may list, read and edit drafts (leaders only their office's)."""
DECIDE_ROLES = frozenset({Role.COORDINATOR, Role.ADMIN})
"""Who may publish or discard a draft."""
EDITABLE = ("title", "component", "tags", "questions", "body")
LIST_FIELDS = ("tags", "questions")


def _require(actor: Person, roles: frozenset[Role], what: str, who: str) -> None:
    if actor.role not in roles:
        raise Forbidden(f"rola '{actor.role.value}' nie może {what} (mogą {who})")


def parse_version(value: Any) -> int | None:
    """The optional `version` an edit or decision was made on: None or a whole number ≥ 1."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 2**31:
        raise InvalidInput("pole 'version' musi być numerem wersji szkicu (liczba całkowita od 1)")
    return value


def _article_values(article: Article) -> dict[str, Any]:
    return {"id": article.id, "title": article.title, "component": article.component,
            "tags": list(article.tags), "questions": list(article.questions), "body": article.body}


class KbDrafts:
    """The review of draft articles: who may see, edit, publish and discard which draft."""

    def __init__(self, db: Any, clock: Clock, kb: KbService, tz: tzinfo) -> None:
        self.db = db
        self.clock = clock
        self.kb = kb
        self.tz = tz

    # --- reading ------------------------------------------------------------------------
    def list_drafts(self, actor: Person) -> list[dict[str, Any]]:
        """Drafts waiting for review that `actor` may see, the longest waiting first."""
        _require(actor, REVIEW_ROLES, "przeglądać szkiców artykułów", "liderzy, koordynatorzy i administratorzy")

        def _do(tx: Any) -> list[dict[str, Any]]:
            items = []
            for row in tx.kb_articles(DRAFT):
                office = self._office_of(tx, row["id"])
                if self._may_see(actor, row, office):
                    items.append(self._summary(row, office, tx.kb_history(row["id"])))
            return items
        items: list[dict[str, Any]] = self.db.read(_do)
        items.sort(key=lambda d: (d["drafted_at"] or "", d["id"]))
        return items

    def get(self, actor: Person, article_id: str) -> dict[str, Any]:
        """One draft with its body and history; NotFound for anything that is not a draft `actor` may see."""
        _require(actor, REVIEW_ROLES, "przeglądać szkiców artykułów", "liderzy, koordynatorzy i administratorzy")
        aid = self._id(article_id)

        def _do(tx: Any) -> dict[str, Any]:
            row = tx.kb_article(aid)
            office = self._office_of(tx, aid) if row is not None else None
            if row is None or not self._may_see(actor, row, office):
                raise NotFound(f"nie ma szkicu artykułu '{aid}'")
            if row["status"] != DRAFT:
                raise NotFound(f"'{aid}' nie jest już szkicem (artykuł {STATUS_LABELS_PL.get(row['status'], row['status'])})")
            return self._detail(tx, row, office)
        result: dict[str, Any] = self.db.read(_do)
        return result

    def count(self, actor: Person) -> int:
        """How many drafts `actor` may review (0 for roles that review none)."""
        return len(self.list_drafts(actor)) if actor.role in REVIEW_ROLES else 0

    # --- changing -----------------------------------------------------------------------
    def edit(self, actor: Person, article_id: str, changes: Mapping[str, Any],
             version: int | None = None) -> dict[str, Any]:
        """Change some of title, component, tags, questions, body of a draft; a new version is kept."""
        _require(actor, REVIEW_ROLES, "edytować szkiców artykułów", "liderzy, koordynatorzy i administratorzy")
        aid = self._id(article_id)
        changes = self._changes(changes, required=True)
        version = parse_version(version)

        def _do(tx: Any) -> dict[str, Any]:
            row, office = self._open_draft(tx, actor, aid, version, "edytować")
            article = self._validate({**row, **changes})
            outcome = tx.kb_upsert(_article_values(article), self.clock.now(), actor.login, status=DRAFT)
            return {**self._detail(tx, tx.kb_article(aid), office), "outcome": outcome}
        result: dict[str, Any] = self.db.write(_do)
        return result

    def publish(self, actor: Person, article_id: str, changes: Mapping[str, Any] | None = None,
                version: int | None = None) -> dict[str, Any]:
        """Publish a draft (with last `changes`, if any): it is answered from and shown from now on."""
        _require(actor, DECIDE_ROLES, "publikować szkiców artykułów", "koordynatorzy i administratorzy")
        aid = self._id(article_id)
        changes = self._changes(changes or {}, required=False)
        version = parse_version(version)

        def _do(tx: Any) -> dict[str, Any]:
            row, office = self._open_draft(tx, actor, aid, version, "opublikować")
            try:
                article = make_article({**row, **changes})
            except ArticleFieldError as err:
                if changes:
                    raise InvalidInput(err.named()) from err
                raise Conflict(f"szkicu '{aid}' nie można opublikować: {err.named()}; popraw go najpierw") from err
            outcome = tx.kb_upsert(_article_values(article), self.clock.now(), actor.login, status=PUBLISHED)
            return {**self._detail(tx, tx.kb_article(aid), office), "outcome": outcome}
        result: dict[str, Any] = self.db.write(_do)
        self.kb.invalidate()  # answer from it right away in this process
        return result

    def discard(self, actor: Person, article_id: str, version: int | None = None) -> dict[str, Any]:
        """Discard a draft: kept with its history, never answered from, shown or listed again."""
        _require(actor, DECIDE_ROLES, "odrzucać szkiców artykułów", "koordynatorzy i administratorzy")
        aid = self._id(article_id)
        version = parse_version(version)

        def _do(tx: Any) -> dict[str, Any]:
            row, office = self._open_draft(tx, actor, aid, version, "odrzucić")
            values = {k: row[k] for k in ("id", *EDITABLE)}
            outcome = tx.kb_upsert(values, self.clock.now(), actor.login, status=DISCARDED)
            return {**self._detail(tx, tx.kb_article(aid), office), "outcome": outcome}
        result: dict[str, Any] = self.db.write(_do)
        return result

    # --- helpers ------------------------------------------------------------------------
    @staticmethod
    def _id(article_id: Any) -> str:
        try:
            return parse_article_id(article_id)
        except ArticleFieldError as err:
            raise InvalidInput(f"niepoprawny identyfikator szkicu: {err}") from err

    @staticmethod
    def _changes(changes: Any, *, required: bool) -> dict[str, Any]:
        if not isinstance(changes, Mapping):
            raise InvalidInput("zmiany szkicu muszą być obiektem z polami: " + ", ".join(EDITABLE))
        unknown = sorted(str(k) for k in changes if k not in EDITABLE)
        if unknown:
            raise InvalidInput(f"nieznane pola: {', '.join(unknown)[:200]} (dozwolone: {', '.join(EDITABLE)})")
        if required and not changes:
            raise InvalidInput(f"podaj co najmniej jedno pole do zmiany ({', '.join(EDITABLE)})")
        # Edits come as JSON or a form: texts must be texts (a YAML file may say `title: 2024`, JSON may not).
        for name, value in changes.items():
            if name in LIST_FIELDS:
                if not (value is None or isinstance(value, str)
                        or (isinstance(value, list) and all(isinstance(v, str) for v in value))):
                    raise InvalidInput(f"pole '{name}' musi być listą tekstów")
            elif value is not None and not isinstance(value, str):
                raise InvalidInput(f"pole '{name}' musi być tekstem")
        return dict(changes)

    @staticmethod
    def _validate(values: Mapping[str, Any]) -> Article:
        try:
            return make_article(dict(values))
        except ArticleFieldError as err:
            raise InvalidInput(err.named()) from err

    def _open_draft(self, tx: Any, actor: Person, aid: str, version: int | None,
                    verb: str) -> tuple[dict[str, Any], str | None]:
        """The draft row, locked, after the checks every change shares."""
        row = tx.kb_article(aid, lock=True)
        office = self._office_of(tx, aid) if row is not None else None
        if row is None or not self._may_see(actor, row, office):
            raise NotFound(f"nie ma szkicu artykułu '{aid}'")
        if row["status"] == PUBLISHED:
            raise Conflict(f"artykuł '{aid}' jest już opublikowany, a nie jest szkicem; nie można go {verb} "
                           "jako szkicu")
        if row["status"] == DISCARDED:
            raise Conflict(f"szkic '{aid}' został odrzucony ({self._who_when(row)}); nie można go {verb}")
        if row["status"] != DRAFT:
            raise Conflict(f"artykuł '{aid}' nie jest szkicem (stan '{row['status']}')")
        if version is not None and version != row["version"]:
            raise Conflict(f"szkic '{aid}' zmienił w międzyczasie {row['updated_by'] or 'ktoś inny'} "
                           f"(jest wersja {row['version']}, a zmiany dotyczą wersji {version}); "
                           "odśwież szkic i nanieś zmiany ponownie")
        return row, office

    @staticmethod
    def _office_of(tx: Any, aid: str) -> str | None:
        no = draft_ticket_no(aid)
        ticket = tx.ticket(no) if no is not None else None
        return str(ticket["office"]) if ticket else None

    @staticmethod
    def _may_see(actor: Person, row: Mapping[str, Any], office: str | None) -> bool:
        if actor.role in DECIDE_ROLES or row["status"] == PUBLISHED:
            return True
        return actor.role is Role.LEADER and office is not None and office == actor.jst

    def _time(self, value: datetime | None) -> str | None:
        return value.astimezone(self.tz).isoformat(timespec="seconds") if value is not None else None

    def _who_when(self, row: Mapping[str, Any]) -> str:
        return f"{row['updated_by'] or 'nieznany'}, {self._time(row['updated_at'])}"

    def _drafted(self, history: list[dict[str, Any]]) -> dict[str, Any] | None:
        """The version that opened the current run of draft versions (who drafted it, when)."""
        first = None
        for version in reversed(history):
            if _status_of(version) != DRAFT:
                break
            first = version
        return first

    def _summary(self, row: Mapping[str, Any], office: str | None,
                 history: list[dict[str, Any]]) -> dict[str, Any]:
        drafted = self._drafted(history)
        no = draft_ticket_no(row["id"])
        return {"id": row["id"], "title": row["title"], "component": row["component"],
                "status": row["status"], "status_label": STATUS_LABELS_PL.get(row["status"], row["status"]),
                "version": row["version"],
                "ticket": format_ticket_id(no) if no is not None else None, "office": office,
                "drafted_by": drafted["changed_by"] if drafted else None,
                "drafted_at": self._time(drafted["changed_at"]) if drafted else None,
                "updated_by": row["updated_by"], "updated_at": self._time(row["updated_at"]),
                "questions": list(row["questions"])}

    def _detail(self, tx: Any, row: Mapping[str, Any], office: str | None) -> dict[str, Any]:
        history = tx.kb_history(row["id"])
        url = f"{self.kb.public_url.rstrip('/')}/kb/{row['id']}" if row["status"] == PUBLISHED else None
        return {**self._summary(row, office, history), "tags": list(row["tags"]), "body": row["body"],
                "url": url,
                "history": [{"version": v["version"], "status": _status_of(v),
                             "at": self._time(v["changed_at"]), "by": v["changed_by"]} for v in history]}


def _status_of(version: Mapping[str, Any]) -> str:
    try:
        return str(json.loads(version["data"]).get("status", PUBLISHED))
    except (ValueError, AttributeError):
        return PUBLISHED
