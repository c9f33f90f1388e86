"""Office calendars and the first line's targets as files give them (domain/office_terms.py):
what is accepted, the defaults an office inherits in its own calendar, and every refusal naming
its field, word for word. Expected values written out by hand."""

import pytest

from helpdesk.adapters.files.contracts import holiday_provider
from helpdesk.domain.errors import InvalidInput
from helpdesk.domain.office_terms import (
    OfficeBook,
    build_office_terms,
    first_line_target,
    office_code,
)

CALENDAR = {
    "timezone": "Europe/Warsaw",
    "days": ["mon", "tue", "wed", "thu", "fri"],
    "hours": ["07:30", "15:30"],
    "holidays": "PL",
}
DEFAULTS = build_office_terms(
    {
        "calendar": {**CALENDAR, "hours": ["08:00", "16:00"]},
        "first_line": {"normal": {"take": "1d", "answer": "2h"}, "high": {"take": "30m"}},
    },
    holiday_provider,
    is_default=True,
)


def refusal(data, **kwargs) -> str:
    with pytest.raises(InvalidInput) as caught:
        build_office_terms(data, holiday_provider, **kwargs)
    return str(caught.value)


def test_the_defaults_have_no_office_and_their_targets_in_their_own_calendar():
    assert DEFAULTS.office == ""
    assert DEFAULTS.calendar.day_seconds == 8 * 3600
    assert DEFAULTS.first_line == {"normal": {"take": 8 * 3600, "answer": 2 * 3600}, "high": {"take": 1800}}
    assert DEFAULTS.own_calendar is True


def test_an_office_inherits_the_defaults_for_priorities_it_does_not_name_in_its_own_days():
    terms = build_office_terms(
        {"office": 1462011, "calendar": CALENDAR, "first_line": {"high": {"take": "1h", "answer": "1d"}}},
        holiday_provider,
        default=DEFAULTS,
    )
    assert terms.office == "1462011"
    assert terms.first_line == {
        "normal": {"take": 8 * 3600, "answer": 2 * 3600},
        "high": {"take": 3600, "answer": 8 * 3600},
    }
    assert terms.raw == {
        "office": 1462011,
        "calendar": CALENDAR,
        "first_line": {"high": {"take": "1h", "answer": "1d"}},
    }
    alone = build_office_terms({"office": "1462011", "calendar": CALENDAR}, holiday_provider)
    assert alone.first_line == {}


@pytest.mark.parametrize(
    ("data", "kwargs", "message"),
    [
        ([], {}, "plik: oczekiwano słownika YAML (office, calendar, first_line)"),
        ({"office": "1462011", "calendar": CALENDAR, "kolor": 1, "b": 2}, {}, "b: nieznane pole"),
        ({"office": "1462011", "calendar": CALENDAR}, {"is_default": True}, "office: nieznane pole"),
        ({"office": "1462011"}, {}, "calendar: brak wymaganego pola"),
        (
            {"office": "urząd", "calendar": CALENDAR},
            {},
            "office: niepoprawny kod urzędu 'urząd' (oczekiwano kodu TERYT, np. 1462011)",
        ),
        (
            {"office": "1462011", "calendar": CALENDAR, "first_line": []},
            {},
            "first_line: oczekiwano słownika priorytetów",
        ),
        (
            {"office": "1462011", "calendar": CALENDAR, "first_line": {"pilny": {}}},
            {},
            "first_line.pilny: nieznany priorytet (dozwolone: critical, high, normal, low)",
        ),
        (
            {"office": "1462011", "calendar": CALENDAR, "first_line": {"high": "1h"}},
            {},
            "first_line.high: oczekiwano słownika czasów (take, answer, resolve_or_escalate)",
        ),
        (
            {"office": "1462011", "calendar": CALENDAR, "first_line": {"high": {"fix": "1h"}}},
            {},
            "first_line.high.fix: nieznany czas (dozwolone: take, answer, resolve_or_escalate)",
        ),
        (
            {"office": "1462011", "calendar": CALENDAR, "first_line": {"high": {"take": "soon"}}},
            {},
            "first_line.high.take: niepoprawny czas 'soon' (oczekiwano np. 30m, 4h, 2d)",
        ),
        (
            {"office": "1462011", "calendar": CALENDAR, "first_line": {"high": {"take": "0m"}}},
            {},
            "first_line.high.take: czas musi być dłuższy niż zero",
        ),
    ],
)
def test_a_bad_office_file_is_refused_naming_the_field(data, kwargs, message):
    assert refusal(data, **kwargs) == message


@pytest.mark.parametrize("code", ["1462011", 1462011, " 1 ", "123456789012"])
def test_an_office_code_is_up_to_twelve_ascii_digits(code):
    assert office_code(code) == str(code).strip()


@pytest.mark.parametrize("code", ["", "1234567890123", "14620١١", True, None, 1.5, "14-62"])
def test_anything_else_is_not_an_office_code(code):
    with pytest.raises(InvalidInput) as caught:
        office_code(code, "offices[2]")
    assert (
        str(caught.value)
        == f"offices[2]: niepoprawny kod urzędu '{code}' (oczekiwano kodu TERYT, np. 1462011)"
    )


def test_the_book_gives_an_offices_own_terms_else_the_defaults():
    own = build_office_terms({"office": "1462011", "calendar": CALENDAR}, holiday_provider, default=DEFAULTS)
    book = OfficeBook({"1462011": own}, DEFAULTS)
    assert (list(book), len(book), book["1462011"]) == (["1462011"], 1, own)
    assert book.own("1462011") is own and book.own("1465011") is None and book.own(None) is None
    assert book.terms_for("1462011") is own
    assert book.terms_for("1465011") is DEFAULTS
    assert book.terms_for(None) is DEFAULTS
    assert OfficeBook({}, None).terms_for("1462011") is None
    assert first_line_target(own, "normal", "answer") == 2 * 3600
    assert first_line_target(own, "normal", "resolve_or_escalate") is None
    assert first_line_target(own, None, "take") is None
    assert first_line_target(None, "normal", "take") is None
