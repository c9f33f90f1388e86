"""Who may add, change and block the people of an office (domain/people.py `can_manage`,
`can_block`, `require_manage`): the office's representative its officials and leaders, coordinators
the people of every office, admins anyone; nobody blocks themselves."""

import pytest

from helpdesk.domain.errors import Forbidden, InvalidInput
from helpdesk.domain.people import (
    Person,
    can_block,
    can_manage,
    manages_anyone,
    new_person,
    require_manage,
)
from helpdesk.domain.roles import Role

PLOCK, SLUPNO = "1462011", "1419112"


def person(login: str, role: Role, jst: str | None = None, pid: int = 1) -> Person:
    return Person(id=pid, login=login, name=f"Osoba {login}", role=role, jst=jst)


REP = person("przedst.plock", Role.REPRESENTATIVE, PLOCK)
COORDINATOR = person("koordynator", Role.COORDINATOR)
ADMIN = person("admin", Role.ADMIN)


def test_a_representative_manages_the_officials_and_leaders_of_their_own_office_only():
    assert can_manage(REP, Role.OFFICIAL, PLOCK) and can_manage(REP, Role.LEADER, PLOCK)
    assert not can_manage(REP, Role.REPRESENTATIVE, PLOCK)
    assert not can_manage(REP, Role.OFFICIAL, SLUPNO)
    assert not can_manage(REP, Role.OFFICIAL, None)
    assert not can_manage(REP, Role.COORDINATOR, None)
    homeless = person("przedst.x", Role.REPRESENTATIVE, None)
    assert not can_manage(homeless, Role.OFFICIAL, None)


def test_coordinators_manage_the_people_of_every_office_and_admins_anyone():
    for role in (Role.OFFICIAL, Role.LEADER, Role.REPRESENTATIVE):
        assert can_manage(COORDINATOR, role, SLUPNO) and can_manage(ADMIN, role, SLUPNO)
    for role in (Role.COORDINATOR, Role.AUDITOR, Role.ADMIN, Role.AGENT):
        assert not can_manage(COORDINATOR, role, None)
        assert can_manage(ADMIN, role, None)


@pytest.mark.parametrize("role", [Role.OFFICIAL, Role.LEADER, Role.AGENT, Role.AUDITOR])
def test_the_other_roles_manage_nobody(role):
    actor = person("x", role, PLOCK if role in (Role.OFFICIAL, Role.LEADER) else None)
    assert not any(can_manage(actor, r, PLOCK) for r in Role)
    assert not manages_anyone(actor)


def test_who_manages_anyone_is_offered_an_import():
    assert manages_anyone(REP) and manages_anyone(COORDINATOR) and manages_anyone(ADMIN)
    assert not manages_anyone(person("przedst.x", Role.REPRESENTATIVE, None))


def test_nobody_blocks_themselves_and_a_representative_blocks_only_their_office_s_officials_and_leaders():
    official = person("urz.plock", Role.OFFICIAL, PLOCK, pid=2)
    leader = person("lider.plock", Role.LEADER, PLOCK, pid=3)
    other = person("urz.slupno", Role.OFFICIAL, SLUPNO, pid=4)
    assert can_block(REP, official) and can_block(REP, leader)
    assert not can_block(REP, other) and not can_block(REP, REP)
    assert can_block(COORDINATOR, REP) and not can_block(COORDINATOR, COORDINATOR)
    assert not can_block(ADMIN, ADMIN) and can_block(ADMIN, COORDINATOR)


def test_a_refusal_says_in_polish_who_may():
    with pytest.raises(Forbidden, match="tylko urzędników i liderów własnego urzędu"):
        require_manage(REP, Role.OFFICIAL, SLUPNO)
    with pytest.raises(Forbidden, match="koordynator zarządza tylko osobami urzędów, nie rolą 'admin'"):
        require_manage(COORDINATOR, Role.ADMIN, None)
    with pytest.raises(Forbidden, match="przedstawiciel, koordynator albo administrator"):
        require_manage(person("lider.plock", Role.LEADER, PLOCK), Role.OFFICIAL, PLOCK)
    require_manage(REP, Role.LEADER, PLOCK)


def test_a_new_person_s_fields_are_checked_and_trimmed_in_polish():
    new = new_person(
        login=" Jan.K ", name=" Jan Kowalski ", role="official", jst=" 1462011 ", email=" J@X.PL "
    )
    assert (new.login, new.name, new.role, new.jst, new.email) == (
        "jan.k",
        "Jan Kowalski",
        Role.OFFICIAL,
        "1462011",
        "j@x.pl",
    )
    assert new_person(login="ab", name="A", role="auditor", email="  ").email is None
    for fields, needle in [
        ({"name": " "}, "imię i nazwisko nie może być puste"),
        ({"email": "jan kowalski@x.pl"}, "niepoprawny adres e-mail"),
        ({"email": "brak-malpy"}, "niepoprawny adres e-mail"),
        ({"role": "szef"}, "nieznana rola 'szef'"),
        ({"login": "ł"}, "niepoprawny login"),
    ]:
        with pytest.raises(InvalidInput, match=needle):
            new_person(**{"login": "ab", "name": "A", "role": "official", **fields})
