"""The SLA clocks of a ticket said in words, deadlines in the desk's time zone: the contractor's
("reakcja: 40 min z 60 min, dotrzymana"; "naprawa: przekroczona o 49 h"), in working minutes of the
contract's calendar (services/sla/live.py), and the office's own first line ("pierwsza odpowiedź:
przekroczono o 2 h"), in working minutes of the office calendar."""

from datetime import datetime
from typing import Any

from helpdesk.domain.numbers import duration, pln
from helpdesk.domain.office_terms import FIRST_LINE_LABELS_PL, FIRST_LINE_METRICS
from helpdesk.web.pages.render import local_time

METRIC_NAMES = {"reaction": "reakcja", "workaround": "obejście", "fix": "naprawa"}
STATE_WORDS = {
    "met": "dotrzymana",
    "breached": "przekroczona",
    "running": "w toku",
    "paused": "wstrzymana",
}
"""The contractor's clocks (reakcja, obejście, naprawa) are feminine nouns: the words agree."""
FIRST_LINE_STATE_WORDS = {"met": "dotrzymano", "breached": "przekroczono", "running": "w toku"}
"""The first line's names differ in gender (podjęcie, pierwsza odpowiedź): the words say what happened."""


def clock_in_words(elapsed: float, target: float, state: str, words: dict[str, str]) -> str:
    """One clock as a sentence: "40 min z 1 h, dotrzymana", "przekroczona o 2 h (10 h z 8 h)"."""
    if state == "breached":
        return (
            f"{words['breached']} o {duration(elapsed - target)} ({duration(elapsed)} z {duration(target)})"
        )
    return f"{duration(elapsed)} z {duration(target)}, {words.get(state, state)}"


def sla_in_words(sla: dict[str, Any] | None, now: datetime) -> dict[str, Any] | None:
    """Rows (name, sentence, css class, deadline shown, deadline ISO for the live clock) and totals."""
    if not sla:
        return None
    rows = []
    for key, m in sla.get("metrics", {}).items():
        name = METRIC_NAMES.get(key, key)
        elapsed, target, state = float(m["elapsed_min"]), float(m["target_min"]), str(m["state"])
        if m.get("paused") and state == "running":
            state = "paused"
        css = {"breached": "breached", "met": "met"}.get(state, "running")
        due = m.get("due_at")
        rows.append(
            {
                "name": name,
                "words": clock_in_words(elapsed, target, state, STATE_WORDS),
                "css": css,
                "due": local_time(due) if due else None,  # a stopped clock has none to show
                "due_iso": due if state in ("running",) and due else "",
                "penalty": pln(float(m.get("penalty_pln") or 0)),
            }
        )
    return {
        "rows": rows,
        "contract": sla.get("contract"),
        "out_of_contract": sla.get("out_of_contract"),
        "penalty": pln(float(sla.get("penalty_pln") or 0)),
        "escalated_at": local_time(sla.get("escalated_at")),
    }


def first_line_in_words(first_line: dict[str, Any] | None) -> dict[str, Any] | None:
    """The first line's targets of a ticket (take, answer, resolve or escalate) as rows like the
    contractor's: name, sentence, css class, deadline. A metric without a target for the ticket's priority is left out; None when none has one."""
    if not first_line:
        return None
    rows = []
    for key in FIRST_LINE_METRICS:
        m = (first_line.get("metrics") or {}).get(key)
        if not m or m.get("target_min") is None or m.get("state") is None:
            continue
        elapsed, target, state = float(m["elapsed_min"]), float(m["target_min"]), str(m["state"])
        due = m.get("due_at")
        rows.append(
            {
                "name": FIRST_LINE_LABELS_PL.get(key, key),
                "words": clock_in_words(elapsed, target, state, FIRST_LINE_STATE_WORDS),
                "css": {"breached": "breached", "met": "met"}.get(state, "running"),
                "due": local_time(due) if due and state == "running" else None,
                "due_iso": due if due and state == "running" else "",
            }
        )
    if not rows:
        return None
    waiting = float(first_line.get("waiting_for_official_min") or 0)
    return {"rows": rows, "waiting": duration(waiting) if waiting else ""}
