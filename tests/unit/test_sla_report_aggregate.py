"""The pure report builder: which tickets belong to a period, percentiles, scopes, formats."""

from datetime import date, datetime

import pytest

from helpdesk.adapters.files.contracts import load_contracts
from helpdesk.domain.errors import Forbidden, InvalidInput
from helpdesk.domain.people import Person
from helpdesk.domain.roles import Role
from helpdesk.services.sla.report import build_report, scope_filter
from helpdesk.services.sla.report_formats import render
from tests.support.world import REPO, WARSAW

CONTRACTS = dict(load_contracts(REPO / "sla"))
NOW = datetime(2027, 6, 1, 12, 0, tzinfo=WARSAW)


def ticket(no, escalated_at, acked_at=None, office="1462011"):
    records = [
        {
            "seq": 1,
            "at": escalated_at,
            "type": "escalated",
            "contract": "umowa-ezd-2026",
            "priority": "normal",
        }
    ]
    if acked_at:
        records.append({"seq": 2, "at": acked_at, "type": "acknowledged"})
    return {"no": no, "office": office, "component": "EZD"}, records


def report(inputs, start=date(2027, 3, 1), end=date(2027, 3, 31)):
    return build_report(inputs, CONTRACTS, start, end, NOW, WARSAW, ("ab" * 32, 7))


def test_period_is_inclusive_in_warsaw_time():
    inputs = [
        ticket(1, "2027-02-28T23:59:00+01:00"),
        ticket(2, "2027-03-01T00:00:00+01:00"),
        ticket(3, "2027-03-31T23:59:00+02:00"),
        ticket(4, "2027-03-31T22:00:00+00:00"),
    ]
    got = [t["ticket"] for t in report(inputs)["tickets"]]
    assert got == ["T-000002", "T-000003"]  # 22:00 UTC on 31 March is already 1 April in Warsaw


def test_median_and_nearest_rank_p90():
    inputs = [
        ticket(i, "2027-03-01T08:00:00+01:00", f"2027-03-01T{8 + i // 60:02d}:{i % 60:02d}:00+01:00")
        for i in range(1, 11)
    ]  # reactions of 1..10 minutes
    reaction = report(inputs)["total"]["metrics"]["reaction"]
    assert (reaction["count"], reaction["met"], reaction["median_min"], reaction["p90_min"]) == (
        10,
        10,
        5.5,
        9.0,
    )


def test_head_is_stated_and_every_format_renders():
    r = report([ticket(1, "2027-03-01T09:00:00+01:00", "2027-03-02T15:00:00+01:00")])
    assert r["event_log"] == {"head": "ab" * 32, "events": 7}
    assert r["total"]["metrics"]["reaction"]["breached"] == 1
    for fmt in ("json", "csv", "xlsx", "html"):
        assert render(r, fmt)
    with pytest.raises(InvalidInput):
        render(r, "pdf")
    with pytest.raises(InvalidInput):
        report([], date(2027, 3, 2), date(2027, 3, 1))


def test_scopes():
    def person(role, jst=None, contractor=None):
        return Person(id=1, login="x", name="X", role=role, jst=jst, contractor=contractor)

    assert scope_filter(person(Role.AUDITOR)) == {}
    assert scope_filter(person(Role.LEADER, jst="1462011")) == {"office": "1462011"}
    assert scope_filter(person(Role.AGENT, contractor="w")) == {"contractor": "w"}
    with pytest.raises(Forbidden):
        scope_filter(person(Role.OFFICIAL, jst="1462011"))


def test_the_html_report_writes_numbers_and_times_as_polish_readers_do():
    # Reactions of 90 and 95 minutes, and one of 1 320 (Monday 09:00 to Wednesday 15:00 in 08–16
    # hours: 7 + 8 + 7 h) against a target of 480: median 95, nearest-rank p90 1 320, one penalty.
    inputs = [
        ticket(1, "2027-03-01T09:00:00+01:00", "2027-03-01T10:30:00+01:00"),
        ticket(2, "2027-03-01T09:00:00+01:00", "2027-03-01T10:35:00+01:00"),
        ticket(3, "2027-03-01T09:00:00+01:00", "2027-03-03T15:00:00+01:00"),
    ]
    r = report(inputs)
    penalty = r["total"]["penalty_pln"]
    assert penalty >= 1000  # thousands, to be spaced
    page = render(r, "html").decode("utf-8")
    text = page.replace("\xa0", " ")
    thousands, rest = divmod(int(penalty), 1000)
    assert f"Kary (z limitem): <b>{thousands} {rest:03d},00 zł</b>" in text
    assert f"{thousands} {rest:03d},00" in text and f">{int(penalty)}<" not in page
    assert "01.03.2027 09:00" in page and "2027-03-01T09:00:00+01:00</td>" not in page
    assert "2/1/0, 95, 1 320" in text
    assert ".0<" not in page and ".0," not in page  # no English decimals left in the tables
