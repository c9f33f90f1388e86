"""The rollout's use cases: each office's profile and readiness, the regional plan and who its delays
are due to, knowledge transfer (trainings, who is trained for what, knowledge flowing back), and
the registry of partners' domain systems with the routing of their tickets.

Every change is checked against domain/rollout.py's `require_edit` and appended as an event to the
one hash-chained log (on the log's own ticket `T-000000`, adapters/db/rollout_store.py), in the
transaction that makes it, so `helpdesk audit verify` covers the rollout like every ticket.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any

from helpdesk.domain import rollout as ro
from helpdesk.domain.calendar import BusinessCalendar
from helpdesk.domain.contracts import Contract
from helpdesk.domain.errors import Conflict, InvalidInput, NotFound
from helpdesk.domain.inputs import check_text, clean_line, clean_multiline
from helpdesk.domain.offices import (
    COMPONENT_LABELS_PL,
    OFFICE_TYPE_LABELS_PL,
    Office,
    parse_component,
)
from helpdesk.domain.people import Person
from helpdesk.domain.roles import OFFICE_ROLES, Role
from helpdesk.services.ports import Clock, Database, EventRecord, RolloutRepo, Row, TrainingRepo
from helpdesk.services.rollout.files import OfficeLine, parse_attendance_csv

# Event types of the office-level stream (on `T-000000`).
PROFILE_CHANGED = "office_profile_changed"
STANDIN_CHANGED = "office_standin_changed"
MILESTONE_CHANGED = "milestone_changed"
MILESTONE_WAITING = "milestone_waiting"
MILESTONE_WAIT_ENDED = "milestone_wait_ended"
TRAINING_RECORDED = "training_recorded"
ATTENDANCE_RECORDED = "attendance_recorded"
SYSTEM_CHANGED = "domain_system_changed"

PROFILE_FIELDS = ("computerisation", "previous_system", "workstations", "needs", "notes")
MILESTONE_ORDER = [k.value for k in ro.MilestoneKind]
SCHEDULE_MONTHS = 12

CalendarInfo = Callable[[str], Mapping[str, Any]]


def _text(value: object, what: str, limit: int, *, multiline: bool = False) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidInput(f"pole '{what}' musi być tekstem")
    check_text(value, what)
    text = (clean_multiline(value) if multiline else clean_line(value)).strip()
    if len(text) > limit:
        raise InvalidInput(f"pole '{what}' jest za długie (limit {limit} znaków)")
    return text


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _only(data: Mapping[str, Any], allowed: Collection[str]) -> None:
    unknown = set(data) - set(allowed)
    if unknown:
        raise InvalidInput(f"nieznane pola: {', '.join(sorted(unknown))} (dozwolone: {', '.join(allowed)})")


def profile_values(data: Mapping[str, Any]) -> dict[str, Any]:
    """The profile fields of `data` checked and cleaned (only those present)."""
    _only(data, PROFILE_FIELDS)
    out: dict[str, Any] = {}
    if "computerisation" in data:
        value = data["computerisation"]
        if value in (None, ""):
            out["computerisation"] = None
        elif value in ro.Computerisation.__members__.values():
            out["computerisation"] = str(value)
        else:
            allowed = ", ".join(ro.Computerisation)
            raise InvalidInput(f"nieznany stan informatyzacji '{str(value)[:40]}' (dozwolone: {allowed})")
    if "previous_system" in data:
        out["previous_system"] = _text(data["previous_system"], "previous_system", ro.MAX_SHORT) or None
    if "workstations" in data:
        value = data["workstations"]
        if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
            value = int(value.strip())
        if value is not None and (
            not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 100_000
        ):
            raise InvalidInput("pole 'workstations' musi być liczbą stanowisk od 0 do 100000")
        out["workstations"] = value
    if "needs" in data:
        needs = ro.parse_codes(data["needs"], "needs")
        wrong = [n for n in needs if n not in ro.NEEDS_PL]
        if wrong:
            raise InvalidInput(f"nieznane potrzeby: {', '.join(wrong)} (dozwolone: {', '.join(ro.NEEDS_PL)})")
        out["needs"] = ";".join(needs)
    if "notes" in data:
        out["notes"] = _text(data["notes"], "notes", ro.MAX_NOTE, multiline=True)
    return out


class RolloutService:
    """Office profiles, the plan, trainings and domain systems."""

    def __init__(
        self,
        db: Database[RolloutRepo],
        clock: Clock,
        tz: tzinfo,
        contracts: Mapping[str, Contract],
        calendar_info: CalendarInfo | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.tz = tz
        self.contracts = contracts
        self.calendar_info = calendar_info

    # --- time ---------------------------------------------------------------------------------
    def now(self) -> datetime:
        """The current time in the people's time zone."""
        return self.clock.now().astimezone(self.tz)

    def today(self) -> date:
        """Today in the people's time zone."""
        return self.now().date()

    def _event(
        self, tx: RolloutRepo, type_: str, actor: Person | None, data: Mapping[str, Any]
    ) -> EventRecord:
        return tx.append_office_event(type_, actor.login if actor else None, self.now(), data)

    @staticmethod
    def _office(tx: RolloutRepo, code: str) -> Office:
        office = tx.get_office(code)
        if office is None:
            raise NotFound(f"nie ma urzędu o kodzie '{str(code)[:20]}'")
        return office

    # --- office profiles ------------------------------------------------------------------------
    def offices(self, actor: Person) -> dict[str, Any]:
        """The registry: every office with its stage, what its profile lacks and whether it is late."""
        ro.require_read(actor)
        today = self.today()

        def _do(tx: RolloutRepo) -> list[dict[str, Any]]:
            facts = _Facts.read(tx, None)
            return [self._profile(tx, facts, office, today, brief=True) for office in tx.list_offices()]

        items = self.db.read(_do)
        return {"items": items, "total": len(items), "as_of": today.isoformat()}

    def office(self, actor: Person, code: str) -> dict[str, Any]:
        """One office's full profile: people, scope, calendar, milestones, training, what is missing."""
        ro.require_read(actor)
        today = self.today()

        def _do(tx: RolloutRepo) -> dict[str, Any]:
            office = self._office(tx, code)
            return self._profile(tx, _Facts.read(tx, code), office, today, brief=False)

        result = self.db.read(_do)
        result["can_edit"] = {
            part.value: ro.can_edit(actor, part, code)
            for part in (ro.Part.PROFILE, ro.Part.PEOPLE, ro.Part.PLAN, ro.Part.OFFICE_SIDE)
        }
        return result

    def _profile(
        self, tx: RolloutRepo, facts: _Facts, office: Office, today: date, *, brief: bool
    ) -> dict[str, Any]:
        stored = facts.profiles.get(office.code) or {}
        people = facts.people.get(office.code, [])
        standins = facts.standins.get(office.code, {})
        names = {p.login: p.name for p in people}
        reps = [p for p in people if p.role is Role.REPRESENTATIVE]
        leaders = [p for p in people if p.role is Role.LEADER]
        systems = [s for s in facts.systems if office.code in _codes(s["offices"])]
        components = ro.trainable(office.components)
        attended = facts.attendance
        untrained = {
            p.login: [c for c in components if ro.trained_on(attended.get(p.login, []), c) is None]
            for p in leaders
        }
        who = ro.PeopleFacts(
            representatives=[p.login for p in reps],
            leaders=[p.login for p in leaders],
            standins=standins,
            untrained={k: v for k, v in untrained.items() if v},
            leaders_max=office.leaders_max,
        )
        gaps = ro.missing(who, stored.get("computerisation"), names)
        names_of_systems = _system_names(systems)
        milestones = [
            self._milestone(m, today, names_of_systems) for m in facts.milestones.get(office.code, [])
        ]
        milestones.sort(key=_milestone_order)
        stage = _stage(milestones)
        out: dict[str, Any] = {
            "code": office.code,
            "name": office.name,
            "type": office.type.value,
            "type_label": OFFICE_TYPE_LABELS_PL.get(office.type, office.type.value),
            "employees": office.employees,
            "leaders_max": office.leaders_max,
            "components": list(office.components),
            "representative": reps[0].login if reps else None,
            "leaders": [p.login for p in leaders],
            "complete": not gaps,
            "missing": gaps,
            "stage": stage,
            "stage_label": _stage_label(stage),
            "late": any(m["status"] in ("late", "waiting") for m in milestones),
        }
        if brief:
            return out
        needs = _codes(stored.get("needs") or "")
        out.update(
            {
                "scope": {
                    "core": [{"code": c, "label": COMPONENT_LABELS_PL.get(c, c)} for c in office.components],
                    "systems": [
                        {"id": s["id"], "name": s["name"], "supporter": s["supporter"]} for s in systems
                    ],
                },
                "computerisation": stored.get("computerisation"),
                "computerisation_label": ro.COMPUTERISATION_LABELS_PL.get(
                    stored.get("computerisation") or ""
                ),
                "previous_system": stored.get("previous_system"),
                "workstations": stored.get("workstations"),
                "needs": [{"code": n, "label": ro.NEEDS_PL.get(n, n)} for n in needs],
                "notes": stored.get("notes") or "",
                "people": {
                    "representative": _person(reps[0], standins, names) if reps else None,
                    "leaders": [_person(p, standins, names) for p in leaders],
                    "others": len([p for p in people if p.role is Role.OFFICIAL]),
                },
                "calendar": dict(self.calendar_info(office.code)) if self.calendar_info else None,
                "milestones": milestones,
                "training": self._office_training(people, components, attended),
                "knowledge_back": self._knowledge_back(tx, office, leaders),
            }
        )
        return out

    def update_profile(self, actor: Person, code: str, data: Mapping[str, Any]) -> dict[str, Any]:
        """Change an office's profile fields (representative of the office, coordinator)."""
        values = profile_values(data)
        if not values:
            raise InvalidInput(f"podaj co najmniej jedno pole profilu ({', '.join(PROFILE_FIELDS)})")
        ro.require_edit(actor, ro.Part.PROFILE, code)

        def _do(tx: RolloutRepo) -> None:
            self._office(tx, code)
            tx.put_office_profile(code, {**values, "updated_at": self.now(), "updated_by": actor.login})
            event = {k: v for k, v in values.items() if k != "notes"}
            if "notes" in values:
                event["text"] = values["notes"]  # free text: personal content, kept apart in the log
            self._event(tx, PROFILE_CHANGED, actor, {"office": code, **event})

        self.db.write(_do)
        return self.office(actor, code)

    def import_offices(
        self, lines: Sequence[OfficeLine], actor: Person | None = None
    ) -> tuple[int, int, int]:
        """The offices CSV: registry rows, and profiles where the file has their columns.

        Returns (offices added, offices updated, profiles changed).
        """

        def _do(tx: RolloutRepo) -> tuple[int, int, int]:
            added = sum(1 for line in lines if tx.upsert_office(line.office))
            profiles = 0
            for line in lines:
                if not line.profile:
                    continue
                try:
                    values = profile_values(line.profile)
                except InvalidInput as err:
                    raise InvalidInput(f"urząd {line.office.code}: {err}") from err
                tx.put_office_profile(
                    line.office.code,
                    {**values, "updated_at": self.now(), "updated_by": actor.login if actor else None},
                )
                event = {k: v for k, v in values.items() if k != "notes"}
                if values.get("notes"):
                    event["text"] = values["notes"]
                self._event(
                    tx, PROFILE_CHANGED, actor, {"office": line.office.code, "source": "csv", **event}
                )
                profiles += 1
            return added, len(lines) - added, profiles

        return self.db.write(_do)

    def set_standin(self, actor: Person, code: str, login: Any, standin: Any) -> dict[str, Any]:
        """Name who stands in for the office's representative or a leader (None removes it)."""
        if not isinstance(login, str) or not login:
            raise InvalidInput("pole 'login' (czyje zastępstwo) jest wymagane")
        if standin is not None and not isinstance(standin, str):
            raise InvalidInput("pole 'standin' musi być loginem osoby albo null")
        ro.require_edit(actor, ro.Part.PEOPLE, code)

        def _do(tx: RolloutRepo) -> None:
            self._office(tx, code)
            people = {p.login: p for p in tx.people_of_office(code)}
            who = people.get(login)
            if who is None or who.role not in (Role.REPRESENTATIVE, Role.LEADER):
                raise InvalidInput(f"'{login[:64]}' nie jest przedstawicielem ani liderem urzędu {code}")
            if standin:
                other = people.get(standin)
                if other is None or other.role not in OFFICE_ROLES:
                    raise InvalidInput(f"zastępca '{standin[:64]}' musi być osobą z urzędu {code}")
                if standin == login:
                    raise InvalidInput("osoba nie może zastępować samej siebie")
            tx.set_standin(code, login, standin or None)
            self._event(
                tx, STANDIN_CHANGED, actor, {"office": code, "login": login, "standin": standin or None}
            )

        self.db.write(_do)
        return self.office(actor, code)

    # --- milestones ---------------------------------------------------------------------------
    def _milestone(self, row: Row, today: date, system_names: Mapping[str, str]) -> dict[str, Any]:
        waits = [ro.Wait(w["start"], w["end"], w["reason"], w["note"]) for w in row["waits"]]
        split = ro.delay_split(row["planned"], row["done"], waits, today)
        status = ro.milestone_status(row["planned"], row["done"], split, today)
        end = row["done"] or today
        return {
            "kind": row["kind"],
            "label": ro.milestone_label(row["kind"], system_names),
            "planned": _iso(row["planned"]),
            "done": _iso(row["done"]),
            "office_note": row["office_note"],
            "status": status,
            "status_label": ro.STATUS_LABELS_PL[status],
            "delay_days": split.delay_days,
            "office_days": split.office_days,
            "contractor_days": split.contractor_days,
            "waiting_days": split.waiting_days,
            "attributed_to": split.attributed_to,
            "attributed_label": ro.ATTRIBUTION_PL.get(split.attributed_to or ""),
            "who_waits": ro.who_waits(status, split),
            "waits": [
                {
                    "id": w["id"],
                    "start": _iso(w["start"]),
                    "end": _iso(w["end"]),
                    "reason": w["reason"],
                    "reason_label": ro.WAIT_REASON_LABELS_PL.get(w["reason"], w["reason"]),
                    "note": w["note"],
                    "days": ro.waiting_days([ro.Wait(w["start"], w["end"], w["reason"])], end),
                }
                for w in row["waits"]
            ],
        }

    def set_milestone(self, actor: Person, code: str, kind: Any, data: Mapping[str, Any]) -> dict[str, Any]:
        """Plan a milestone or change it: `planned`, `done` (the plan: coordinators), `office_note`
        (the office side: its representative too). Returns the milestone."""
        _only(data, ("planned", "done", "office_note"))
        if not data:
            raise InvalidInput("podaj co najmniej jedno z pól: planned, done, office_note")
        values: dict[str, Any] = {}
        for key in ("planned", "done"):
            if key in data:
                values[key] = None if data[key] in (None, "") else ro.parse_date(data[key], key)
        if "office_note" in data:
            values["office_note"] = _text(data["office_note"], "office_note", ro.MAX_NOTE, multiline=True)
        plan = "planned" in values or "done" in values
        ro.require_edit(actor, ro.Part.PLAN if plan else ro.Part.OFFICE_SIDE, code)
        today = self.today()
        if values.get("done") and values["done"] > today:
            raise InvalidInput("data wykonania nie może być z przyszłości")

        def _do(tx: RolloutRepo) -> dict[str, Any]:
            self._office(tx, code)
            # A domain system's milestone only for an office that uses it (or a system of no office yet).
            systems = [
                s["id"] for s in tx.domain_systems() if code in _codes(s["offices"]) or not s["offices"]
            ]
            checked = ro.parse_milestone_kind(kind, systems)
            existing = tx.milestone(code, checked)
            if existing is None and not plan:
                raise NotFound(f"urząd {code} nie ma w planie kamienia milowego '{checked}'")
            tx.put_milestone(code, checked, {**values, "updated_at": self.now()})
            event: dict[str, Any] = {"office": code, "kind": checked}
            event.update({k: _iso(v) for k, v in values.items() if k in ("planned", "done")})
            if "office_note" in values:
                event["text"] = values["office_note"]
            self._event(tx, MILESTONE_CHANGED, actor, event)
            row = tx.milestone(code, checked)
            assert row is not None
            return self._milestone(row, today, _system_names(tx.domain_systems()))

        return self.db.write(_do)

    def start_wait(self, actor: Person, code: str, kind: Any, data: Mapping[str, Any]) -> dict[str, Any]:
        """Record that a milestone waits on the office from `start` (default today) for `reason`."""
        _only(data, ("start", "reason", "note"))
        reason = data.get("reason")
        if reason not in ro.WaitReason.__members__.values():
            raise InvalidInput(f"pole 'reason' musi być jednym z: {', '.join(ro.WaitReason)}")
        start = ro.parse_date(data["start"], "start") if data.get("start") else self.today()
        note = _text(data.get("note"), "note", ro.MAX_NOTE, multiline=True)
        ro.require_edit(actor, ro.Part.PLAN, code)
        today = self.today()
        if start > today:
            raise InvalidInput("oczekiwanie nie może zaczynać się w przyszłości")

        def _do(tx: RolloutRepo) -> dict[str, Any]:
            row = self._existing_milestone(tx, code, kind)
            if row["done"] is not None:
                raise Conflict("kamień milowy jest już wykonany")
            if any(w["end"] is None for w in row["waits"]):
                raise Conflict("kamień milowy już czeka na urząd: najpierw zakończ trwające oczekiwanie")
            wait_id = tx.add_wait(row["id"], start, str(reason), note)
            self._event(
                tx,
                MILESTONE_WAITING,
                actor,
                {
                    "office": code,
                    "kind": row["kind"],
                    "wait": wait_id,
                    "start": start.isoformat(),
                    "reason": reason,
                    "text": note or None,
                },
            )
            fresh = tx.milestone(code, row["kind"])
            assert fresh is not None
            return self._milestone(fresh, today, _system_names(tx.domain_systems()))

        return self.db.write(_do)

    def end_wait(self, actor: Person, code: str, kind: Any, data: Mapping[str, Any]) -> dict[str, Any]:
        """The office delivered: the milestone's open waiting ends on `end` (default today).

        The office side of a milestone: its representative may record it, as may coordinators.
        """
        _only(data, ("end",))
        end = ro.parse_date(data["end"], "end") if data.get("end") else self.today()
        ro.require_edit(actor, ro.Part.OFFICE_SIDE, code)
        today = self.today()
        if end > today:
            raise InvalidInput("data zakończenia oczekiwania nie może być z przyszłości")

        def _do(tx: RolloutRepo) -> dict[str, Any]:
            row = self._existing_milestone(tx, code, kind)
            open_wait = next((w for w in row["waits"] if w["end"] is None), None)
            if open_wait is None:
                raise Conflict("kamień milowy nie czeka na urząd")
            if end < open_wait["start"]:
                raise InvalidInput("oczekiwanie nie może skończyć się przed swoim początkiem")
            tx.end_wait(open_wait["id"], end)
            self._event(
                tx,
                MILESTONE_WAIT_ENDED,
                actor,
                {"office": code, "kind": row["kind"], "wait": open_wait["id"], "end": end.isoformat()},
            )
            fresh = tx.milestone(code, row["kind"])
            assert fresh is not None
            return self._milestone(fresh, today, _system_names(tx.domain_systems()))

        return self.db.write(_do)

    def _existing_milestone(self, tx: RolloutRepo, code: str, kind: Any) -> Row:
        self._office(tx, code)
        checked = ro.parse_milestone_kind(kind, [s["id"] for s in tx.domain_systems()])
        row = tx.milestone(code, checked)
        if row is None:
            raise NotFound(f"urząd {code} nie ma w planie kamienia milowego '{checked}'")
        return row

    def rollout(self, actor: Person) -> dict[str, Any]:
        """The regional plan: every office's milestones, which are late, why, who waits for whom,
        and the 12-month grid of planned milestones from the plan's first month."""
        ro.require_read(actor)
        today = self.today()

        def _do(tx: RolloutRepo) -> tuple[list[Office], list[Row], list[Row]]:
            return tx.list_offices(), tx.milestones(), tx.domain_systems()

        offices, rows, systems = self.db.read(_do)
        names = _system_names(systems)
        by_office: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            by_office.setdefault(row["office"], []).append(self._milestone(row, today, names))
        planned = [r["planned"] for r in rows if r["planned"] is not None]
        first = min(planned) if planned else today
        months = _months(first, SCHEDULE_MONTHS)
        out_offices = []
        for office in offices:
            ms = sorted(by_office.get(office.code, []), key=_milestone_order)
            grid: dict[str, list[str]] = {}
            for m in ms:
                when = m["done"] or m["planned"]
                if when and when[:7] in months:
                    grid.setdefault(when[:7], []).append(m["kind"])
            stage = _stage(ms)
            late = [m for m in ms if m["status"] in ("late", "waiting")]
            late_office = sum(m["office_days"] for m in late)
            late_contractor = sum(m["contractor_days"] for m in late)
            if not late:
                late_by = None
            elif late_contractor == 0:
                late_by = "urzad"
            else:
                late_by = "wykonawca" if late_office == 0 else "oba"
            out_offices.append(
                {
                    "code": office.code,
                    "name": office.name,
                    "type": office.type.value,
                    "stage": stage,
                    "stage_label": _stage_label(stage),
                    "late": bool(late),
                    "late_by": late_by,
                    "late_by_label": ro.ATTRIBUTION_PL.get(late_by or ""),
                    "office_days": sum(m["office_days"] for m in ms),
                    "contractor_days": sum(m["contractor_days"] for m in ms),
                    "waiting_on_office": any(m["status"] == "waiting" for m in ms),
                    "why": [f"{m['label']}: {m['who_waits']}" for m in late if m["who_waits"]],
                    "milestones": ms,
                    "by_month": grid,
                }
            )
        late = [o for o in out_offices if o["late"]]
        return {
            "as_of": today.isoformat(),
            "months": months,
            "offices": out_offices,
            "totals": {
                "offices": len(out_offices),
                "planned": sum(1 for o in out_offices if o["milestones"]),
                "in_production": sum(1 for o in out_offices if o["stage"] == ro.MilestoneKind.EZD_PRODUCTION),
                "late": len(late),
                "late_due_to_office": sum(1 for o in late if o["late_by"] == "urzad"),
                "late_due_to_contractor": sum(1 for o in late if o["late_by"] in ("wykonawca", "oba")),
                "waiting_on_office": sum(1 for o in out_offices if o["waiting_on_office"]),
                "office_days": sum(o["office_days"] for o in out_offices),
                "contractor_days": sum(o["contractor_days"] for o in out_offices),
            },
        }

    # --- knowledge transfer -------------------------------------------------------------------
    @staticmethod
    def _office_training(
        people: Sequence[Person],
        components: Sequence[str],
        attended: Mapping[str, list[ro.Attendance]],
    ) -> dict[str, Any]:
        leaders = [p for p in people if p.role is Role.LEADER]
        officials = [p for p in people if p.role is Role.OFFICIAL]
        presented = {
            p.login
            for p in officials
            if any(a.kind == ro.TrainingKind.PRESENTATION for a in attended.get(p.login, []))
        }
        coverage = []
        for component in components:
            trained = [p.login for p in leaders if ro.trained_on(attended.get(p.login, []), component)]
            coverage.append(
                {
                    "component": component,
                    "leaders": len(leaders),
                    "trained": len(trained),
                    "trained_logins": trained,
                }
            )
        return {
            "components": list(components),
            "leaders": [
                {
                    "login": p.login,
                    "name": p.name,
                    "trained": {c: _iso(ro.trained_on(attended.get(p.login, []), c)) for c in components},
                    "trainings": [
                        {"kind": a.kind, "component": a.component, "on": a.on.isoformat()}
                        for a in attended.get(p.login, [])
                    ],
                }
                for p in leaders
            ],
            "coverage": coverage,
            "officials": len(officials),
            "officials_presented": len(presented),
        }

    def _knowledge_back(self, tx: RolloutRepo, office: Office, leaders: Sequence[Person]) -> dict[str, Any]:
        resolved = tx.resolved_by([p.login for p in leaders])
        return {
            "articles_learned": tx.articles_learned().get(office.code, 0),
            "resolved_by_leaders": {p.login: resolved.get(p.login, 0) for p in leaders},
            "resolved_total": sum(resolved.values()),
        }

    def trainings(self, actor: Person) -> dict[str, Any]:
        """Every training with its number of participants."""
        ro.require_read(actor)
        rows = self.db.read(lambda tx: tx.trainings())
        return {"items": [_training(r) for r in rows], "total": len(rows)}

    def training(self, actor: Person, training_id: str) -> dict[str, Any]:
        """One training and who completed it."""
        ro.require_read(actor)

        def _do(tx: RolloutRepo) -> dict[str, Any]:
            row = tx.training(training_id)
            if row is None:
                raise NotFound(f"nie ma szkolenia '{str(training_id)[:64]}'")
            parts = tx.participants(training_id)
            return {
                **_training({**row, "participants": len(parts)}),
                "attended": [
                    {"login": p["login"], "completed_on": p["completed_on"].isoformat()} for p in parts
                ],
            }

        return self.db.read(_do)

    def put_training(self, actor: Person, data: Mapping[str, Any]) -> dict[str, Any]:
        """Record a training (coordinators): id, kind, component, held_on, title, office?"""
        _only(data, ("id", "kind", "component", "held_on", "title", "office"))
        ro.require_edit(actor, ro.Part.TRAINING)
        training_id = ro.check_slug(data.get("id"), "id szkolenia")
        kind = data.get("kind")
        if kind not in ro.TrainingKind.__members__.values():
            raise InvalidInput(f"pole 'kind' musi być jednym z: {', '.join(ro.TrainingKind)}")
        component = data.get("component")
        if not isinstance(component, str):
            raise InvalidInput("pole 'component' jest wymagane")
        component = parse_component(component)
        held_on = ro.parse_date(data.get("held_on"), "held_on")
        title = _text(data.get("title"), "title", ro.MAX_SHORT) or ro.TRAINING_LABELS_PL[str(kind)]
        office = data.get("office")
        if office is not None and not isinstance(office, str):
            raise InvalidInput("pole 'office' musi być kodem TERYT")
        values = {
            "id": training_id,
            "kind": str(kind),
            "component": component,
            "held_on": held_on,
            "title": title,
            "office": office or None,
        }

        def _do(tx: RolloutRepo) -> bool:
            if office:
                self._office(tx, office)
            new = tx.put_training(values)
            self._event(
                tx,
                TRAINING_RECORDED,
                actor,
                {
                    **values,
                    "training": training_id,
                    "id": None,
                    "held_on": held_on.isoformat(),
                    "title": None,
                },
            )
            return new

        new = self.db.write(_do)
        return {**self.training(actor, training_id), "created": new}

    def add_participants(
        self, actor: Person, training_id: str, entries: Iterable[tuple[str, date | None]]
    ) -> dict[str, Any]:
        """Record who completed a training (coordinators); see `record_attendance`."""
        return self.record_attendance(actor, [(training_id, login, on, None) for login, on in entries])

    def import_attendance(self, actor: Person, data: str) -> dict[str, Any]:
        """An attendance list (CSV, files.py): all its lines or, on any error, none."""
        lines = parse_attendance_csv(data)
        return self.record_attendance(actor, [(a.training, a.login, a.completed_on, a.line) for a in lines])

    def record_attendance(
        self, actor: Person, entries: Sequence[tuple[str, str, date | None, int | None]]
    ) -> dict[str, Any]:
        """Record completed trainings; every entry is checked before anything is stored.

        Returns how many were added, how many were known already, and the leaders who became
        trained for a component by them (with the day).
        """
        ro.require_edit(actor, ro.Part.TRAINING)
        if not entries:
            raise InvalidInput("brak uczestników do zapisania")
        today = self.today()

        def where(line: int | None) -> str:
            return f"linia {line}: " if line is not None else ""

        def _do(tx: RolloutRepo) -> dict[str, Any]:
            trainings: dict[str, Row] = {}
            people: dict[str, Person] = {}
            checked: list[tuple[Row, Person, date]] = []
            for training_id, login, on, line in entries:
                if training_id not in trainings:
                    row = tx.training(training_id)
                    if row is None:
                        raise InvalidInput(f"{where(line)}nie ma szkolenia '{training_id[:64]}'")
                    trainings[training_id] = row
                if login not in people:
                    person = tx.person_by("login", login) if isinstance(login, str) else None
                    if person is None:
                        raise InvalidInput(f"{where(line)}nie ma osoby o loginie '{str(login)[:64]}'")
                    people[login] = person
                when = on or trainings[training_id]["held_on"]
                if when > today:
                    raise InvalidInput(f"{where(line)}data ukończenia {when} jest z przyszłości")
                checked.append((trainings[training_id], people[login], when))
            logins = list(people)
            before = _attendance_by_login(tx.attendance(logins))
            added = already = 0
            for training, person, when in checked:
                if tx.attend(training["id"], person.login, when):
                    added += 1
                    self._event(
                        tx,
                        ATTENDANCE_RECORDED,
                        actor,
                        {
                            "training": training["id"],
                            "login": person.login,
                            "office": person.jst,
                            "completed_on": when.isoformat(),
                        },
                    )
                else:
                    already += 1
            after = _attendance_by_login(tx.attendance(logins))
            newly = []
            for login, person in people.items():
                if person.role is not Role.LEADER:
                    continue
                for component in ro.TRAINABLE_COMPONENTS:
                    was = ro.trained_on(before.get(login, []), component)
                    now = ro.trained_on(after.get(login, []), component)
                    if now is not None and was is None:
                        newly.append(
                            {
                                "login": login,
                                "name": person.name,
                                "office": person.jst,
                                "component": component,
                                "on": now.isoformat(),
                            }
                        )
            return {"added": added, "already": already, "trained_now": newly}

        return self.db.write(_do)

    def coverage(self, actor: Person) -> dict[str, Any]:
        """Per office and component: leaders trained of leaders; officials who saw the presentation."""
        ro.require_read(actor)

        def _do(tx: RolloutRepo) -> list[dict[str, Any]]:
            out = []
            learned = tx.articles_learned()
            facts = _Facts.read(tx, None)
            all_leaders = [
                p.login for people in facts.people.values() for p in people if p.role is Role.LEADER
            ]
            resolved_all = tx.resolved_by(all_leaders)
            for office in tx.list_offices():
                people = facts.people.get(office.code, [])
                components = ro.trainable(office.components)
                training = self._office_training(people, components, facts.attendance)
                resolved = {p.login: resolved_all.get(p.login, 0) for p in people if p.role is Role.LEADER}
                out.append(
                    {
                        "office": office.code,
                        "name": office.name,
                        "components": {
                            c["component"]: {"leaders": c["leaders"], "trained": c["trained"]}
                            for c in training["coverage"]
                        },
                        "officials": training["officials"],
                        "officials_presented": training["officials_presented"],
                        "articles_learned": learned.get(office.code, 0),
                        "resolved_by_leaders": sum(resolved.values()),
                    }
                )
            return out

        items = self.db.read(_do)
        return {"items": items, "components": list(ro.TRAINABLE_COMPONENTS)}

    def leaders_trained_in(
        self, tx: TrainingRepo, office: str, component: str | None
    ) -> dict[str, Any] | None:
        """Whether the office's leaders are trained for a ticket's component — for the course that
        covers it (domain/rollout.py COURSE_OF); None when no course does. Read in the caller's
        transaction: a ticket's read shows it beside the ticket."""
        course = ro.COURSE_OF.get(component or "")
        if course is None:
            return None
        leaders = tx.people_of_office(office, Role.LEADER.value)
        attended = _attendance_by_login(tx.attendance([p.login for p in leaders]))
        rows = [
            {
                "login": p.login,
                "name": p.name,
                "on": _iso(ro.trained_on(attended.get(p.login, []), course)),
            }
            for p in leaders
        ]
        trained = [r for r in rows if r["on"]]
        if not rows:
            text = f"Urząd nie ma lidera — nikt nie jest przeszkolony z {course}."
        elif len(trained) == len(rows):
            text = f"Liderzy urzędu są przeszkoleni z {course}."
        elif trained:
            text = f"Przeszkoleni z {course}: {len(trained)} z {len(rows)} liderów."
        else:
            text = f"Żaden lider urzędu nie jest przeszkolony z {course}."
        return {
            "component": course,
            "all_trained": bool(rows) and len(trained) == len(rows),
            "leaders": rows,
            "text": text,
        }

    # --- domain systems -----------------------------------------------------------------------
    def systems(self, actor: Person) -> dict[str, Any]:
        """The registry of domain systems, each with its tickets (total, open, escalated)."""
        ro.require_read(actor)

        def _do(tx: RolloutRepo) -> tuple[list[Row], dict[str, dict[str, int]]]:
            return tx.domain_systems(), tx.tickets_per_system()

        rows, counts = self.db.read(_do)
        items = [
            {**self._system(r), "tickets": counts.get(r["id"], {"total": 0, "open": 0, "escalated": 0})}
            for r in rows
        ]
        return {"items": items, "total": len(items)}

    def _system(self, row: Row) -> dict[str, Any]:
        contract = self.contracts.get(row["contract"] or "")
        return {
            "id": row["id"],
            "name": row["name"],
            "supplier": row["supplier"],
            "supporter": row["supporter"],
            "contract": row["contract"],
            "contractor": contract.contractor if contract else None,
            "offices": list(_codes(row["offices"])),
            "bus_services": list(_codes(row["bus_services"])),
        }

    def put_system(self, actor: Person, data: Mapping[str, Any]) -> dict[str, Any]:
        """Register or change a domain system (coordinators)."""
        _only(data, ("id", "name", "supplier", "supporter", "contract", "offices", "bus_services"))
        ro.require_edit(actor, ro.Part.SYSTEMS)
        system_id = ro.check_slug(data.get("id"), "id systemu")
        name = _text(data.get("name"), "name", ro.MAX_SHORT)
        supplier = _text(data.get("supplier"), "supplier", ro.MAX_SHORT)
        supporter = _text(data.get("supporter"), "supporter", ro.MAX_SHORT)
        if not name or not supplier or not supporter:
            raise InvalidInput("pola 'name', 'supplier' i 'supporter' są wymagane")
        contract = data.get("contract")
        if contract is not None and (not isinstance(contract, str) or contract not in self.contracts):
            known = ", ".join(sorted(self.contracts)) or "brak"
            raise InvalidInput(f"nieznana umowa '{str(contract)[:64]}' (znane: {known})")
        offices = ro.parse_codes(data.get("offices"), "offices")
        services = ro.parse_codes(data.get("bus_services"), "bus_services")
        values = {
            "id": system_id,
            "name": name,
            "supplier": supplier,
            "supporter": supporter,
            "contract": contract,
            "offices": ";".join(offices),
            "bus_services": ";".join(services),
        }

        def _do(tx: RolloutRepo) -> bool:
            for code in offices:
                self._office(tx, code)
            new = tx.put_domain_system(values)
            self._event(
                tx,
                SYSTEM_CHANGED,
                actor,
                {
                    **values,
                    "id": None,
                    "system": system_id,
                    "offices": list(offices),
                    "bus_services": list(services),
                },
            )
            return new

        new = self.db.write(_do)
        row = self.db.read(lambda tx: tx.domain_system(system_id))
        assert row is not None
        return {**self._system(row), "created": new}

    def check_system(self, system_id: Any, office: str) -> str:
        """The id of a registered domain system the office uses, or InvalidInput."""
        if not isinstance(system_id, str) or not system_id:
            raise InvalidInput("pole 'system' musi być identyfikatorem systemu dziedzinowego")
        row = self.db.read(lambda tx: tx.domain_system(system_id))
        if row is None:
            raise InvalidInput(f"nieznany system dziedzinowy '{system_id[:64]}'")
        offices = _codes(row["offices"])
        if offices and office not in offices:
            raise InvalidInput(f"urząd {office} nie korzysta z systemu {row['name']}")
        return system_id

    def system_name(self, system_id: str) -> str | None:
        """The registered name of a domain system (None when the registry no longer has it)."""
        row = self.db.read(lambda tx: tx.domain_system(system_id))
        return None if row is None else str(row["name"])

    def route(self, system_id: str, priority: str, at: datetime) -> tuple[str, str]:
        """(contract, contractor) a ticket about `system_id` is escalated under: the system's own
        contract with its supporter — never the core contractor's; Conflict when it has none."""
        row = self.db.read(lambda tx: tx.domain_system(system_id))
        if row is None:
            raise Conflict(f"nieznany system dziedzinowy '{system_id[:64]}'")
        if not row["contract"]:
            raise Conflict(
                f"system {row['name']} wspiera {row['supporter']} bez umowy serwisowej w help-desku: "
                "zgłoszenie trzeba przekazać bezpośrednio wspierającemu"
            )
        contract = self.contracts.get(row["contract"])
        if contract is None:
            raise Conflict(f"umowa '{row['contract']}' systemu {row['name']} nie jest wczytana")
        if not contract.covers(at.astimezone(self.tz).date()):
            raise Conflict(f"umowa '{contract.id}' systemu {row['name']} nie obowiązuje w tym dniu")
        if priority not in contract.in_force(at.astimezone(self.tz).date()).priorities:
            raise Conflict(
                f"umowa '{contract.id}' systemu {row['name']} nie przewiduje priorytetu '{priority}'"
            )
        return contract.id, contract.contractor


