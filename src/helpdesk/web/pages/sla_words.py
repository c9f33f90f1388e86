"""The contractor's SLA clocks of a ticket said in words ("reakcja: 40 min z 60 min, dotrzymana";
"naprawa: przekroczona o 49 h"), deadlines in the desk's time zone. Elapsed and target are
working minutes of the contract's calendar (services/sla/live.py), so are the overruns."""

from datetime import datetime
from typing import Any

from helpdesk.domain.numbers import duration, pln
from helpdesk.web.pages.render import local_time

METRIC_NAMES = {"reaction": "reakcja", "workaround": "obejście", "fix": "naprawa"}
STATE_WORDS = {
    "met": "dotrzymana",
    "breached": "przekroczona",
    "running": "w toku",
    "paused": "wstrzymana",
}


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
        if state == "breached":
            words = f"przekroczona o {duration(elapsed - target)} ({duration(elapsed)} z {duration(target)})"
        elif state == "met":
            words = f"{duration(elapsed)} z {duration(target)}, dotrzymana"
        else:
            words = f"{duration(elapsed)} z {duration(target)}, {STATE_WORDS.get(state, state)}"
        css = {"breached": "breached", "met": "met"}.get(state, "running")
        due = m.get("due_at")
        rows.append(
            {
                "name": name,
                "words": words,
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
