"""Contracts: durations, validation with field-naming errors, and the YAML loader."""

import copy
import re
from pathlib import Path
from typing import Any

import pytest

from helpdesk.adapters.files.contracts import (
    ContractFileError,
    contractors,
    holiday_provider,
    load_contract_dir,
    load_contracts,
)
from helpdesk.domain.contracts import PenaltyRule, build_contract, parse_duration
from helpdesk.domain.errors import InvalidInput

ROOT = Path(__file__).resolve().parents[2]

EXAMPLE: dict[str, Any] = {
    "id": "umowa-przyklad-2027",
    "contractor": "wykonawca-przyklad",
    "components": ["EZD", "ESB"],
    "period": {"start": "2027-01-01", "end": "2031-12-31"},
    "calendars": {
        "biuro": {
            "timezone": "Europe/Warsaw",
            "days": ["mon", "tue", "wed", "thu", "fri"],
            "hours": ["08:00", "16:00"],
            "holidays": "PL",
        },
        "stale": {
            "timezone": "Europe/Warsaw",
            "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
            "hours": ["00:00", "24:00"],
            "holidays": "none",
        },
    },
    "priorities": {
        "critical": {
            "calendar": "stale",
            "targets": {"reaction": "2h", "workaround": "12h", "fix": "3d"},
            "penalties": {"fix": {"per": "1h", "pln": 250, "cap_pln": 20000}},
        },
        "normal": {"calendar": "biuro", "targets": {"reaction": "1d", "workaround": "5d", "fix": "20d"}},
    },
}


def build(data: dict[str, Any]) -> Any:
    return build_contract(data, holiday_provider)


def broken(path: str, value: Any) -> dict[str, Any]:
    """The example with the value at a dotted path replaced (or removed when value is ...)."""
    data = copy.deepcopy(EXAMPLE)
    *parents, last = path.split(".")
    node = data
    for key in parents:
        node = node[key]
    if value is ...:
        del node[last]
    else:
        node[last] = value
    return data


def test_durations_are_minutes_hours_or_working_days_of_the_calendar() -> None:
    assert parse_duration("30m", 8 * 3600) == 1800
    assert parse_duration("2h", 8 * 3600) == 7200
    assert parse_duration("3d", 8 * 3600) == 3 * 8 * 3600
    assert parse_duration("3d", 24 * 3600) == 3 * 86400


@pytest.mark.parametrize("bad", ["3x", "", "h", "1.5h", "-2h", 5, None])
def test_malformed_durations_are_refused(bad: Any) -> None:
    with pytest.raises(ValueError):
        parse_duration(bad, 28800)


def test_the_spec_example_builds_with_targets_in_working_seconds() -> None:
    contract = build(EXAMPLE)
    assert contract.id == "umowa-przyklad-2027"
    assert contract.components == ("EZD", "ESB")
    critical, normal = contract.priorities["critical"], contract.priorities["normal"]
    assert dict(critical.targets) == {"reaction": 7200, "workaround": 43200, "fix": 3 * 86400}
    assert dict(normal.targets) == {"reaction": 28800, "workaround": 5 * 28800, "fix": 20 * 28800}
    assert critical.penalties["fix"] == PenaltyRule(3600, 250, 20000)
    assert normal.calendar.day_seconds == 28800
    assert set(contract.priorities) == {"critical", "normal"}


def test_the_period_is_inclusive_at_both_ends() -> None:
    from datetime import date

    contract = build(EXAMPLE)
    assert contract.covers(date(2027, 1, 1)) and contract.covers(date(2031, 12, 31))
    assert not contract.covers(date(2026, 12, 31)) and not contract.covers(date(2032, 1, 1))