# --- helpers ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Facts:
    """What profiles are made of, read in a few queries for every office (or for one), so the
    registry of some 300 offices costs the same handful of queries as one office."""

    profiles: Mapping[str, Row]
    people: Mapping[str, list[Person]]  # office → its active representative, leaders and officials
    standins: Mapping[str, dict[str, str]]
    systems: list[Row]
    attendance: Mapping[str, list[ro.Attendance]]  # login → completed trainings
    milestones: Mapping[str, list[Row]]  # office → milestones with their waits

    @classmethod
    def read(cls, tx: RolloutRepo, code: str | None) -> _Facts:
        """The facts of every office (`code` None) or of one."""
        people: dict[str, list[Person]] = {}
        if code is None:
            for role in (Role.REPRESENTATIVE, Role.LEADER, Role.OFFICIAL):
                for person in tx.people_by_role(role.value):
                    if person.jst:
                        people.setdefault(person.jst, []).append(person)
            profiles = tx.office_profiles()
            attendance = _attendance_by_login(tx.attendance(None))
        else:
            people[code] = tx.people_of_office(code)
            profile = tx.office_profile(code)
            profiles = {code: profile} if profile else {}
            attendance = _attendance_by_login(tx.attendance([p.login for p in people[code]]))
        milestones: dict[str, list[Row]] = {}
        for row in tx.milestones(code):
            milestones.setdefault(row["office"], []).append(row)
        return cls(profiles, people, tx.standins(code), tx.domain_systems(), attendance, milestones)


