"""What a ticket's history says about each event besides its name, in Polish: which SLA clock a
warning or breach is about, which reminder of the first line, the priority and contract of an
escalation, the new component or priority, why work resumed. Free texts (notes, file names) are
shown as they were written; this covers the events that carry only codes."""

from collections.abc import Mapping
from typing import Any

from helpdesk.domain import events as ev
from helpdesk.domain.office_terms import FIRST_LINE_LABELS_PL
from helpdesk.domain.offices import COMPONENT_LABELS_PL
from helpdesk.domain.tickets import PRIORITY_LABELS_PL, Priority
from helpdesk.services.tickets import OFFICE_ANSWER
from helpdesk.web.pages.sla_words import METRIC_NAMES

FIRST_LINE_LEVELS = {
    1: "przypomnienie liderom urzędu",
    2: "przekazane przedstawicielowi urzędu i koordynatorom",
}
RESUME_REASONS = {OFFICE_ANSWER: "urząd odpowiedział"}


def _priority(value: Any) -> str:
    try:
        return PRIORITY_LABELS_PL[Priority(str(value))]
    except ValueError:
        return str(value)


def _metric(value: Any) -> str:
    name = str(value or "")
    return METRIC_NAMES.get(name) or FIRST_LINE_LABELS_PL.get(name) or name


def event_detail(event: Mapping[str, Any], contract_titles: Mapping[str, str] | None = None) -> str:
    """The Polish detail of an event's codes ("" when it has none worth saying); a contract by the
    title `contract_titles` gives it (its id otherwise)."""
    kind = event.get("type")
    if kind in (ev.SLA_WARNING, ev.SLA_BREACHED) and event.get("metric"):
        detail = _metric(event["metric"])  # the label already says "termin SLA": just which clock
        share = event.get("share")
        if kind == ev.SLA_WARNING and isinstance(share, int | float):
            detail += f", minęło {round(float(share) * 100)}% czasu"
        return detail
    if kind == ev.FIRST_LINE_ALERT:
        return FIRST_LINE_LEVELS.get(int(event.get("level") or 1), FIRST_LINE_LEVELS[2])
    if kind == ev.ESCALATED:
        parts = [_priority(event["priority"])] if event.get("priority") else []
        if event.get("contract"):
            contract = str(event["contract"])
            parts.append(f"umowa: {(contract_titles or {}).get(contract, contract)}")
        return ", ".join(parts)
    if kind == ev.PRIORITY_CHANGED and event.get("priority"):
        return _priority(event["priority"])
    if kind == ev.COMPONENT_CHANGED and event.get("component"):
        return COMPONENT_LABELS_PL.get(str(event["component"]), str(event["component"]))
    if kind == ev.RESUMED and event.get("reason"):
        return RESUME_REASONS.get(str(event["reason"]), "")
    if kind == ev.PERSONAL_DATA_REMOVED:
        return "po upływie okresu przechowywania danych osobowych"
    return ""
