"""Every refusal of a contract file names the field and says what is wrong, word for word.

The rule (README "SLA over the life of a contract"): a contract file that cannot be read as a
contract is refused whole, and the message names the path of the bad field
(`priorities.critical.penalties.fix.per: …`, `amendments[0].components: …`) in Polish, so the
person who wrote the YAML can find it. The expected messages below are written out by hand; the
example contract is the one in tests/unit/test_contracts.py.
"""

import copy
from typing import Any

import pytest

from helpdesk.domain.contracts import PenaltyRule
from helpdesk.domain.errors import InvalidInput
from tests.unit.test_contracts import EXAMPLE, build
from tests.unit.test_contracts import broken as changed

ID_RULE = "(litery, cyfry, '-', '_', '.')"
MAPPING = "oczekiwano słownika (klucz: wartość)"
CLOCKS = "nieznany czas (dozwolone: reaction, workaround, fix)"
FIX = "priorities.critical.penalties.fix"


CASES = [
    ("id", ..., "id: brak wymaganego pola"),
    ("id", "", "id: oczekiwano niepustego tekstu"),
    ("id", "zła umowa", f"id: niepoprawny identyfikator 'zła umowa' {ID_RULE}"),
    ("contractor", ..., "contractor: brak wymaganego pola"),
    ("contractor", "   ", "contractor: oczekiwano niepustego tekstu"),
    ("contractor", "firma x", f"contractor: niepoprawny identyfikator 'firma x' {ID_RULE}"),
    ("components", "EZD", "components: oczekiwano niepustej listy kodów komponentów"),
    ("components", ["EZD", "zły kod"], f"components[1]: niepoprawny identyfikator 'zły kod' {ID_RULE}"),
    ("offices", [1.5], "offices[0]: oczekiwano niepustego tekstu"),
    ("period", ..., "period: brak wymaganego pola"),
    ("period", "2027", f"period: {MAPPING}"),
    ("period", {"end": "2031-12-31"}, "period.start: brak wymaganego pola"),
    ("period", {"start": "2027-01-01"}, "period.end: brak wymaganego pola"),
    ("period.end", "koniec", "period.end: niepoprawna data 'koniec' (oczekiwano RRRR-MM-DD)"),
    ("calendars", ..., "calendars: brak wymaganego pola"),
    ("calendars", [], f"calendars: {MAPPING}"),
    ("calendars", {}, "calendars: umowa musi określać co najmniej jeden kalendarz"),
    ("calendars.biuro", "8-16", f"calendars.biuro: {MAPPING}"),
    ("calendars.biuro.kolor", "zielony", "calendars.biuro.kolor: nieznane pole"),
    ("calendars.biuro.closed", "2027-05-04", "calendars.biuro.closed: oczekiwano listy dat"),
    ("priorities", ..., "priorities: brak wymaganego pola"),
    ("priorities", [], f"priorities: {MAPPING}"),
    ("priorities", {}, "priorities: umowa musi określać co najmniej jeden priorytet"),
    (
        "priorities.pilne",
        {"calendar": "biuro"},
        "priorities.pilne: nieznany priorytet (dozwolone: critical, high, normal, low)",
    ),
    ("priorities.normal.kolor", "zielony", "priorities.normal.kolor: nieznane pole"),
    (
        "priorities.normal.office_calendar",
        "tak",
        "priorities.normal.office_calendar: oczekiwano true albo false",
    ),
    (
        "priorities.normal.targets.reaction",
        "0h",
        "priorities.normal.targets.reaction: czas musi być dłuższy niż zero",
    ),
    ("priorities.normal.targets.naprawa", "1d", f"priorities.normal.targets.naprawa: {CLOCKS}"),
    ("priorities.critical.penalties", "dużo", f"priorities.critical.penalties: {MAPPING}"),
    (
        "priorities.critical.penalties.naprawa",
        {"per": "1h", "pln": 1},
        f"priorities.critical.penalties.naprawa: {CLOCKS}",
    ),
    (FIX, "250 zł za godzinę", f"{FIX}: {MAPPING}"),
    (f"{FIX}.kara", 1, f"{FIX}.kara: nieznane pole"),
    (f"{FIX}.per", ..., f"{FIX}.per: brak wymaganego pola"),
    (f"{FIX}.per", "1x", f"{FIX}.per: niepoprawny czas '1x' (oczekiwano np. 30m, 4h, 2d)"),
    (f"{FIX}.per", "0m", f"{FIX}.per: okres musi być dłuższy niż zero"),
    (f"{FIX}.pln", ..., f"{FIX}.pln: brak wymaganego pola"),
    (f"{FIX}.pln", -5, f"{FIX}.pln: niepoprawna kwota '-5' (oczekiwano liczby >= 0)"),
    (f"{FIX}.cap_pln", "dużo", f"{FIX}.cap_pln: niepoprawna kwota 'dużo' (oczekiwano liczby >= 0)"),
    ("penalties_cap", "dużo", f"penalties_cap: {MAPPING}"),
    ("penalties_cap", {"pln": 10, "limit": 1}, "penalties_cap.limit: nieznane pole"),
    ("penalties_cap", {"pln": -1}, "penalties_cap.pln: niepoprawna kwota '-1' (oczekiwano liczby >= 0)"),
    (
        "amendments",
        [{"id": "a1", "effective": "2028-01-01", "components": []}],
        "amendments[0].components: oczekiwano niepustej listy kodów komponentów",
    ),
    (
        "amendments",
        [{"id": "a1", "effective": "2028-01-01"}, {"id": "a1", "effective": "2029-01-01"}],
        "amendments[1].id: identyfikator 'a1' już występuje",
    ),
    (
        "amendments",
        [{"id": "umowa-przyklad-2027", "effective": "2028-01-01"}],
        "amendments[0].id: identyfikator 'umowa-przyklad-2027' już występuje",
    ),
    ("amendments", [{"id": "a1"}], "amendments[0].effective: brak wymaganego pola"),
    (
        "amendments",
        [{"id": "a1", "effective": "jutro"}],
        "amendments[0].effective: niepoprawna data 'jutro' (oczekiwano RRRR-MM-DD)",
    ),
]


