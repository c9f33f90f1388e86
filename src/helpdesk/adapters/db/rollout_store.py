"""The rollout's tables (mixed into tx.Tx): office profiles and stand-ins, milestones and their
waiting on the office, trainings and attendance, partners' domain systems — and the office-level
events, which go into the one hash-chained log on the log's own ticket `T-000000` (as the log's
re-anchoring does), so `helpdesk audit verify` covers every change of the rollout too.
"""

from collections.abc import Collection, Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, delete, func, insert, select, update

from helpdesk.adapters.db.tables import (
    DomainSystemRow,
    EventRow,
    KbArticleRow,
    MilestoneRow,
    MilestoneWaitRow,
    OfficeProfileRow,
    OfficeStandinRow,
    TicketRow,
    TrainingAttendanceRow,
    TrainingRow,
)
from helpdesk.adapters.db.ticket_store import TicketTxMixin, head_t, record_from_row
from helpdesk.domain.events import LOG_TICKET
from helpdesk.services.ports import EventRecord, Row

profile_t = OfficeProfileRow.__table__  # type: ignore[attr-defined]
standin_t = OfficeStandinRow.__table__  # type: ignore[attr-defined]
milestone_t = MilestoneRow.__table__  # type: ignore[attr-defined]
wait_t = MilestoneWaitRow.__table__  # type: ignore[attr-defined]
training_t = TrainingRow.__table__  # type: ignore[attr-defined]
attend_t = TrainingAttendanceRow.__table__  # type: ignore[attr-defined]
system_t = DomainSystemRow.__table__  # type: ignore[attr-defined]
_event_t = EventRow.__table__  # type: ignore[attr-defined]
_ticket_t = TicketRow.__table__  # type: ignore[attr-defined]
_article_t = KbArticleRow.__table__  # type: ignore[attr-defined]


