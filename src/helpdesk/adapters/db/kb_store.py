"""Knowledge-base rows: articles with their version history, questions asked and feedback.

An article drafted from a ticket remembers it (`source_ticket`, unique): the link survives the
rename of a draft to its final id on publishing (`kb_rename`), which moves the whole history along.
"""

import json
from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from helpdesk.adapters.db.prepared import PreparedRunner
from helpdesk.adapters.db.tables import (
    KbArticleRow,
    KbArticleVersionRow,
    KbProposalRow,
    KbQueryRow,
    TicketRow,
)

article_t = KbArticleRow.__table__  # type: ignore[attr-defined]
version_t = KbArticleVersionRow.__table__  # type: ignore[attr-defined]
query_t = KbQueryRow.__table__  # type: ignore[attr-defined]
# Every question asked is stored: on the prepared path (adapters/db/prepared.py).
_QUERY_INSERT = insert(query_t).returning(query_t.c.id)
ticket_t = TicketRow.__table__  # type: ignore[attr-defined]
proposal_t = KbProposalRow.__table__  # type: ignore[attr-defined]


class KbTxMixin:
    """Knowledge-base methods of the repository (mixed into tx.Tx)."""

    conn: Connection
    postgres: bool
    fast: PreparedRunner

    def kb_articles(self, status: str = "published") -> list[dict[str, Any]]:
        """Current articles with decoded tags and questions."""
        rows = self.conn.execute(
            select(article_t).where(article_t.c.status == status).order_by(article_t.c.id)
        )
        out = []
        for row in rows:
            item = dict(row._mapping)
            item["tags"], item["questions"] = json.loads(item["tags"]), json.loads(item["questions"])
            out.append(item)
        return out

    def kb_stamp(self) -> tuple[int, int, str, int]:
        """(article count, sum of versions, newest change, decided proposals) — tells other processes
        the index is stale.

        Every stored change bumps one article's version, so the sum grows with each of them, even
        when the clock gives two changes the same time or transactions commit out of time order
        (publishing a draft changes neither the count nor, necessarily, the newest time). Every
        decision on a learned proposal adds one to the last number (a decision is never undone).
        """
        row = self.conn.execute(
            select(
                func.count(),
                func.coalesce(func.sum(article_t.c.version), 0),
                func.max(article_t.c.updated_at),
            )
        ).first()
        decided = self.conn.execute(
            select(func.count()).select_from(proposal_t).where(proposal_t.c.status != "pending")
        ).scalar_one()
        return (int(row[0]), int(row[1]), str(row[2]), int(decided)) if row else (0, 0, "", int(decided))

    def kb_upsert(
        self,
        values: Mapping[str, Any],
        at: datetime,
        actor: str | None,
        status: str = "published",
        *,
        source_ticket: int | None = None,
        note: Mapping[str, Any] | None = None,
    ) -> str:
        """Insert or update one article, keeping every version; returns added|updated|unchanged.

        `source_ticket` is stored with a new article (the ticket it was drafted from); `note` adds
        keys to this version's record in the history (e.g. `renamed_from`).
        """
        data = {
            "title": values["title"],
            "component": values["component"],
            "tags": json.dumps(list(values["tags"]), ensure_ascii=False),
            "questions": json.dumps(list(values["questions"]), ensure_ascii=False),
            "body": values["body"],
        }
        current = self.conn.execute(select(article_t).where(article_t.c.id == values["id"])).first()
        if (
            current is not None
            and all(getattr(current, k) == v for k, v in data.items())
            and current.status == status
        ):
            return "unchanged"
        version = (current.version + 1) if current is not None else 1
        if current is None:
            self.conn.execute(
                insert(article_t).values(
                    id=values["id"],
                    version=1,
                    status=status,
                    updated_at=at,
                    updated_by=actor,
                    source_ticket=source_ticket,
                    **data,
                )
            )
        else:
            self.conn.execute(
                update(article_t)
                .where(article_t.c.id == values["id"])
                .values(version=version, status=status, updated_at=at, updated_by=actor, **data)
            )
        self.conn.execute(
            insert(version_t).values(
                article_id=values["id"],
                version=version,
                changed_at=at,
                changed_by=actor,
                data=json.dumps({**data, "status": status, **(note or {})}, ensure_ascii=False),
            )
        )
        return "added" if current is None else "updated"

    def kb_rename(self, old_id: str, new_id: str) -> bool:
        """Give an article a new id, its whole history with it; False (nothing changed) if `new_id` is taken.

        Runs in a savepoint: when another transaction took `new_id` first (PostgreSQL: its commit
        makes this one's key collide), only the rename is undone and the caller decides.
        """
        nested = self.conn.begin_nested()
        try:
            moved = self.conn.execute(
                update(article_t).where(article_t.c.id == old_id).values(id=new_id)
            ).rowcount
            self.conn.execute(
                update(version_t).where(version_t.c.article_id == old_id).values(article_id=new_id)
            )
            nested.commit()
        except IntegrityError:
            nested.rollback()
            return False
        return bool(moved)

    def kb_ids_like(self, base: str) -> set[str]:
        """Ids of articles (any status) that are `base` or start with `base-` (to make a new id unique)."""
        rows = self.conn.execute(
            select(article_t.c.id).where(
                or_(article_t.c.id == base, article_t.c.id.startswith(f"{base}-", autoescape=True))
            )
        )
        return {str(r[0]) for r in rows}

    def kb_article_of_ticket(self, ticket_no: int, *, lock: bool = False) -> dict[str, Any] | None:
        """The article (any status) drafted from ticket `ticket_no`, under whatever id it has now, or None."""
        if (
            not 0 < ticket_no < 2**31
        ):  # no such ticket: the column is a 32-bit integer (PostgreSQL refuses more)
            return None
        query = select(article_t).where(article_t.c.source_ticket == ticket_no)
        if lock and self.postgres:
            query = query.with_for_update()
        return self._kb_decoded(self.conn.execute(query).first())

    def kb_article(self, article_id: str, *, lock: bool = False) -> dict[str, Any] | None:
        """One article (any status) or None; `lock` holds its row to the end of the transaction (PostgreSQL)."""
        query = select(article_t).where(article_t.c.id == article_id)
        if lock and self.postgres:
            query = query.with_for_update()
        return self._kb_decoded(self.conn.execute(query).first())

    @staticmethod
    def _kb_decoded(row: Any) -> dict[str, Any] | None:
        if row is None:
            return None
        item = dict(row._mapping)
        item["tags"], item["questions"] = json.loads(item["tags"]), json.loads(item["questions"])
        return item

    def kb_history(self, article_id: str) -> list[dict[str, Any]]:
        """Every version of an article, oldest first."""
        rows = self.conn.execute(
            select(version_t).where(version_t.c.article_id == article_id).order_by(version_t.c.version)
        )
        return [dict(r._mapping) for r in rows]

    def kb_record_query(self, values: Mapping[str, Any]) -> int:
        """Store one question and its answer; returns its id (used for feedback)."""
        row = self.fast.first(_QUERY_INSERT, values, keyed=True)
        return int(row.id)

    def kb_feedback(self, query_id: int, helpful: bool, person_id: int | None) -> bool:
        """Record 'did this help?'; False if the query is unknown or someone else's."""
        cond = [query_t.c.id == query_id]
        if person_id is not None:
            cond.append(query_t.c.person_id == person_id)
        result = self.conn.execute(update(query_t).where(*cond).values(helpful=helpful))
        return bool(result.rowcount)

    def kb_link_ticket(self, query_id: int, ticket_no: int) -> None:
        """Note that a question led to a ticket (it was not a deflection)."""
        self.conn.execute(update(query_t).where(query_t.c.id == query_id).values(ticket_no=ticket_no))

    def kb_queries(self, since: datetime, until: datetime) -> list[dict[str, Any]]:
        """Questions asked in [since, until)."""
        rows = self.conn.execute(
            select(query_t).where(query_t.c.at >= since, query_t.c.at < until).order_by(query_t.c.id)
        )
        return [dict(r._mapping) for r in rows]

    def kb_tickets_of_people(
        self, person_ids: Collection[int], since: datetime, until: datetime
    ) -> list[dict[str, Any]]:
        """Tickets opened by `person_ids` in [since, until) — what may follow a KB answer."""
        if not person_ids:
            return []
        cols = (
            ticket_t.c.no,
            ticket_t.c.author_id,
            ticket_t.c.office,
            ticket_t.c.component,
            ticket_t.c.title,
            ticket_t.c.description,
            ticket_t.c.created_at,
        )
        out: list[dict[str, Any]] = []
        ids = sorted(set(person_ids))
        for start in range(0, len(ids), 500):  # keep the IN list well under parameter limits
            rows = self.conn.execute(
                select(*cols)
                .where(
                    ticket_t.c.author_id.in_(ids[start : start + 500]),
                    ticket_t.c.created_at >= since,
                    ticket_t.c.created_at < until,
                )
                .order_by(ticket_t.c.no)
            )
            out.extend(dict(r._mapping) for r in rows)
        return out

    # --- proposals learned from tickets -----------------------------------------------------
    def kb_query(self, query_id: int) -> dict[str, Any] | None:
        """One recorded question, or None."""
        row = self.conn.execute(select(query_t).where(query_t.c.id == query_id)).first()
        return dict(row._mapping) if row is not None else None

    def kb_queries_of_ticket(self, ticket_no: int) -> list[dict[str, Any]]:
        """The questions that ended in ticket `ticket_no`."""
        rows = self.conn.execute(
            select(query_t).where(query_t.c.ticket_no == ticket_no).order_by(query_t.c.id)
        )
        return [dict(r._mapping) for r in rows]

    def kb_propose(self, values: Mapping[str, Any]) -> int | None:
        """Store a proposal unless the same one (kind, article, question) exists; its id, or None."""
        same = self.conn.execute(
            select(proposal_t.c.id).where(
                proposal_t.c.kind == values["kind"],
                proposal_t.c.article_id == values["article_id"],
                proposal_t.c.text == values["text"],
            )
        ).first()
        if same is not None:
            return None
        return int(
            self.conn.execute(
                insert(proposal_t).values(status="pending", **values).returning(proposal_t.c.id)
            ).scalar_one()
        )

    def kb_proposals(self, status: str | None = None) -> list[dict[str, Any]]:
        """Proposals (of one status, or all), oldest first."""
        query = select(proposal_t).order_by(proposal_t.c.id)
        if status is not None:
            query = query.where(proposal_t.c.status == status)
        return [dict(r._mapping) for r in self.conn.execute(query)]

    def kb_proposal(self, proposal_id: int, *, lock: bool = False) -> dict[str, Any] | None:
        """One proposal, or None; `lock` holds its row to the end of the transaction (PostgreSQL)."""
        if not 0 < proposal_id < 2**31:
            return None
        query = select(proposal_t).where(proposal_t.c.id == proposal_id)
        if lock and self.postgres:
            query = query.with_for_update()
        row = self.conn.execute(query).first()
        return dict(row._mapping) if row is not None else None

    def kb_decide_proposal(self, proposal_id: int, status: str, at: datetime, actor: str) -> bool:
        """Accept or reject a pending proposal; False if it was decided already."""
        result = self.conn.execute(
            update(proposal_t)
            .where(proposal_t.c.id == proposal_id, proposal_t.c.status == "pending")
            .values(status=status, decided_at=at, decided_by=actor)
        )
        return bool(result.rowcount)
