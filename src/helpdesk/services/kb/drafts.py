"""Reviewing drafts of knowledge-base articles: list, read, edit, publish, discard.

A leader or a coordinator turns a resolved ticket into a draft (`KbInsights.draft_from_ticket`,
id `szkic-t-000042`). Here the draft is reviewed before anyone is answered with it:

- leaders see and edit the drafts made of their own office's tickets; coordinators and admins
  every draft;
- coordinators and admins **publish** a draft: it becomes an ordinary article under its final id,
  answered from at once in this process (`KbService.refresh`) and within a few seconds in the
  others (the KB stamp changes), and shown at `/kb/{id}`; or they **discard** it: it is kept with
  its history, never answered from, never shown, never listed again;
- every change is a new version in the article's history (who, when, what).

The final id: the one the publisher gives (the rules of imported articles, not `szkic-t-…`, not
taken by any article of any status → Conflict naming it), or else `<component>-<slug of the title>`
made unique with -2, -3 … (`suggested_id` of a draft says which it would be now). The draft row and
its whole history move to the new id in the publishing transaction; the ticket link
(`source_ticket`) moves with them, so drafting the ticket again finds the article. The old id is no
article any more: `published_as` tells where it went (the pages redirect there), reading the draft
by it is NotFound (`DraftPublished`, naming the article), changing it a Conflict.

Edits are checked exactly as imported article files are (`make_article`). An edit or a decision
may carry the `version` it was made on; if someone changed the draft since, it is a Conflict, so
two reviewers never overwrite each other unseen.
"""

import json
from collections.abc import Mapping
from datetime import datetime, tzinfo
from typing import Any, Protocol

from helpdesk.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from helpdesk.domain.kb.article import (
    DISCARDED,
    DRAFT,
    DRAFT_PREFIX,
    PUBLISHED,
    STATUS_LABELS_PL,
    Article,
    ArticleFieldError,
    draft_id,
    draft_ticket_no,
    make_article,
    parse_article_id,
    parse_published_id,
    suggest_article_id,
    unique_id,
)
from helpdesk.domain.people import Person
from helpdesk.domain.roles import Role
from helpdesk.domain.tickets import format_ticket_id
from helpdesk.services.kb.answers import KbService
from helpdesk.services.ports import Clock, Database, KbRepo, Row, TicketRepo

REVIEW_ROLES = frozenset({Role.LEADER, Role.COORDINATOR, Role.ADMIN})
"""Who may list, read and edit drafts (leaders only their office's)."""
DECIDE_ROLES = frozenset({Role.COORDINATOR, Role.ADMIN})
"""Who may publish or discard a draft."""
EDITABLE = ("title", "component", "tags", "questions", "body")
LIST_FIELDS = ("tags", "questions")
RENAME_ATTEMPTS = 5
"""How often a derived id is tried again when another transaction took it at the same moment."""


class DraftPublished(NotFound):
    """A draft asked for by its old id (`szkic-t-000042`) after it was published as `article_id`."""

    def __init__(self, message: str, article_id: str) -> None:
        super().__init__(message)
        self.article_id = article_id


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
    return {
        "id": article.id,
        "title": article.title,
        "component": article.component,
        "tags": list(article.tags),
        "questions": list(article.questions),
        "body": article.body,
    }


class DraftsRepo(KbRepo, TicketRepo, Protocol):
    """What the review reads and writes: articles, and the tickets drafts were made of."""


