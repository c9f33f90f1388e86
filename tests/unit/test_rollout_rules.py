"""The rollout's rules: who may edit what, how a milestone's delay is split between the partner
office and the contractor, when a leader counts as trained, what a profile lacks."""

from datetime import date

import pytest

from helpdesk.domain import rollout as ro
from helpdesk.domain.errors import Forbidden
from helpdesk.domain.people import Person
from helpdesk.domain.roles import Role

D = date.fromisoformat


def person(role: Role, jst: str | None = None) -> Person:
    return Person(id=1, login=f"x.{role.value}", name="X", role=role, jst=jst)


REP = person(Role.REPRESENTATIVE, "1462011")


@pytest.mark.parametrize("part", [ro.Part.PROFILE, ro.Part.PEOPLE, ro.Part.OFFICE_SIDE])
def test_the_representative_edits_the_office_parts_of_their_own_office_only(part):
    assert ro.can_edit(REP, part, "1462011")
    assert not ro.can_edit(REP, part, "1419112")


@pytest.mark.parametrize("part", [ro.Part.PLAN, ro.Part.TRAINING, ro.Part.SYSTEMS])
def test_the_representative_does_not_edit_the_plan_trainings_or_the_registry(part):
    assert not ro.can_edit(REP, part, "1462011")
    with pytest.raises(Forbidden, match="koordynator"):
        ro.require_edit(REP, part, "1462011")


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.ADMIN])
def test_coordinators_edit_everything_of_every_office(role):
    assert all(ro.can_edit(person(role), part, "1419112") for part in ro.Part)


@pytest.mark.parametrize("role", [Role.LEADER, Role.AGENT, Role.AUDITOR, Role.OFFICIAL])
def test_leaders_agents_auditors_and_officials_edit_nothing(role):
    someone = person(role, "1462011" if role in (Role.LEADER, Role.OFFICIAL) else None)
    assert not any(ro.can_edit(someone, part, "1462011") for part in ro.Part)


def test_officials_do_not_read_the_rollout_but_every_other_role_does():
    with pytest.raises(Forbidden):
        ro.require_read(person(Role.OFFICIAL, "1462011"))
    for role in (Role.LEADER, Role.REPRESENTATIVE, Role.AGENT, Role.COORDINATOR, Role.AUDITOR, Role.ADMIN):
        ro.require_read(person(role, "1462011"))


def test_a_delay_while_waiting_on_the_office_is_the_office_s_share():
    # Planned 1 March, done 11 March: 10 days late; the office kept the contractor waiting 7 of them.
    waits = [ro.Wait(D("2027-02-25"), D("2027-03-04"), "dane")]
    split = ro.delay_split(D("2027-03-01"), D("2027-03-11"), waits, today=D("2027-04-01"))
    assert (split.delay_days, split.office_days, split.contractor_days) == (10, 7, 3)
    assert split.attributed_to == "oba"


def test_waiting_longer_than_the_delay_leaves_the_contractor_nothing():
    waits = [ro.Wait(D("2027-02-01"), D("2027-03-05"), "sprzet")]
    split = ro.delay_split(D("2027-03-01"), D("2027-03-06"), waits, today=D("2027-04-01"))
    assert (split.delay_days, split.office_days, split.contractor_days) == (5, 5, 0)
    assert split.attributed_to == "urzad"


def test_without_waiting_the_whole_delay_is_the_contractor_s():
    split = ro.delay_split(D("2027-03-01"), None, [], today=D("2027-03-15"))
    assert (split.delay_days, split.office_days, split.contractor_days) == (14, 0, 14)
    assert split.attributed_to == "wykonawca"
    assert ro.milestone_status(D("2027-03-01"), None, split, D("2027-03-15")) == "late"
    assert ro.who_waits("late", split) == "urząd czeka na Wykonawcę"


def test_an_open_wait_counts_up_to_today_and_the_milestone_waits_on_the_office():
    waits = [ro.Wait(D("2027-03-05"), None, "dane")]
    split = ro.delay_split(D("2027-03-10"), None, waits, today=D("2027-03-20"))
    assert split.waiting_now and split.waiting_days == 15
    assert (split.office_days, split.contractor_days) == (10, 0)
    status = ro.milestone_status(D("2027-03-10"), None, split, D("2027-03-20"))
    assert status == "waiting" and ro.who_waits(status, split) == "Wykonawca czeka na urząd"


def test_overlapping_waits_are_counted_once_and_a_milestone_on_time_has_no_delay():
    waits = [
        ro.Wait(D("2027-03-01"), D("2027-03-05"), "dane"),
        ro.Wait(D("2027-03-03"), D("2027-03-08"), "ludzie"),
    ]
    assert ro.waiting_days(waits, D("2027-04-01")) == 7
    split = ro.delay_split(D("2027-03-20"), D("2027-03-19"), waits, today=D("2027-04-01"))
    assert split.delay_days == 0 and split.attributed_to is None


def test_a_leader_is_trained_when_the_last_required_training_is_done():
    elearning = ro.Attendance("elearning", "EZD", D("2027-01-10"))
    instruction = ro.Attendance("instruktaz", "EZD", D("2027-02-03"))
    assert ro.trained_on([elearning], "EZD") is None
    assert ro.trained_on([elearning, instruction], "EZD") == D("2027-02-03")
    # A presentation is for users: it does not make a leader; nor does another component's course.
    assert ro.trained_on([elearning, ro.Attendance("prezentacja", "EZD", D("2027-01-05"))], "EZD") is None
    assert ro.trained_on([elearning, instruction], "ESB") is None
    # A repeated course does not move the day the leader became trained.
    again = ro.Attendance("elearning", "EZD", D("2027-05-01"))
    assert ro.trained_on([elearning, instruction, again], "EZD") == D("2027-02-03")


def test_the_completeness_check_names_each_thing_missing():
    facts = ro.PeopleFacts(
        representatives=[], leaders=["l1"], standins={}, untrained={"l1": ["EZD"]}, leaders_max=1
    )
    gaps = ro.missing(facts, None, {"l1": "Jan Lider"})
    assert gaps == [
        "brak przedstawiciela urzędu",
        "lider Jan Lider nie ma zastępcy",
        "lider Jan Lider nie jest przeszkolony z: EZD",
        "nie opisano stanu informatyzacji urzędu",
    ]
    assert "brak lidera (użytkownika kluczowego)" in ro.missing(
        ro.PeopleFacts(representatives=["r"]), "papierowy"
    )
    complete = ro.PeopleFacts(representatives=["r"], leaders=["l1"], standins={"r": "l1", "l1": "r"})
    assert ro.missing(complete, "mieszany") == []