def _codes(value: str) -> tuple[str, ...]:
    return tuple(c for c in value.split(";") if c)


def _system_names(systems: Iterable[Row]) -> dict[str, str]:
    return {s["id"]: s["name"] for s in systems}


def _attendance_by_login(rows: Iterable[Row]) -> dict[str, list[ro.Attendance]]:
    out: dict[str, list[ro.Attendance]] = {}
    for r in rows:
        out.setdefault(r["login"], []).append(ro.Attendance(r["kind"], r["component"], r["completed_on"]))
    return out


def _person(person: Person, standins: Mapping[str, str], names: Mapping[str, str]) -> dict[str, Any]:
    standin = standins.get(person.login)
    return {
        "login": person.login,
        "name": person.name,
        "email": person.email,
        "standin": {"login": standin, "name": names.get(standin, standin)} if standin else None,
    }


def _training(row: Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "kind": row["kind"],
        "kind_label": ro.TRAINING_LABELS_PL.get(row["kind"], row["kind"]),
        "component": row["component"],
        "held_on": row["held_on"].isoformat(),
        "title": row["title"],
        "office": row["office"],
        "participants": row.get("participants", 0),
    }


def _milestone_order(m: Mapping[str, Any]) -> tuple[int, str]:
    kind = str(m["kind"])
    return (MILESTONE_ORDER.index(kind) if kind in MILESTONE_ORDER else len(MILESTONE_ORDER), kind)


