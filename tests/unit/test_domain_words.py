"""Small domain rules stated by hand-written examples: a stored row read back into the log form, an
event's time, the ticket number of a log record, how an event is sealed, who may join an office,
logins and roles, and what counts as small talk — refusals word for word."""

import hashlib

import pytest

from helpdesk.domain import events as ev
from helpdesk.domain.audit import BrokenRow, LogVerifier, StoredEvent, log_record, parse_at
from helpdesk.domain.errors import InvalidInput
from helpdesk.domain.kb.text import is_small_talk
from helpdesk.domain.people import check_new_person, validate_login
from helpdesk.domain.roles import Role, parse_role

AT = "2026-01-05T09:00:00+01:00"


def row(data: str = "{}", personal: str | None = None, at: str = AT) -> StoredEvent:
    return StoredEvent(3, 7, 2, at, None, "commented", None, data, personal, "p" * 64, "h" * 64)


def broken(value: StoredEvent) -> str:
    with pytest.raises(BrokenRow) as caught:
        log_record(value)
    return str(caught.value)


def test_a_stored_row_reads_back_into_the_log_form():
    assert log_record(row('{"text_len": 3}')) == {
        "ticket": "T-000007",
        "seq": 2,
        "at": AT,
        "type": "commented",
        "text_len": 3,
        "prev": "p" * 64,
        "hash": "h" * 64,
    }
    sealed = log_record(row('{"personal_sha256": "d"}', '{"salt": "s", "text": "a"}'))
    assert (sealed["personal"], sealed["personal_sha256"]) == ({"salt": "s", "text": "a"}, "d")
    removed = log_record(row('{"personal_sha256": "d"}'))
    assert "personal" in removed and removed["personal"] is None
    assert "personal" not in log_record(row())


def test_an_unreadable_row_is_named_word_for_word():
    assert broken(row("[]")) == "kolumna data nie jest obiektem JSON"
    assert broken(row("{}", "[1]")) == "kolumna personal nie jest obiektem JSON"
    assert broken(row('{"hash": "x"}')) == "kolumna data zawiera zastrzeżone pole 'hash'"
    assert broken(row('{"seq": 9}')) == "kolumna data zawiera zastrzeżone pole 'seq'"


def test_an_event_time_needs_an_offset_and_a_bad_one_is_shown_cut_to_40_characters():
    assert parse_at(AT).utcoffset().total_seconds() == 3600
    for value, message in (
        (None, "brak czasu zdarzenia (at)"),
        ("x" * 45, f"niepoprawny czas zdarzenia '{'x' * 40}'"),
        ("2026-01-05T09:00:00", "czas zdarzenia '2026-01-05T09:00:00' bez przesunięcia strefy"),
    ):
        with pytest.raises(BrokenRow) as caught:
            parse_at(value)
        assert str(caught.value) == message


def test_a_log_records_ticket_number_is_read_whole():
    verifier = LogVerifier()
    record = {**ev.make_record("T-12", 1, parse_at(AT), "created", "jan"), "prev": ev.GENESIS_HASH}
    record["hash"] = ev.chain_hash(ev.GENESIS_HASH, record)
    verifier.feed(record)
    assert list(verifier.tickets) == [12]


def test_sealing_moves_exactly_the_personal_fields_under_personal():
    record = {"ticket": "T-000001", "seq": 1, "type": "commented", "text": "Dzień dobry", "filename": "a.png"}
    sealed = ev.seal(record, "sól")
    personal = {"salt": "sól", "text": "Dzień dobry", "filename": "a.png"}
    assert sealed == {
        "ticket": "T-000001",
        "seq": 1,
        "type": "commented",
        "personal": personal,
        "personal_sha256": hashlib.sha256(
            '{"filename":"a.png","salt":"sól","text":"Dzień dobry"}'.encode()
        ).hexdigest(),
    }
    assert ev.seal({"ticket": "T-000001", "personal": "stare"}, "s") == {"ticket": "T-000001"}


def test_a_leader_beyond_the_offices_limit_is_refused_and_without_a_limit_never():
    check_new_person(Role.LEADER, "1462011", None, 2, 0, 3, set())
    check_new_person(Role.LEADER, "1462011", None, 9, 0, None, set())
    with pytest.raises(InvalidInput) as caught:
        check_new_person(Role.LEADER, "1462011", None, 3, 0, 3, set())
    assert str(caught.value) == "urząd 1462011 ma już komplet liderów (3 z 3)"
    with pytest.raises(InvalidInput) as caught:
        check_new_person(Role.COORDINATOR, "1462011", None, 0, 0, 3, set())
    assert str(caught.value) == "rola 'coordinator' nie należy do urzędu; pomiń --jst"


def test_a_login_is_2_to_64_ascii_letters_digits_and_dot_underscore_hyphen_at():
    assert validate_login(" Ab ") == "ab"
    assert validate_login("a" * 64) == "a" * 64
    assert validate_login("jan.kowalski_1-x@urzad") == "jan.kowalski_1-x@urzad"
    for bad in ("a", "a" * 65, "łukasz", "jan kowalski", "jan+1"):
        with pytest.raises(InvalidInput) as caught:
            validate_login(bad)
        assert str(caught.value) == f"niepoprawny login '{bad}' (2–64 znaki: litery, cyfry, . _ - @)"


def test_an_unknown_role_lists_the_seven():
    assert parse_role(" Leader ") is Role.LEADER
    with pytest.raises(InvalidInput) as caught:
        parse_role("boss")
    assert str(caught.value) == (
        "nieznana rola 'boss' (dozwolone: official, leader, representative, agent, coordinator, auditor, admin)"
    )


def test_one_letter_is_small_talk_and_two_letters_are_content():
    assert is_small_talk("x") is True
    assert is_small_talk("xk") is False


def test_an_office_has_one_representative():
    check_new_person(Role.REPRESENTATIVE, "1462011", None, 0, 0, 3, set())
    with pytest.raises(InvalidInput) as caught:
        check_new_person(Role.REPRESENTATIVE, "1462011", None, 0, 1, 3, set())
    assert str(caught.value) == "urząd 1462011 ma już przedstawiciela (dozwolony jeden)"
