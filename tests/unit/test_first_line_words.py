"""The first line's targets on the ticket page, said in words (web/pages/sla_words.py)."""

from helpdesk.web.pages.sla_words import first_line_in_words


def metric(elapsed: float, target: float | None, state: str | None, due: str | None = None) -> dict:
    return {"elapsed_min": elapsed, "target_min": target, "state": state, "due_at": due}


def test_each_target_reads_met_overrun_or_running_with_its_deadline():
    shown = first_line_in_words(
        {
            "metrics": {
                "take": metric(20, 240, "met"),
                "answer": metric(600, 480, "breached"),
                "resolve_or_escalate": metric(600, 1440, "running", "2027-03-02T09:00:00+01:00"),
            },
            "waiting_for_official_min": 90,
        }
    )
    assert shown is not None
    rows = {r["name"]: r for r in shown["rows"]}
    assert rows["podjęcie"]["words"] == "20 min z 4 h, dotrzymano" and rows["podjęcie"]["due"] is None
    assert rows["pierwsza odpowiedź"]["words"] == "przekroczono o 2 h (10 h z 8 h)"
    assert rows["pierwsza odpowiedź"]["css"] == "breached"
    running = rows["rozwiązanie lub przekazanie Wykonawcy"]
    assert running["words"] == "10 h z 24 h, w toku" and running["due_iso"] == "2027-03-02T09:00:00+01:00"
    # In the order the clocks run in.
    assert list(rows) == ["podjęcie", "pierwsza odpowiedź", "rozwiązanie lub przekazanie Wykonawcy"]
    assert shown["waiting"] == "1 h 30 min"


def test_targets_the_priority_does_not_have_are_left_out_and_none_at_all_is_no_section():
    only = first_line_in_words({"metrics": {"take": metric(5, 30, "met"), "answer": metric(5, None, None)}})
    assert only is not None and [r["name"] for r in only["rows"]] == ["podjęcie"] and only["waiting"] == ""
    assert first_line_in_words({"metrics": {"take": metric(5, None, None)}}) is None
    assert first_line_in_words(None) is None