def _stage(milestones: Sequence[Mapping[str, Any]]) -> str | None:
    """The furthest core milestone done (domain systems do not make a stage)."""
    done = [m["kind"] for m in milestones if m["done"] and m["kind"] in MILESTONE_ORDER]
    return max(done, key=MILESTONE_ORDER.index) if done else None


def _stage_label(stage: str | None) -> str:
    return ro.MILESTONE_LABELS_PL[stage] if stage else "przed wdrożeniem"


def _months(first: date, count: int) -> list[str]:
    out = []
    year, month = first.year, first.month
    for _ in range(count):
        out.append(f"{year:04d}-{month:02d}")
        month += 1
        if month > 12:
            year, month = year + 1, 1
    return out


_DAY_NAMES_PL = ("pon.", "wt.", "śr.", "czw.", "pt.", "sob.", "niedz.")


def describe_calendar(calendar: BusinessCalendar | None, code: str) -> dict[str, Any]:
    """An office calendar as its profile shows it: working days, hours, exceptions."""
    if calendar is None:
        return {"source": "brak", "url": f"/api/v1/offices/{code}/calendar"}

    def hhmm(minute: int) -> str:
        return f"{minute // 60:02d}:{minute % 60:02d}"

    return {
        "timezone": calendar.timezone,
        "days": [_DAY_NAMES_PL[d] for d in sorted(calendar.weekdays)],
        "hours": [hhmm(calendar.start_minute), hhmm(calendar.end_minute)],
        "closed": sorted(d.isoformat() for d in calendar.closed),
        "open": sorted(d.isoformat() for d in calendar.open),
        "name": calendar.name,
    }