@pytest.mark.parametrize(
    ("path", "value", "message"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)]
)
def test_a_bad_field_is_refused_with_its_path_and_reason(path: str, value: Any, message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        build(changed(path, value))
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("cap", "message"),
    [
        ({"share": "x"}, "penalties_cap.share: niepoprawna kwota 'x' (oczekiwano liczby >= 0)"),
        ({"share": 0}, "penalties_cap.share: udział 0 poza przedziałem (0, 1]"),
    ],
    ids=["not-a-number", "zero"],
)
def test_a_cap_as_a_share_of_the_value_is_a_number_above_zero(cap: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        build({**copy.deepcopy(EXAMPLE), "value_pln": 100, "penalties_cap": cap})
    assert str(caught.value) == message


def test_the_edges_that_are_allowed() -> None:
    whole = build({**copy.deepcopy(EXAMPLE), "value_pln": 100, "penalties_cap": {"share": 1}})
    assert whole.penalties_cap is not None and whole.penalties_cap.limit(100) == 100  # the whole value
    one_day = build(changed("period", {"start": "2027-01-01", "end": "2027-01-01"}))
    assert one_day.period_start == one_day.period_end
    free = build(changed(f"{FIX}.pln", 0))  # a penalty of 0 zł is a (strange) valid choice
    assert free.priorities["critical"].penalties["fix"] == PenaltyRule(3600, 0, 20000)
    assert build(changed("components", ["ezd"])).components == ("EZD",)
    last_day = build(
        changed("amendments", [{"id": "a1", "effective": "2031-12-31"}])
    )  # the period's last day
    assert last_day.amendments[0].effective is not None and last_day.amendments[0].version == "a1"


def test_a_contract_keeps_its_name_its_own_text_as_version_and_its_calendar_names() -> None:
    contract = build({**copy.deepcopy(EXAMPLE), "name": "Utrzymanie EZD 2027–2031"})
    assert (contract.name, contract.version, contract.effective) == (
        "Utrzymanie EZD 2027–2031",
        "umowa-przyklad-2027",
        None,
    )
    assert contract.priorities["critical"].calendar_name == "stale"
    assert contract.priorities["normal"].calendar_name == "biuro"
    assert build(EXAMPLE).name == ""
    assert build({**copy.deepcopy(EXAMPLE), "name": 2027}).name == ""  # not a text: no name


CALENDAR = "calendars.biuro"
CALENDAR_CASES = [
    ("hours", ["08:00"], f'{CALENDAR}.hours: oczekiwano dwóch godzin, np. ["08:00", "16:00"]'),
    ("hours", ["08:00", "08:00"], f"{CALENDAR}.hours: godzina końca musi być późniejsza niż początku"),
    ("holidays", 48, f"{CALENDAR}.holidays: niepoprawny kod kraju '48'"),
    ("open", ["2027-02-30"], f"{CALENDAR}.open[0]: niepoprawna data '2027-02-30' (oczekiwano RRRR-MM-DD)"),
]


@pytest.mark.parametrize(
    ("field", "value", "message"), CALENDAR_CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CALENDAR_CASES)]
)
def test_a_bad_calendar_field_is_refused_with_its_path_and_reason(
    field: str, value: Any, message: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        build(changed(f"{CALENDAR}.{field}", value))
    assert str(caught.value) == message


def test_a_day_both_closed_and_open_is_named() -> None:
    data = changed(f"{CALENDAR}.closed", ["2027-05-04"])
    data["calendars"]["biuro"]["open"] = ["2027-05-04"]
    with pytest.raises(InvalidInput) as caught:
        build(data)
    assert str(caught.value) == f"{CALENDAR}.open: dzień 2027-05-04 jest jednocześnie w closed"


def test_a_calendar_without_holidays_or_with_none_asks_no_country_for_them() -> None:
    from datetime import date

    from helpdesk.domain.contracts import build_calendar

    asked: list[str] = []

    def holidays_for(code: str) -> Any:
        asked.append(code)
        raise AssertionError("no country should be asked")

    plain = {
        "timezone": "Europe/Warsaw",
        "days": ["mon", "tue", "wed", "thu", "fri"],
        "hours": ["08:00", "16:00"],
    }
    for extra in ({}, {"holidays": None}, {"holidays": "brak"}, {"holidays": " None "}, {"holidays": ""}):
        calendar = build_calendar({**plain, **extra}, "kalendarz", holidays_for, "biuro")
        assert calendar.is_working_day(date(2027, 11, 11))  # Independence Day, a Thursday: no holidays
        assert calendar.name == "biuro"
    assert asked == []