def test_penalties_count_started_periods_and_stop_at_the_cap() -> None:
    rule = PenaltyRule(per=3600, pln=250, cap_pln=1000)
    assert rule.amount(0) == 0
    assert rule.amount(1) == 250
    assert rule.amount(3600) == 250
    assert rule.amount(3601) == 500
    assert rule.amount(100 * 3600) == 1000


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("priorities.critical.targets.fix", "3x", "priorities.critical.targets.fix: niepoprawny czas '3x'"),
        ("priorities.normal.calendar", "biuro2", "priorities.normal.calendar: nieznany kalendarz 'biuro2'"),
        (
            "priorities.normal.targets.workaround",
            ...,
            "priorities.normal.targets.workaround: brak wymaganego pola",
        ),
        ("priorities.pilne", {"calendar": "biuro"}, "priorities.pilne: nieznany priorytet"),
        ("calendars.biuro.timezone", "Europe/Warszawa", "calendars.biuro.timezone: nieznana strefa czasowa"),
        ("calendars.biuro.days", ["pon"], "calendars.biuro.days[0]: nieznany dzień 'pon'"),
        ("calendars.biuro.hours", ["16:00", "08:00"], "calendars.biuro.hours: godzina końca"),
        ("calendars.biuro.hours", ["8", "16:00"], "calendars.biuro.hours: niepoprawna godzina '8'"),
        ("calendars.biuro.holidays", "XX", "calendars.biuro.holidays: nieznany kod kraju 'XX'"),
        ("calendars.biuro.closed", ["2027-13-01"], "calendars.biuro.closed[0]: niepoprawna data"),
        ("period.end", "2026-01-01", "period.end: koniec okresu przed jego początkiem"),
        ("period.start", "jutro", "period.start: niepoprawna data 'jutro'"),
        ("contractor", ..., "contractor: brak wymaganego pola"),
        ("components", [], "components: oczekiwano niepustej listy"),
        ("priorities.critical.penalties.fix.per", "0h", "priorities.critical.penalties.fix.per: okres musi"),
        (
            "priorities.critical.penalties.fix.pln",
            "dużo",
            "priorities.critical.penalties.fix.pln: niepoprawna kwota",
        ),
        (
            "priorities.critical.penalties.naprawa",
            {"per": "1h", "pln": 1},
            "priorities.critical.penalties.naprawa: nieznany czas",
        ),
        ("okres", 1, "okres: nieznane pole"),
    ],
)
def test_invalid_fields_are_named_in_the_error(path: str, value: Any, message: str) -> None:
    with pytest.raises(InvalidInput) as err:
        build(broken(path, value))
    assert message in str(err.value)


def test_a_day_both_closed_and_open_is_refused() -> None:
    data = broken("calendars.biuro.closed", ["2027-05-04"])
    data["calendars"]["biuro"]["open"] = ["2027-05-04"]
    with pytest.raises(InvalidInput, match=re.escape("calendars.biuro.open")):
        build(data)


def test_a_working_day_in_a_round_the_clock_calendar_is_24_hours() -> None:
    contract = build(EXAMPLE)
    assert contract.calendars["stale"].day_seconds == 86400


def test_every_shipped_contract_file_loads() -> None:
    contracts = load_contracts(ROOT / "sla")
    assert len(contracts) >= 2
    assert contractors(contracts) >= {"wykonawca-ezd", "wykonawca-esb"}
    covered = {c for contract in contracts.values() for c in contract.components}
    assert {"EZD", "ESB", "EPUAP", "PODPIS", "SKANOWANIE", "SYSTEMY_DZIEDZINOWE"} <= covered
    from datetime import date

    for contract in contracts.values():
        assert contract.covers(date(2026, 11, 21)), contract.id
        for terms in contract.priorities.values():
            assert all(rule.cap_pln is not None for rule in terms.penalties.values())


def test_the_test_fixture_contract_loads() -> None:
    assert set(load_contracts(ROOT / "tests" / "fixtures" / "sla")) == {"umowa-testowa"}


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def example_yaml(contract_id: str = "umowa-a", calendar: str = "biuro") -> str:
    return f"""
id: {contract_id}
contractor: wykonawca-a
components: [EZD]
period: {{start: 2026-01-01, end: 2030-12-31}}
calendars:
  biuro: {{timezone: Europe/Warsaw, days: [mon, tue, wed, thu, fri], hours: [08:00, 16:00], holidays: PL}}
priorities:
  normal:
    calendar: {calendar}
    targets: {{reaction: 1d, workaround: 5d, fix: 20d}}
"""


