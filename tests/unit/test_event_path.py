"""Every event a use case writes goes through services/events.py: no service appends one itself."""

import ast
from pathlib import Path

SERVICES = Path(__file__).resolve().parents[2] / "src" / "helpdesk" / "services"


def appends_of(path: Path) -> list[str]:
    """Calls that write events straight to a repository: `x.new_ticket(…)`, `x.append(no, type, …)`."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            name = node.func.attr
            # list.append takes one argument; the repository's append takes the ticket, type, actor, time.
            if name == "new_ticket" or (name == "append" and len(node.args) + len(node.keywords) >= 4):
                found.append(f"{path.relative_to(SERVICES)}:{node.lineno} {ast.unparse(node.func)}")
    return found


def test_only_the_event_recorder_appends_events_to_a_ticket() -> None:
    writers = [
        call
        for path in sorted(SERVICES.rglob("*.py"))
        if path.name != "events.py"
        for call in appends_of(path)
    ]
    recorder_calls = [c for c in writers if "recorder.append" in c]
    assert [c for c in writers if c not in recorder_calls] == []
    assert recorder_calls, "the ticket service and the sweep append through the recorder"
