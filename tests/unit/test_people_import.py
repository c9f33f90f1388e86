"""The people file (services/people_import.py) on the in-memory fakes: every error names its line,
nothing is written when any line is wrong, the office rules count the database and the file
together, a known login is unchanged or has its name and e-mail updated, and who imports may name
only the people they manage."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from helpdesk.domain.errors import Forbidden, InvalidInput, TooLarge
from helpdesk.domain.offices import make_office
from helpdesk.domain.roles import Role
from helpdesk.services.people_import import ImportResult, import_people, parse_people_csv, summary_pl
from tests.support.fakes import FakeDatabase, add_people

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=ZoneInfo("Europe/Warsaw"))
HEADER = "login,name,role,office,email,telegram_id\n"
PLOCK, SLUPNO = "1462011", "1419112"
CONTRACTORS = {"wykonawca-ezd"}


@pytest.fixture
def db():
    db = FakeDatabase()
    offices = [
        make_office(PLOCK, "Urząd Miasta Płocka", "powiat_grodzki", 620, "EZD;ESB", 2),
        make_office(SLUPNO, "Urząd Gminy Słupno", "gmina_wiejska", 42, "EZD", 1),
    ]
    add_people(
        db,
        offices,
        [
            {"login": "lider.plock", "role": "leader", "jst": PLOCK, "email": "lider@plock.pl"},
            {"login": "przedst.plock", "role": "representative", "jst": PLOCK},
            {
                "login": "urz.plock",
                "role": "official",
                "jst": PLOCK,
                "email": "urz@plock.pl",
                "telegram_id": 77,
            },
            {"login": "lider.slupno", "role": "leader", "jst": SLUPNO},
            {"login": "koordynator", "role": "coordinator"},
        ],
    )
    return db


def logins(db):
    return {p.login for p in db.repo.people.values()}


def run(db, text, actor=None):
    return import_people(db, CONTRACTORS, text, NOW, actor)


def refusal(db, text, actor=None, kind=InvalidInput):
    before = logins(db), dict(db.repo.people)
    with pytest.raises(kind) as caught:
        run(db, text, actor)
    assert (logins(db), dict(db.repo.people)) == before  # all or nothing
    return str(caught.value)


def who(db, login):
    return next(p for p in db.repo.people.values() if p.login == login)


def test_new_logins_are_added_known_ones_unchanged_or_updated_in_name_and_e_mail(db):
    text = HEADER + (
        "jan.nowak,Jan Nowak,official,1462011,jan@plock.pl,\n"
        "ewa.lis,Ewa Lis,official,1462011,,501\n"
        "urz.plock,Osoba urz.plock,official,1462011,urz@plock.pl,77\n"  # the same
        "lider.plock,Anna Lider,leader,1462011,,\n"  # a new name; an empty e-mail keeps the stored one
        "lider.slupno,Osoba lider.slupno,leader,1419112,Lider@Slupno.PL,\n"  # an e-mail given
    )
    result = run(db, text)
    assert result == ImportResult(added=2, updated=2, unchanged=1)
    assert who(db, "jan.nowak").email == "jan@plock.pl" and who(db, "jan.nowak").role is Role.OFFICIAL
    assert who(db, "ewa.lis").telegram_id == 501 and who(db, "ewa.lis").jst == PLOCK
    assert who(db, "lider.plock").name == "Anna Lider" and who(db, "lider.plock").email == "lider@plock.pl"
    assert who(db, "lider.slupno").email == "lider@slupno.pl"
    assert run(db, text) == ImportResult(added=0, updated=0, unchanged=5)  # importing again changes nothing
    assert summary_pl(result) == "Dodano 2 osoby, zaktualizowano 2 osoby, bez zmian: 1 osoba."
    assert summary_pl(ImportResult(1, 5, 0)) == "Dodano 1 osobę, zaktualizowano 5 osób, bez zmian: 0 osób."


def test_a_bom_a_semicolon_delimiter_blank_lines_and_spaces_around_fields_are_taken(db):
    text = "\ufefflogin;name;role;office;email;telegram_id\r\n\r\n a.b ; Anna Bąk ;official; 1419112 ;;\r\n"
    assert run(db, text) == ImportResult(1, 0, 0)
    assert who(db, "a.b").name == "Anna Bąk" and who(db, "a.b").jst == SLUPNO


def test_every_wrong_line_is_named_in_polish_and_nothing_is_written(db):
    text = HEADER + (
        "ok.one,Ok,official,1462011,,\n"  # 2: fine, but not written either
        "x y,Zły Login,official,1462011,,\n"  # 3
        "bez.nazwiska, ,official,1462011,,\n"  # 4
        "zla.rola,Ktoś,szef,1462011,,\n"  # 5
        "zly.mail,Ktoś,official,1462011,nie-mail,\n"  # 6
        "zly.tg,Ktoś,official,1462011,,abc\n"  # 7
        "za.malo,Ktoś,official\n"  # 8
        "ok.one,Ok,official,1462011,,\n"  # 9: the same login again
    )
    message = refusal(db, text)
    assert message.startswith("linia 3: niepoprawny login 'x y'")
    for needle in (
        "linia 4: imię i nazwisko nie może być puste",
        "linia 5: nieznana rola 'szef'",
        "linia 6: niepoprawny adres e-mail 'nie-mail'",
        "linia 7: parametr 'telegram_id' musi być liczbą",
        "linia 8: oczekiwano 6 pól, jest 3",
        "linia 9: login 'ok.one' powtarza się w pliku (linia 2)",
    ):
        assert needle in message
    assert "linia 2" not in message.replace("(linia 2)", "")


def test_lines_the_database_refuses_are_named_too(db):
    text = HEADER + (
        "nowy.1,Nowy,official,1462099,,\n"  # 2: an unknown office
        "nowy.2,Nowy,official,,,\n"  # 3: an office role without an office
        "nowy.3,Nowy,auditor,1462011,,\n"  # 4: a role outside offices with one
        "nowy.4,Nowy,official,1462011,,77\n"  # 5: a Telegram account someone has
        "urz.plock,Osoba urz.plock,leader,1462011,,\n"  # 6: a role change
        "lider.slupno,Osoba lider.slupno,leader,1462011,,\n"  # 7: an office change
        "lider.plock,Osoba lider.plock,leader,1462011,,78\n"  # 8: a Telegram account to link
    )
    message = refusal(db, text)
    assert message.startswith("linia 2: nieznany urząd '1462099'")
    for needle in (
        "linia 3: rola 'official' wymaga podania urzędu (kolumna office: kod TERYT urzędu)",
        "linia 4: rola 'auditor' nie należy do urzędu; zostaw puste pole office",
        "linia 5: konto Telegram 77 jest już powiązane z inną osobą",
        "linia 6: login 'urz.plock' ma już rolę 'official' w urzędzie 1462011; import nie zmienia roli ani urzędu",
        "linia 7: login 'lider.slupno' ma już rolę 'leader' w urzędzie 1419112",
        "linia 8: import nie zmienia konta Telegram osoby 'lider.plock'",
    ):
        assert needle in message, needle
    # Agents need a contractor, which the file has no column for; a file's own mistakes come first.
    message = refusal(db, HEADER + "agent.x,Agent,agent,,,\nnowy.1,Nowy,official,1462099,,\n")
    assert (
        message == "linia 2: konsultanta Wykonawcy dodaje się pojedynczo: helpdesk users add --contractor ID"
    )


def test_the_office_rules_count_the_database_and_the_file_together(db):
    # Płock has one leader of two allowed and its representative: one more leader fits, two do not.
    message = refusal(
        db,
        HEADER + "l.2,Lider Dwa,leader,1462011,,\nl.3,Lider Trzy,leader,1462011,,\n"
        "p.2,Przedstawiciel,representative,1462011,,\n",
    )
    assert "linia 2" not in message
    assert "linia 3: urząd 1462011 ma już komplet liderów (2 z 2)" in message
    assert "linia 4: urząd 1462011 ma już przedstawiciela (dozwolony jeden)" in message
    # Słupno has no representative: the file may name one, not two.
    message = refusal(
        db,
        HEADER + "p.a,Pierwszy,representative,1419112,,\np.b,Drugi,representative,1419112,,\n",
    )
    assert message == "linia 3: urząd 1419112 ma już przedstawiciela (dozwolony jeden)"
    # Two new people cannot share a Telegram account either.
    message = refusal(db, HEADER + "t.a,A,official,1419112,,900\nt.b,B,official,1419112,,900\n")
    assert message == "linia 3: konto Telegram 900 jest już powiązane z inną osobą"
    assert run(db, HEADER + "l.2,Lider Dwa,leader,1462011,,\n") == ImportResult(1, 0, 0)


def test_a_blocked_person_keeps_their_login_and_does_not_count_for_the_limits(db):
    blocked = who(db, "lider.plock")
    db.repo.inactive.add(blocked.id)
    result = run(
        db,
        HEADER + "lider.plock,Osoba lider.plock,leader,1462011,,\n"
        "l.2,Lider Dwa,leader,1462011,,\nl.3,Lider Trzy,leader,1462011,,\n",
    )
    assert result == ImportResult(added=2, updated=0, unchanged=1)
    assert blocked.id in db.repo.inactive  # an import never unblocks anyone


def test_a_representative_imports_only_the_officials_and_leaders_of_their_own_office(db):
    rep = who(db, "przedst.plock")
    message = refusal(
        db,
        HEADER + "a.1,A,official,1462011,,\nb.1,B,official,1419112,,\nc.1,C,representative,1462011,,\n"
        "d.1,D,coordinator,,,\n",
        rep,
        Forbidden,
    )
    assert "linia 2" not in message
    assert "linia 3: urząd 1419112, rola 'official': przedstawiciel dodaje" in message
    assert "linia 4: urząd 1462011, rola 'representative'" in message
    assert "linia 5: rola 'coordinator'" in message
    assert run(db, HEADER + "a.1,A,official,1462011,,\nl.2,L,leader,1462011,,\n", rep) == ImportResult(
        2, 0, 0
    )
    leader = who(db, "lider.plock")
    refusal(db, HEADER + "a.2,A,official,1462011,,\n", leader, Forbidden)
    coordinator = who(db, "koordynator")
    assert run(db, HEADER + "b.1,B,official,1419112,,\n", coordinator) == ImportResult(1, 0, 0)
    refusal(db, HEADER + "k.2,K,coordinator,,,\n", coordinator, Forbidden)
    assert run(db, HEADER + "k.2,K,coordinator,,,\n") == ImportResult(1, 0, 0)  # the console operator


def test_a_file_without_the_header_or_people_or_too_large_is_refused(db):
    assert refusal(db, "") == "plik CSV jest pusty"
    assert refusal(db, "login,name,role\nx,y,official\n") == (
        "linia 1: oczekiwano nagłówka login,name,role,office,email,telegram_id"
    )
    assert refusal(db, HEADER + "\n\n") == "plik nie zawiera żadnej osoby"
    big = HEADER + ("x" * 100 + "\n") * (5 * 1024 * 1024 // 100)
    assert refusal(db, big, kind=TooLarge) == "plik CSV jest za duży (limit 5 MB)"
    assert refusal(db, HEADER + 'a.b,"Anna,official,,,\n') == "linia 2: oczekiwano 6 pól, jest 2"


def test_many_wrong_lines_are_named_ten_at_a_time_and_counted(db):
    text = HEADER + "".join(f"x y{i},A,official,1462011,,\n" for i in range(13))
    message = refusal(db, text)
    assert message.count("linia ") == 10 and message.endswith("(i 3 kolejne błędy)")


def test_parsed_lines_carry_their_numbers():
    lines = parse_people_csv(HEADER + "\na.b,A,official,1462011,,\n")
    assert [(x.line, x.person.login) for x in lines] == [(3, "a.b")]


def test_what_a_database_or_a_mail_header_cannot_take_is_refused_or_made_one_line():
    [line] = parse_people_csv(HEADER + "a.b,Anna\tBąk\x00,official,1462011,,\n")
    assert line.person.name == "Anna Bąk"
    for row, needle in [
        ("a.b,A,official,14620\x0011,,", "linia 2: niepoprawny kod urzędu"),
        ("a.b,A,official,1462011,a\x00@b.pl,", "linia 2: niepoprawny adres e-mail"),
        ("a.b," + "x" * 201 + ",official,1462011,,", "linia 2: imię i nazwisko jest za długie"),
        ("a.b,A,official,1462011,,99999999999999999999", "linia 2: parametr 'telegram_id' musi mieścić się"),
    ]:
        with pytest.raises(InvalidInput, match=needle):
            parse_people_csv(HEADER + row + "\n")


def test_an_office_s_page_imports_only_that_office_s_people(db):
    coordinator = who(db, "koordynator")
    text = HEADER + "a.1,A,official,1462011,,\nb.1,B,official,1419112,,\nk.1,K,auditor,,,\n"
    with pytest.raises(InvalidInput) as caught:
        import_people(db, CONTRACTORS, text, NOW, None, office=PLOCK)
    assert str(caught.value) == (
        "linia 3: na stronie urzędu 1462011 importuje się tylko osoby tego urzędu; "
        "linia 4: na stronie urzędu 1462011 importuje się tylko osoby tego urzędu"
    )
    assert "a.1" not in logins(db)
    assert import_people(
        db, CONTRACTORS, HEADER + "a.1,A,official,1462011,,\n", NOW, coordinator, office=PLOCK
    ) == (ImportResult(1, 0, 0))