def test_unquoted_yaml_hours_are_read_correctly(tmp_path: Path) -> None:
    write(tmp_path / "sla" / "contracts", "a.yaml", example_yaml())
    contract = load_contracts(tmp_path / "sla")["umowa-a"]
    assert contract.priorities["normal"].targets["reaction"] == 8 * 3600


def test_an_invalid_file_names_the_file_and_the_field(tmp_path: Path) -> None:
    write(tmp_path / "sla" / "contracts", "x.yaml", example_yaml(calendar="biuro2"))
    with pytest.raises(ContractFileError) as err:
        load_contracts(tmp_path / "sla")
    assert str(err.value) == "sla/contracts/x.yaml: priorities.normal.calendar: nieznany kalendarz 'biuro2'"
    assert isinstance(err.value, InvalidInput)


def test_a_file_that_is_not_yaml_names_the_file_and_the_line(tmp_path: Path) -> None:
    write(tmp_path / "sla" / "contracts", "zly.yaml", "id: [a\ncontractor: b\n")
    with pytest.raises(ContractFileError, match=r"sla/contracts/zly.yaml: niepoprawny YAML \(wiersz"):
        load_contracts(tmp_path / "sla")


def test_a_file_that_is_a_list_is_refused(tmp_path: Path) -> None:
    write(tmp_path / "sla" / "contracts", "lista.yaml", "- a\n- b\n")
    with pytest.raises(ContractFileError, match=re.escape("lista.yaml: oczekiwano słownika")):
        load_contracts(tmp_path / "sla")


def test_duplicate_contract_ids_across_files_are_an_error(tmp_path: Path) -> None:
    folder = tmp_path / "sla" / "contracts"
    write(folder, "a.yaml", example_yaml())
    write(folder, "b.yaml", example_yaml())
    with pytest.raises(
        ContractFileError,
        match=re.escape("b.yaml: id: umowa 'umowa-a' jest już określona w sla/contracts/a.yaml"),
    ):
        load_contracts(tmp_path / "sla")


def test_a_missing_contracts_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ContractFileError, match="brak katalogu"):
        load_contracts(tmp_path)


def test_a_folder_of_yaml_files_can_be_loaded_directly(tmp_path: Path) -> None:
    write(tmp_path / "umowy", "a.yaml", example_yaml())
    assert set(load_contract_dir(tmp_path / "umowy")) == {"umowa-a"}


def test_holidays_are_shared_per_country_and_year() -> None:
    provider = holiday_provider("PL")
    assert provider(2026) is holiday_provider("pl")(2026)
    from datetime import date

    assert date(2025, 12, 24) in provider(2025)
    assert date(2024, 12, 24) not in provider(2024)