class RolloutTxMixin(TicketTxMixin):
    """Rollout methods of the repository (services.ports.RolloutRepo)."""

    # --- the office-level events -----------------------------------------------------------
    def append_office_event(
        self, type_: str, actor: str | None, at: datetime, data: Mapping[str, Any]
    ) -> EventRecord:
        """Append an event about an office or a registry to the log's own ticket (`T-000000`)."""
        head = self._lock_head()
        last = self.conn.execute(
            select(func.max(_event_t.c.seq)).where(_event_t.c.ticket_no == LOG_TICKET)
        ).scalar()
        new_head, record = self._append_locked(head, LOG_TICKET, int(last or 0) + 1, type_, actor, at, data)
        self.conn.execute(
            update(head_t)
            .where(head_t.c.id == 1)
            .values(last_hash=new_head.last_hash, event_count=new_head.event_count)
        )
        return record

    def office_events(self, office: str | None = None, limit: int = 200) -> list[EventRecord]:
        """The newest office-level events (of one office), newest first."""
        q = select(_event_t).where(_event_t.c.ticket_no == LOG_TICKET).order_by(_event_t.c.seq.desc())
        out: list[EventRecord] = []
        for row in self.conn.execute(q.limit(limit * 5 if office else limit)):
            record = record_from_row(row)
            if office is None or record.get("office") == office:
                out.append(record)
            if len(out) >= limit:
                break
        return out

    # --- profiles and stand-ins -------------------------------------------------------------
    def office_profile(self, code: str) -> Row | None:
        """The profile row of an office, or None."""
        row = self.conn.execute(select(profile_t).where(profile_t.c.office == code)).first()
        return dict(row._mapping) if row else None

    def office_profiles(self) -> dict[str, Row]:
        """Every stored profile by office code."""
        return {r.office: dict(r._mapping) for r in self.conn.execute(select(profile_t))}

    def put_office_profile(self, code: str, values: Mapping[str, Any]) -> None:
        """Insert or update an office's profile row."""
        if self.office_profile(code) is None:
            self.conn.execute(
                insert(profile_t).values(**{"needs": "", "notes": "", **values, "office": code})
            )
        else:
            self.conn.execute(update(profile_t).where(profile_t.c.office == code).values(**values))

    def standins(self, code: str | None = None) -> dict[str, dict[str, str]]:
        """office → (login → stand-in's login)."""
        q = select(standin_t)
        if code is not None:
            q = q.where(standin_t.c.office == code)
        out: dict[str, dict[str, str]] = {}
        for r in self.conn.execute(q):
            out.setdefault(r.office, {})[r.login] = r.standin
        return out

    def set_standin(self, code: str, login: str, standin: str | None) -> None:
        """Name (or with None, remove) the stand-in of one of an office's people."""
        self.conn.execute(delete(standin_t).where(standin_t.c.office == code, standin_t.c.login == login))
        if standin:
            self.conn.execute(insert(standin_t).values(office=code, login=login, standin=standin))

    # --- milestones -------------------------------------------------------------------------
    def milestones(self, office: str | None = None) -> list[Row]:
        """Milestones (of one office) with their `waits`, by office and id."""
        q = select(milestone_t).order_by(milestone_t.c.office, milestone_t.c.id)
        if office is not None:
            q = q.where(milestone_t.c.office == office)
        rows = [dict(r._mapping) for r in self.conn.execute(q)]
        waits: dict[int, list[Row]] = {}
        wq = select(wait_t).order_by(wait_t.c.id)
        if office is not None:
            wq = wq.where(wait_t.c.milestone_id.in_([r["id"] for r in rows] or [-1]))
        for w in self.conn.execute(wq):
            waits.setdefault(w.milestone_id, []).append(dict(w._mapping))
        for r in rows:
            r["waits"] = waits.get(r["id"], [])
        return rows

    def milestone(self, office: str, kind: str) -> Row | None:
        """One milestone of an office with its `waits`, or None."""
        return next((m for m in self.milestones(office) if m["kind"] == kind), None)

    def put_milestone(self, office: str, kind: str, values: Mapping[str, Any]) -> int:
        """Insert or update one milestone; returns its id."""
        found = self.conn.execute(
            select(milestone_t.c.id).where(milestone_t.c.office == office, milestone_t.c.kind == kind)
        ).scalar()
        if found is None:
            result = self.conn.execute(
                insert(milestone_t).values(office=office, kind=kind, office_note="", **values)
            )
            return int(result.inserted_primary_key[0])  # type: ignore[index]
        self.conn.execute(update(milestone_t).where(milestone_t.c.id == found).values(**values))
        return int(found)

    def add_wait(self, milestone_id: int, start: date, reason: str, note: str) -> int:
        """Record that a milestone waits on the office from `start`; returns the wait's id."""
        result = self.conn.execute(
            insert(wait_t).values(milestone_id=milestone_id, start=start, end=None, reason=reason, note=note)
        )
        return int(result.inserted_primary_key[0])  # type: ignore[index]

    def end_wait(self, wait_id: int, end: date) -> None:
        """Close a waiting period."""
        self.conn.execute(update(wait_t).where(wait_t.c.id == wait_id).values(end=end))

    # --- trainings --------------------------------------------------------------------------
    def trainings(self) -> list[Row]:
        """Every training with its `participants` count, newest first."""
        counts: dict[str, int] = dict(
            self.conn.execute(
                select(attend_t.c.training_id, func.count()).group_by(attend_t.c.training_id)
            ).all()
        )
        rows = self.conn.execute(select(training_t).order_by(training_t.c.held_on.desc(), training_t.c.id))
        return [{**dict(r._mapping), "participants": int(counts.get(r.id, 0))} for r in rows]

    def training(self, training_id: str) -> Row | None:
        """One training, or None."""
        row = self.conn.execute(select(training_t).where(training_t.c.id == training_id)).first()
        return dict(row._mapping) if row else None

    def put_training(self, values: Mapping[str, Any]) -> bool:
        """Insert or update a training; True if it was new."""
        if self.training(values["id"]) is None:
            self.conn.execute(insert(training_t).values(**values))
            return True
        self.conn.execute(update(training_t).where(training_t.c.id == values["id"]).values(**values))
        return False

    def attend(self, training_id: str, login: str, on: date) -> bool:
        """Record that `login` completed a training on `on`; False if it was recorded already."""
        exists = self.conn.execute(
            select(attend_t.c.login).where(attend_t.c.training_id == training_id, attend_t.c.login == login)
        ).first()
        if exists is not None:
            return False
        self.conn.execute(insert(attend_t).values(training_id=training_id, login=login, completed_on=on))
        return True

    def attendance(self, logins: Collection[str] | None = None) -> list[Row]:
        """Completed trainings (of `logins`): login, completed_on, training id, kind, component."""
        q = select(
            attend_t.c.login,
            attend_t.c.completed_on,
            training_t.c.id,
            training_t.c.kind,
            training_t.c.component,
            training_t.c.title,
        ).select_from(attend_t.join(training_t, training_t.c.id == attend_t.c.training_id))
        if logins is not None:
            q = q.where(attend_t.c.login.in_(list(logins) or [""]))
        return [dict(r._mapping) for r in self.conn.execute(q.order_by(attend_t.c.completed_on))]

    def participants(self, training_id: str) -> list[Row]:
        """Who completed a training, and when."""
        q = select(attend_t.c.login, attend_t.c.completed_on).where(attend_t.c.training_id == training_id)
        return [dict(r._mapping) for r in self.conn.execute(q.order_by(attend_t.c.login))]

    # --- domain systems ---------------------------------------------------------------------
    def domain_systems(self) -> list[Row]:
        """Every registered domain system, by id."""
        return [dict(r._mapping) for r in self.conn.execute(select(system_t).order_by(system_t.c.id))]

    def domain_system(self, system_id: str) -> Row | None:
        """One domain system, or None."""
        row = self.conn.execute(select(system_t).where(system_t.c.id == system_id)).first()
        return dict(row._mapping) if row else None

    def put_domain_system(self, values: Mapping[str, Any]) -> bool:
        """Insert or update a domain system; True if it was new."""
        if self.domain_system(values["id"]) is None:
            self.conn.execute(insert(system_t).values(**values))
            return True
        self.conn.execute(update(system_t).where(system_t.c.id == values["id"]).values(**values))
        return False

    def tickets_per_system(self) -> dict[str, dict[str, int]]:
        """system → {"total", "open", "escalated"} over the tickets that name a system."""
        q = (
            select(_ticket_t.c.system, _ticket_t.c.state, _ticket_t.c.escalated, func.count())
            .where(_ticket_t.c.system.is_not(None))
            .group_by(_ticket_t.c.system, _ticket_t.c.state, _ticket_t.c.escalated)
        )
        out: dict[str, dict[str, int]] = {}
        for system, state, escalated, count in self.conn.execute(q):
            entry = out.setdefault(system, {"total": 0, "open": 0, "escalated": 0})
            entry["total"] += count
            if state not in ("resolved", "closed"):
                entry["open"] += count
            if escalated:
                entry["escalated"] += count
        return out

    # --- knowledge flowing back -------------------------------------------------------------
    def articles_learned(self) -> dict[str, int]:
        """office → published KB articles drafted from that office's tickets."""
        q = (
            select(_ticket_t.c.office, func.count())
            .select_from(_article_t.join(_ticket_t, _ticket_t.c.no == _article_t.c.source_ticket))
            .where(_article_t.c.status == "published")
            .group_by(_ticket_t.c.office)
        )
        return {office: int(n) for office, n in self.conn.execute(q)}

    def resolved_by(self, logins: Collection[str]) -> dict[str, int]:
        """login → tickets that person resolved without escalating them (the first line's answers)."""
        if not logins:
            return {}
        q = (
            select(_event_t.c.actor, func.count(func.distinct(_event_t.c.ticket_no)))
            .select_from(_event_t.join(_ticket_t, _ticket_t.c.no == _event_t.c.ticket_no))
            .where(
                and_(
                    _event_t.c.type == "resolved",
                    _event_t.c.actor.in_(list(logins)),
                    _ticket_t.c.escalated.is_(False),
                )
            )
            .group_by(_event_t.c.actor)
        )
        return {actor: int(n) for actor, n in self.conn.execute(q)}
