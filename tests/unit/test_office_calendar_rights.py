"""Who may change an office's calendar (services/office_calendars.py), as people wrote it down:
the office's own representative, a coordinator or an administrator — nobody else, whatever their
office. The table is written here by hand, not read from the code's role sets."""

from datetime import UTC

import pytest

from helpdesk.domain.errors import Forbidden
from helpdesk.domain.people import Person
from helpdesk.domain.roles import Role
from helpdesk.services.office_calendars import OfficeCalendars, may_edit

OWN, OTHER = "1462011", "1465011"

# role -> (may edit its own office's calendar, may edit another office's calendar)
WRITTEN = {
    Role.OFFICIAL: (False, False),
    Role.LEADER: (False, False),
    Role.REPRESENTATIVE: (True, False),
    Role.AGENT: (False, False),
    Role.COORDINATOR: (True, True),
    Role.AUDITOR: (False, False),
    Role.ADMIN: (True, True),
}


def person(role: Role) -> Person:
    in_office = role in (Role.OFFICIAL, Role.LEADER, Role.REPRESENTATIVE)
    return Person(
        1,
        f"{role.value}.test",
        role.value,
        role,
        jst=OWN if in_office else None,
        contractor="wykonawca-a" if role is Role.AGENT else None,
    )


def test_the_written_table_names_every_role():
    assert set(WRITTEN) == set(Role)


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_who_may_change_an_office_calendar_is_what_the_written_table_says(role):
    own, other = WRITTEN[role]
    assert may_edit(person(role), OWN) is own
    assert may_edit(person(role), OTHER) is other


@pytest.mark.parametrize(
    "role", [Role.LEADER, Role.OFFICIAL, Role.AUDITOR, Role.AGENT], ids=lambda r: r.value
)
def test_a_refused_change_says_who_may_make_it_and_touches_nothing(role):
    calendars = OfficeCalendars(None, None, None, UTC)  # type: ignore[arg-type]  # refused before any use
    with pytest.raises(Forbidden) as caught:
        calendars.update(person(role), OWN, {"calendar": {}})
    assert str(caught.value) == "kalendarz urzędu może zmienić jego przedstawiciel albo koordynator"