def test_value_cap_and_annexes_build_versions_in_force_from_their_date() -> None:
    from datetime import date

    data = copy.deepcopy(EXAMPLE)
    data["value_pln"] = 12_000_000
    data["penalties_cap"] = {"share": 0.2, "per": "year"}
    data["amendments"] = [
        {
            "id": "aneks-1",
            "effective": "2028-01-01",
            "priorities": {
                "normal": {
                    "calendar": "biuro",
                    "targets": {"reaction": "4h", "workaround": "2d", "fix": "5d"},
                }
            },
        }
    ]
    contract = build(data)
    assert contract.penalties_cap.limit(contract.value_pln) == 2_400_000
    assert contract.penalties_cap.per_year
    assert contract.in_force(date(2027, 12, 31)).version == "umowa-przyklad-2027"
    annex = contract.in_force(date(2028, 1, 1))
    assert annex.version == "aneks-1" and annex.effective == date(2028, 1, 1)
    assert annex.priorities["normal"].targets["reaction"] == 4 * 3600
    assert annex.priorities["critical"].targets == contract.priorities["critical"].targets  # not replaced


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"penalties_cap": {"share": 0.2}}, "penalties_cap.share: limit jako udział wymaga pola value_pln"),
        (
            {"value_pln": 100, "penalties_cap": {"share": 1.5}},
            "penalties_cap.share: udział 1.5 poza przedziałem",
        ),
        ({"penalties_cap": {"pln": 10, "share": 0.1}}, "penalties_cap: podaj dokładnie jedno z pól"),
        ({"penalties_cap": {"pln": 10, "per": "month"}}, "penalties_cap.per: niepoprawny okres 'month'"),
        (
            {"amendments": [{"id": "a1", "effective": "2040-01-01"}]},
            "amendments[0].effective: data 2040-01-01 poza okresem",
        ),
        (
            {"amendments": [{"id": "a1", "effective": "2028-01-01", "period": {}}]},
            "amendments[0].period: nieznane pole",
        ),
        (
            {
                "amendments": [
                    {"id": "a1", "effective": "2028-01-01", "priorities": {"high": {"calendar": "x"}}}
                ]
            },
            "amendments[0].priorities.high.calendar: nieznany kalendarz 'x'",
        ),
        (
            {
                "amendments": [
                    {"id": "a1", "effective": "2029-01-01"},
                    {"id": "a2", "effective": "2028-01-01"},
                ]
            },
            "amendments[1].effective: aneksy muszą następować po sobie",
        ),
        ({"offices": []}, "offices: oczekiwano niepustej listy"),
    ],
)
def test_bad_caps_and_annexes_are_refused_naming_the_field(change: dict[str, Any], message: str) -> None:
    data = {**copy.deepcopy(EXAMPLE), **change}
    with pytest.raises(InvalidInput) as err:
        build(data)
    assert str(err.value).startswith(message), str(err.value)


def test_a_per_year_cap_counts_each_contract_year_apart_in_breach_order() -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from helpdesk.domain.sla import ClockEvent, apply_penalty_caps, compute_sla

    warsaw = ZoneInfo("Europe/Warsaw")
    data = copy.deepcopy(EXAMPLE)
    data["penalties_cap"] = {"pln": 1000, "per": "year"}
    contract = build(data)
    contracts = {contract.id: contract}

    def ticket(day: str) -> Any:
        at = datetime.fromisoformat(f"{day}T00:00:00").replace(tzinfo=warsaw)
        events = [ClockEvent(at, 1, "escalated", contract.id, "critical")]
        # critical: fix 3d of 24 h, then 250 zł per started hour up to 20 000 zł: 10 h late = 2500 zł.
        return compute_sla(events, contracts, at.replace(day=at.day + 3, hour=10))

    items = [("T-2", ticket("2027-03-01")), ("T-1", ticket("2027-02-01")), ("T-3", ticket("2028-02-01"))]
    entries = apply_penalty_caps(items, contracts)
    assert [(e.ticket, e.accrued, e.due, e.cap_period) for e in entries if e.metric == "fix"] == [
        ("T-1", 2500, 1000, 1),  # breached first: the year's whole cap
        ("T-2", 2500, 0, 1),
        ("T-3", 2500, 1000, 2),  # a new contract year, a new cap
    ]


def test_a_contract_may_name_its_contractor_for_people_to_read_and_keeps_the_id_for_the_log():
    plain = build(EXAMPLE)
    assert (plain.title, plain.contractor_title) == ("umowa-przyklad-2027", "wykonawca-przyklad")
    named = build({**EXAMPLE, "name": "Utrzymanie EZD", "contractor_name": " Przykład sp. z o.o. "})
    assert (named.title, named.contractor_title) == ("Utrzymanie EZD", "Przykład sp. z o.o.")
    assert named.contractor == "wykonawca-przyklad"  # what accounts and the event log refer to
    with pytest.raises(InvalidInput, match="contractor_name: oczekiwano nazwy Wykonawcy"):
        build({**EXAMPLE, "contractor_name": ["Przykład"]})
    # An annex keeps the contractor's name: it cannot change the parties.
    annexed = build(
        {
            **EXAMPLE,
            "contractor_name": "Przykład sp. z o.o.",
            "amendments": [{"id": "aneks-1", "effective": "2028-01-01", "name": "Po aneksie"}],
        }
    )
    assert annexed.amendments[0].contractor_title == "Przykład sp. z o.o."
