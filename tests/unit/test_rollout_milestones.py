"""A milestone's delay and status (domain/rollout.py) worked by hand, day by day: a milestone without
a planned date, waiting that started or ends today, the planned day itself; and who may edit or read
the rollout, refused word for word."""

from datetime import date

import pytest

from helpdesk.domain.errors import Forbidden
from helpdesk.domain.people import Person
from helpdesk.domain.roles import Role
from helpdesk.domain.rollout import (
    DelaySplit,
    Part,
    PeopleFacts,
    Wait,
    delay_split,
    milestone_status,
    missing,
    require_edit,
    require_read,
)

TODAY = date(2027, 5, 10)


def wait(start: date, end: date | None) -> Wait:
    return Wait(start, end, "dane")


def test_an_unplanned_milestone_has_no_delay_but_its_waiting_is_counted():
    split = delay_split(None, None, [wait(date(2027, 5, 1), date(2027, 5, 4))], TODAY)
    assert split == DelaySplit(0, 0, 0, 3, False)
    assert milestone_status(None, None, split, TODAY) == "unplanned"
    waiting = delay_split(None, None, [wait(date(2027, 5, 8), None)], TODAY)
    assert waiting == DelaySplit(0, 0, 0, 2, True)


def test_waiting_is_going_on_from_its_first_day_until_the_day_before_its_end():
    assert delay_split(None, None, [wait(TODAY, None)], TODAY).waiting_now is True
    assert delay_split(None, None, [wait(date(2027, 5, 1), TODAY)], TODAY).waiting_now is False
    assert delay_split(None, None, [wait(date(2027, 5, 1), date(2027, 5, 11))], TODAY).waiting_now is True
    assert delay_split(None, None, [wait(date(2027, 5, 11), None)], TODAY).waiting_now is False
    assert delay_split(None, TODAY, [wait(date(2027, 5, 1), None)], TODAY).waiting_now is False


def test_a_milestone_is_late_from_the_day_after_its_planned_date():
    on_the_day = delay_split(TODAY, None, [], TODAY)
    assert milestone_status(TODAY, None, on_the_day, TODAY) == "planned"
    after = delay_split(date(2027, 5, 9), None, [], TODAY)
    assert after == DelaySplit(1, 0, 1, 0, False)
    assert milestone_status(date(2027, 5, 9), None, after, TODAY) == "late"
    assert milestone_status(
        date(2027, 5, 20), None, delay_split(date(2027, 5, 20), None, [], TODAY), TODAY
    ) == ("planned")
    assert milestone_status(date(2027, 5, 9), TODAY, after, TODAY) == "done"


def test_a_missing_stand_in_names_the_representative_by_name_or_login():
    facts = PeopleFacts(
        representatives=["przedst.plock"], leaders=["lider.plock"], standins={"lider.plock": "x"}
    )
    assert missing(facts, "mieszany", {"przedst.plock": "Anna Nowak"}) == [
        "przedstawiciel Anna Nowak nie ma zastępcy"
    ]
    assert missing(facts, "mieszany") == ["przedstawiciel przedst.plock nie ma zastępcy"]


def person(role: Role, jst: str | None = None) -> Person:
    return Person(1, "x", "x", role, jst=jst)


@pytest.mark.parametrize(
    ("part", "message"),
    [
        (Part.PROFILE, "tę zmianę może wprowadzić tylko przedstawiciel tego urzędu albo koordynator"),
        (Part.OFFICE_SIDE, "tę zmianę może wprowadzić tylko przedstawiciel tego urzędu albo koordynator"),
        (Part.PLAN, "tę zmianę może wprowadzić tylko koordynator (Urząd Marszałkowski)"),
        (Part.SYSTEMS, "tę zmianę może wprowadzić tylko koordynator (Urząd Marszałkowski)"),
    ],
)
def test_a_refused_edit_says_who_may_make_it(part, message):
    with pytest.raises(Forbidden) as caught:
        require_edit(person(Role.LEADER, "1462011"), part, "1462011")
    assert str(caught.value) == message
    require_edit(person(Role.COORDINATOR), part, "1462011")


def test_an_official_is_told_the_rollout_is_not_for_their_role():
    with pytest.raises(Forbidden) as caught:
        require_read(person(Role.OFFICIAL, "1462011"))
    assert str(caught.value) == "harmonogram wdrożenia i profile urzędów są niedostępne dla tej roli"
    require_read(person(Role.AUDITOR))


def test_leaders_over_the_limit_and_untrained_are_named_by_name_or_login():
    facts = PeopleFacts(
        representatives=["przedst.plock"],
        leaders=["l1", "l2"],
        standins={"przedst.plock": "x", "l1": "x", "l2": "x"},
        untrained={"l1": ["EZD", "ESB"]},
        leaders_max=1,
    )
    assert missing(facts, "mieszany", {"l2": "Jan Nowak"}) == [
        "liderów jest 2, a limit urzędu wynosi 1",
        "lider l1 nie jest przeszkolony z: EZD, ESB",
    ]
    facts.standins.pop("l2")
    assert missing(facts, "mieszany", {"l2": "Jan Nowak"})[-1] == "lider Jan Nowak nie ma zastępcy"
