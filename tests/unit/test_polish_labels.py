"""Every event kind, state, action and priority has a Polish name where people read it, and the
codes some events carry (an SLA clock, a first-line reminder's level, a resume's reason) are said
in Polish too. A new event kind added to domain/events.py without a label fails here."""

import ast
from pathlib import Path

import pytest

from helpdesk.domain import events as ev
from helpdesk.domain.tickets import (
    ACTION_LABELS_PL,
    PRIORITY_LABELS_PL,
    STATE_LABELS_PL,
    Action,
    Priority,
    State,
)
from helpdesk.web.pages.event_words import event_detail

EVENTS_PY = Path(ev.__file__)


def event_kinds() -> dict[str, str]:
    """Every `NAME = "kind"` between the "# Event types." comment and the labels, read from the source
    (so a kind added there is found even if nothing else mentions it yet)."""
    source = EVENTS_PY.read_text(encoding="utf-8")
    start = source.index("# Event types.")
    end = source.index("EVENT_LABELS_PL")
    found = {}
    for node in ast.parse(source[start:end]).body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
            found[node.targets[0].id] = node.value.value  # type: ignore[attr-defined]
    return found


def test_the_event_kinds_are_found():
    kinds = event_kinds()
    assert kinds["CREATED"] == "created" and kinds["LOG_REANCHORED"] == "log_reanchored"
    assert len(kinds) >= 21


@pytest.mark.parametrize("name", sorted(event_kinds()))
def test_every_event_kind_has_a_polish_label(name):
    kind = event_kinds()[name]
    label = ev.EVENT_LABELS_PL.get(kind)
    assert label, f"{name} = {kind!r} has no label in EVENT_LABELS_PL"
    assert kind not in label and "_" not in label, label


def test_every_state_action_and_priority_has_a_polish_label():
    assert set(STATE_LABELS_PL) == set(State)
    assert set(ACTION_LABELS_PL) == set(Action)
    assert set(PRIORITY_LABELS_PL) == set(Priority)
    for label in [*STATE_LABELS_PL.values(), *ACTION_LABELS_PL.values(), *PRIORITY_LABELS_PL.values()]:
        assert label and "_" not in label, label


def test_codes_carried_by_events_are_said_in_polish():
    assert event_detail({"type": ev.SLA_BREACHED, "metric": "fix"}) == "naprawa"
    warning = event_detail({"type": ev.SLA_WARNING, "metric": "reaction", "share": 0.8})
    assert warning == "reakcja, minęło 80% czasu"
    assert event_detail({"type": ev.SLA_BREACHED, "metric": "take"}) == "podjęcie"
    assert "liderom" in event_detail({"type": ev.FIRST_LINE_ALERT, "level": 1})
    assert "koordynatorom" in event_detail({"type": ev.FIRST_LINE_ALERT, "level": 2})
    escalated = event_detail({"type": ev.ESCALATED, "priority": "high", "contract": "umowa-ezd-2026"})
    assert escalated == "awaria, umowa: umowa-ezd-2026"
    titled = {"umowa-ezd-2026": "Utrzymanie EZD"}
    assert (
        event_detail({"type": ev.ESCALATED, "contract": "umowa-ezd-2026"}, titled) == "umowa: Utrzymanie EZD"
    )
    assert event_detail({"type": ev.RESUMED, "reason": "office_answer"}) == "urząd odpowiedział"
    changed = event_detail({"type": ev.COMPONENT_CHANGED, "component": "EZD"})
    assert changed == "EZD (elektroniczne zarządzanie dokumentacją)"
    assert event_detail({"type": ev.COMMENTED, "text": "x"}) == ""