class KbDrafts:
    """The review of draft articles: who may see, edit, publish and discard which draft."""

    def __init__(self, db: Database[DraftsRepo], clock: Clock, kb: KbService, tz: tzinfo) -> None:
        self.db = db
        self.clock = clock
        self.kb = kb
        self.tz = tz

    # --- reading ------------------------------------------------------------------------
    def list_drafts(self, actor: Person) -> list[dict[str, Any]]:
        """Drafts waiting for review that `actor` may see, the longest waiting first."""
        _require(
            actor, REVIEW_ROLES, "przeglądać szkiców artykułów", "liderzy, koordynatorzy i administratorzy"
        )

        def _do(tx: DraftsRepo) -> list[dict[str, Any]]:
            return [
                self._summary(row, office, tx.kb_history(row["id"]), self._suggested(tx, row))
                for row, office in self._visible_drafts(tx, actor)
            ]

        items = self.db.read(_do)
        items.sort(key=lambda d: (d["drafted_at"] or "", d["id"]))
        return items

    def _visible_drafts(self, tx: DraftsRepo, actor: Person) -> list[tuple[dict[str, Any], str | None]]:
        """(draft row, its office) for every draft `actor` may see."""
        visible = []
        for row in tx.kb_articles(DRAFT):
            office = self._office_of(tx, row)
            if self._may_see(actor, row, office):
                visible.append((row, office))
        return visible

    def get(self, actor: Person, article_id: str) -> dict[str, Any]:
        """One draft with its body and history; NotFound for anything that is not a draft `actor` may see."""
        _require(
            actor, REVIEW_ROLES, "przeglądać szkiców artykułów", "liderzy, koordynatorzy i administratorzy"
        )
        aid = self._id(article_id)

        def _do(tx: DraftsRepo) -> dict[str, Any]:
            row = tx.kb_article(aid)
            if row is None and (moved := self._published_as(tx, aid)) is not None:
                raise DraftPublished(
                    f"szkic '{aid}' nie jest już szkicem: opublikowano go jako artykuł "
                    f"'{moved['id']}' ({self._url(moved['id'])})",
                    moved["id"],
                )
            office = self._office_of(tx, row) if row is not None else None
            if row is None or not self._may_see(actor, row, office):
                raise NotFound(f"nie ma szkicu artykułu '{aid}'")
            if row["status"] != DRAFT:
                raise NotFound(
                    f"'{aid}' nie jest już szkicem (artykuł {STATUS_LABELS_PL.get(row['status'], row['status'])})"
                )
            return self._detail(tx, row, office)

        return self.db.read(_do)

    def count(self, actor: Person) -> int:
        """How many drafts `actor` may review (0 for roles that review none).

        Shown on every home page, so it only filters: no history or suggested ids as the list has.
        """
        if actor.role not in REVIEW_ROLES:
            return 0
        return self.db.read(lambda tx: len(self._visible_drafts(tx, actor)))

    def published_as(self, article_id: Any) -> str | None:
        """The id the draft `szkic-t-000042` was published under, or None (no such draft id, not
        published, or published under this very id). Anyone may ask: published articles are public."""
        try:
            aid = parse_article_id(article_id)
        except ArticleFieldError:
            return None
        moved = self.db.read(lambda tx: self._published_as(tx, aid))
        return str(moved["id"]) if moved is not None else None

    # --- changing -----------------------------------------------------------------------
    def edit(
        self, actor: Person, article_id: str, changes: Mapping[str, Any], version: int | None = None
    ) -> dict[str, Any]:
        """Change some of title, component, tags, questions, body of a draft; a new version is kept."""
        _require(
            actor, REVIEW_ROLES, "edytować szkiców artykułów", "liderzy, koordynatorzy i administratorzy"
        )
        aid = self._id(article_id)
        changes = self._changes(changes, required=True)
        version = parse_version(version)

        def _do(tx: DraftsRepo) -> dict[str, Any]:
            row, office = self._open_draft(tx, actor, aid, version, "edytować")
            article = self._validate({**row, **changes})
            outcome = tx.kb_upsert(_article_values(article), self.clock.now(), actor.login, status=DRAFT)
            return {**self._detail(tx, self._stored(tx, aid), office), "outcome": outcome}

        return self.db.write(_do)

    def publish(
        self,
        actor: Person,
        article_id: str,
        changes: Mapping[str, Any] | None = None,
        version: int | None = None,
        new_id: Any = None,
    ) -> dict[str, Any]:
        """Publish a draft (with last `changes`, if any) under its final id: it is answered from and
        shown from now on.

        `new_id` is the id to publish under; None derives `<component>-<slug of the title>` (unique)
        for a `szkic-t-…` draft. The article keeps the draft's history and ticket link under the new
        id, all in one transaction; `renamed_from` in the result is the draft's old id (None if kept).
        """
        _require(actor, DECIDE_ROLES, "publikować szkiców artykułów", "koordynatorzy i administratorzy")
        aid = self._id(article_id)
        changes = self._changes(changes or {}, required=False)
        version = parse_version(version)
        try:
            wanted = parse_published_id(new_id)
        except ArticleFieldError as err:
            raise InvalidInput(err.named()) from err

        def _do(tx: DraftsRepo) -> dict[str, Any]:
            row, office = self._open_draft(tx, actor, aid, version, "opublikować")
            try:
                article = make_article({**row, **changes})
            except ArticleFieldError as err:
                if changes:
                    raise InvalidInput(err.named()) from err
                raise Conflict(
                    f"szkicu '{aid}' nie można opublikować: {err.named()}; popraw go najpierw"
                ) from err
            final_id = self._move(tx, aid, article, wanted)
            note = {"renamed_from": aid} if final_id != aid else None
            outcome = tx.kb_upsert(
                {**_article_values(article), "id": final_id},
                self.clock.now(),
                actor.login,
                status=PUBLISHED,
                note=note,
            )
            return {
                **self._detail(tx, self._stored(tx, final_id), office),
                "outcome": outcome,
                "renamed_from": aid if final_id != aid else None,
            }

        result = self.db.write(_do)
        self.kb.refresh([aid, result["id"]])  # answer from it right away in this process
        return result

    def discard(self, actor: Person, article_id: str, version: int | None = None) -> dict[str, Any]:
        """Discard a draft: kept with its history, never answered from, shown or listed again."""
        _require(actor, DECIDE_ROLES, "odrzucać szkiców artykułów", "koordynatorzy i administratorzy")
        aid = self._id(article_id)
        version = parse_version(version)

        def _do(tx: DraftsRepo) -> dict[str, Any]:
            row, office = self._open_draft(tx, actor, aid, version, "odrzucić")
            values = {k: row[k] for k in ("id", *EDITABLE)}
            outcome = tx.kb_upsert(values, self.clock.now(), actor.login, status=DISCARDED)
            return {**self._detail(tx, self._stored(tx, aid), office), "outcome": outcome}

        return self.db.write(_do)

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
            raise InvalidInput(
                f"nieznane pola: {', '.join(unknown)[:200]} (dozwolone: {', '.join(EDITABLE)})"
            )
        if required and not changes:
            raise InvalidInput(f"podaj co najmniej jedno pole do zmiany ({', '.join(EDITABLE)})")
        # Edits come as JSON or a form: texts must be texts (a YAML file may say `title: 2024`, JSON may not).
        for name, value in changes.items():
            if name in LIST_FIELDS:
                if not (
                    value is None
                    or isinstance(value, str)
                    or (isinstance(value, list) and all(isinstance(v, str) for v in value))
                ):
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

    def _move(self, tx: DraftsRepo, aid: str, article: Article, wanted: str | None) -> str:
        """Give the draft `aid` its final id (with its history); the id it has now."""
        if wanted is not None:
            if wanted == aid:
                return aid
            taken = tx.kb_article(wanted)
            if taken is not None or not tx.kb_rename(aid, wanted):
                taken = taken or tx.kb_article(wanted) or {"title": "?", "status": PUBLISHED}
                label = STATUS_LABELS_PL.get(taken["status"], taken["status"])
                raise Conflict(
                    f"id '{wanted}' jest już zajęte przez artykuł „{taken['title']}” ({label}); "
                    "wybierz inne id artykułu"
                )
            return wanted
        if not aid.startswith(DRAFT_PREFIX):
            return aid  # a draft with a proper id keeps it
        base = suggest_article_id(article.component, article.title)
        taken_ids = tx.kb_ids_like(base)
        for _attempt in range(RENAME_ATTEMPTS):
            candidate = unique_id(base, taken_ids)
            if tx.kb_rename(aid, candidate):
                return candidate
            taken_ids.add(candidate)  # another transaction took it a moment ago
        raise Conflict(
            f"nie udało się nadać szkicowi '{aid}' id '{base}' (zajmują je równocześnie inne "
            "publikacje); spróbuj ponownie albo podaj id"
        )

    def _suggested(self, tx: DraftsRepo, row: Mapping[str, Any]) -> str | None:
        """The id a draft would be published under now if none is given (None for what is not a draft)."""
        if row["status"] != DRAFT:
            return None
        if not str(row["id"]).startswith(DRAFT_PREFIX):
            return str(row["id"])
        base = suggest_article_id(row["component"], row["title"])
        return unique_id(base, tx.kb_ids_like(base))

    @staticmethod
    def _published_as(tx: DraftsRepo, aid: str) -> dict[str, Any] | None:
        """The published article the draft id `aid` became, when it has another id now."""
        no = draft_ticket_no(aid)
        if no is None or draft_id(no) != aid:
            return None
        row = tx.kb_article_of_ticket(no)
        return row if row is not None and row["status"] == PUBLISHED and row["id"] != aid else None

    def _url(self, article_id: str) -> str:
        return f"{self.kb.public_url.rstrip('/')}/kb/{article_id}"

    def _open_draft(
        self, tx: DraftsRepo, actor: Person, aid: str, version: int | None, verb: str
    ) -> tuple[dict[str, Any], str | None]:
        """The draft row, locked, after the checks every change shares."""
        row = tx.kb_article(aid, lock=True)
        if row is None and (moved := self._published_as(tx, aid)) is not None:
            raise Conflict(
                f"szkic '{aid}' jest już opublikowany jako artykuł '{moved['id']}' "
                f"({self._url(moved['id'])}); nie można go {verb} jako szkicu"
            )
        office = self._office_of(tx, row) if row is not None else None
        if row is None or not self._may_see(actor, row, office):
            raise NotFound(f"nie ma szkicu artykułu '{aid}'")
        if row["status"] == PUBLISHED:
            raise Conflict(
                f"artykuł '{aid}' jest już opublikowany, a nie jest szkicem; nie można go {verb} jako szkicu"
            )
        if row["status"] == DISCARDED:
            raise Conflict(f"szkic '{aid}' został odrzucony ({self._who_when(row)}); nie można go {verb}")
        if row["status"] != DRAFT:
            raise Conflict(f"artykuł '{aid}' nie jest szkicem (stan '{row['status']}')")
        if version is not None and version != row["version"]:
            raise Conflict(
                f"szkic '{aid}' zmienił w międzyczasie {row['updated_by'] or 'ktoś inny'} "
                f"(jest wersja {row['version']}, a zmiany dotyczą wersji {version}); "
                "odśwież szkic i nanieś zmiany ponownie"
            )
        return row, office

    @staticmethod
    def _stored(tx: DraftsRepo, aid: str) -> Row:
        """The article as this transaction just wrote it."""
        row = tx.kb_article(aid)
        assert row is not None  # written by this transaction
        return row

    @staticmethod
    def _office_of(tx: DraftsRepo, row: Mapping[str, Any]) -> str | None:
        no = row.get("source_ticket")
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

    def _summary(
        self, row: Mapping[str, Any], office: str | None, history: list[dict[str, Any]], suggested: str | None
    ) -> dict[str, Any]:
        drafted = self._drafted(history)
        no = row.get("source_ticket")
        return {
            "id": row["id"],
            "title": row["title"],
            "component": row["component"],
            "status": row["status"],
            "status_label": STATUS_LABELS_PL.get(row["status"], row["status"]),
            "version": row["version"],
            "ticket": format_ticket_id(no) if no is not None else None,
            "office": office,
            "drafted_by": drafted["changed_by"] if drafted else None,
            "drafted_at": self._time(drafted["changed_at"]) if drafted else None,
            "updated_by": row["updated_by"],
            "updated_at": self._time(row["updated_at"]),
            "questions": list(row["questions"]),
            "suggested_id": suggested,
        }

    def _detail(self, tx: DraftsRepo, row: Mapping[str, Any], office: str | None) -> dict[str, Any]:
        history = tx.kb_history(row["id"])
        url = self._url(row["id"]) if row["status"] == PUBLISHED else None
        return {
            **self._summary(row, office, history, self._suggested(tx, row)),
            "tags": list(row["tags"]),
            "body": row["body"],
            "url": url,
            "history": [
                {
                    "version": v["version"],
                    "status": _status_of(v),
                    "at": self._time(v["changed_at"]),
                    "by": v["changed_by"],
                    "renamed_from": _data_of(v).get("renamed_from"),
                }
                for v in history
            ],
        }


def _data_of(version: Mapping[str, Any]) -> dict[str, Any]:
    try:
        data = json.loads(version["data"])
    except (ValueError, TypeError):
        return {}
    return data if isinstance(data, dict) else {}


def _status_of(version: Mapping[str, Any]) -> str:
    return str(_data_of(version).get("status", PUBLISHED))
