"""`helpdesk sla replay`: the hand-computed fixture log, input errors, and the command."""

import io
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from helpdesk.adapters.files.contracts import load_contracts
from helpdesk.cli import main
from helpdesk.domain.errors import InvalidInput
from helpdesk.services.sla.replay import replay

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "sla"
AS_OF = "2027-01-15T12:00:00+01:00"
CONTRACTS = load_contracts(FIXTURES)


def expected() -> list[dict[str, Any]]:
    return [
        json.loads(line) for line in (FIXTURES / "expected.jsonl").read_text(encoding="utf-8").splitlines()
    ]


def run(lines: list[str], as_of: str = AS_OF) -> list[dict[str, Any]]:
    return list(replay(lines, CONTRACTS, datetime.fromisoformat(as_of)))


def line(**fields: Any) -> str:
    return json.dumps(fields)


ESCALATED = {
    "ticket": "T-1",
    "seq": 1,
    "at": "2026-03-02T09:00:00+01:00",
    "type": "escalated",
    "contract": "umowa-testowa",
    "priority": "normal",
}


def test_the_fixture_log_replays_to_the_hand_computed_results() -> None:
    lines = (FIXTURES / "events.jsonl").read_text(encoding="utf-8").splitlines()
    got = run(lines)
    want = expected()
    assert [r["ticket"] for r in got] == [r["ticket"] for r in want]
    for mine, theirs in zip(got, want, strict=True):
        assert mine == theirs, mine["ticket"]


def test_results_come_in_order_of_first_appearance_and_skip_tickets_never_escalated() -> None:
    lines = [
        line(ticket="T-2", seq=1, at="2026-03-02T08:00:00+01:00", type="created"),
        line(**ESCALATED),
        line(ticket="T-3", seq=1, at="2026-03-02T08:00:00+01:00", type="commented"),
        line(**{**ESCALATED, "ticket": "T-2", "at": "2026-03-02T10:00:00+01:00"}),
    ]
    assert [r["ticket"] for r in run(lines)] == ["T-2", "T-1"]


def test_prev_hash_and_actor_are_not_needed_and_blank_lines_are_fine() -> None:
    lines = [
        "",
        line(**ESCALATED),
        "   ",
        line(ticket="T-1", seq=2, at="2026-03-02T10:00:00+01:00", type="resolved"),
    ]
    (result,) = run(lines)
    assert result["metrics"]["fix"] == {"elapsed_min": 60.0, "target_min": 9600.0, "state": "met"}


def test_seq_may_be_missing_and_then_file_order_breaks_ties() -> None:
    base = {k: v for k, v in ESCALATED.items() if k != "seq"}
    lines = [line(**base), line(ticket="T-1", at="2026-03-02T10:00:00+01:00", type="acknowledged")]
    assert run(lines)[0]["metrics"]["reaction"]["elapsed_min"] == 60.0


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("{nie json", "linia 2: niepoprawny JSON"),
        ("[1, 2]", "linia 2: oczekiwano obiektu JSON"),
        (line(seq=1, at="2026-03-02T09:00:00+01:00", type="created"), "linia 2: brak pola 'ticket'"),
        (line(ticket="T-1", seq=1, type="created"), "linia 2: brak pola 'at'"),
        (line(ticket="T-1", seq=1, at="2026-03-02T09:00:00+01:00"), "linia 2: brak pola 'type'"),
        (line(ticket="T-1", seq=1, at="wczoraj", type="created"), "linia 2: niepoprawny czas 'wczoraj'"),
        (
            line(ticket="T-1", seq=1, at="2026-03-02T09:00:00", type="created"),
            "linia 2: czas '2026-03-02T09:00:00' bez",
        ),
        (line(ticket="T-1", seq="7", at="2026-03-02T09:00:00+01:00", type="created"), "linia 2: pole 'seq'"),
        (line(**{**ESCALATED, "contract": "x"}), "linia 2: nieznana umowa 'x'"),
        (line(**{**ESCALATED, "priority": "pilne"}), "linia 2: nieznany priorytet 'pilne'"),
        (line(**{k: v for k, v in ESCALATED.items() if k != "contract"}), "linia 2: brak pola 'contract'"),
        (
            line(ticket="T-1", seq=2, at="2026-03-02T09:00:00+01:00", type="priority_changed"),
            "linia 2: brak pola 'priority'",
        ),
        (
            line(ticket="T-1", seq=2, at="2026-03-02T09:00:00+01:00", type="priority_changed", priority="x"),
            "linia 2: nieznany priorytet 'x'",
        ),
    ],
)
def test_bad_lines_are_errors_naming_the_line(bad: str, message: str) -> None:
    with pytest.raises(InvalidInput) as err:
        run([line(**ESCALATED), bad])
    assert message in str(err.value)


def test_a_priority_the_contract_lacks_is_an_error_naming_its_line() -> None:
    other = load_contracts(Path(__file__).resolve().parents[2] / "sla")
    escalated = {**ESCALATED, "contract": "umowa-esb-2026"}
    lines = [
        line(**escalated),
        "",
        line(ticket="T-1", seq=2, at="2026-03-02T10:00:00+01:00", type="priority_changed", priority="low"),
    ]
    with pytest.raises(InvalidInput, match="linia 3: nieznany priorytet 'low'"):
        list(replay(lines, other, datetime.fromisoformat(AS_OF)))


def test_a_naive_as_of_is_refused() -> None:
    with pytest.raises(InvalidInput):
        run([line(**ESCALATED)], as_of="2027-01-01T00:00:00")


# --- the command ----------------------------------------------------------------------------


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[dict[str, Any]], str]:
    code = main(["sla", "replay", *args])
    out, err = capsys.readouterr()
    return code, [json.loads(x) for x in out.splitlines()], err


def test_the_command_prints_one_json_line_per_escalated_ticket(capsys: pytest.CaptureFixture[str]) -> None:
    code, rows, err = cli(
        capsys, str(FIXTURES / "events.jsonl"), "--contracts", str(FIXTURES), "--as-of", AS_OF, "--json"
    )
    assert code == 0, err
    assert rows == expected()


def test_the_command_accepts_the_contracts_folder_itself(capsys: pytest.CaptureFixture[str]) -> None:
    code, rows, _ = cli(
        capsys,
        str(FIXTURES / "events.jsonl"),
        "--contracts",
        str(FIXTURES / "contracts"),
        "--as-of",
        AS_OF,
        "--json",
    )
    assert code == 0 and len(rows) == len(expected())


def test_the_command_reads_stdin_for_a_dash(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO((FIXTURES / "events.jsonl").read_text(encoding="utf-8")))
    code, rows, _ = cli(capsys, "-", "--contracts", str(FIXTURES), "--as-of", AS_OF, "--json")
    assert code == 0 and rows == expected()


def test_as_of_defaults_to_now(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    log = tmp_path / "e.jsonl"
    log.write_text(line(**ESCALATED) + "\n", encoding="utf-8")
    code, rows, _ = cli(capsys, str(log), "--contracts", str(FIXTURES), "--json")
    assert code == 0
    # Escalated in 2026, nothing else: by now (whenever the test runs) it is running or breached.
    assert rows[0]["metrics"]["reaction"]["elapsed_min"] > 0


def test_a_bad_line_exits_2_with_the_line_number_and_prints_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    log = tmp_path / "e.jsonl"
    lines = [line(**ESCALATED)] * 16 + [line(**{**ESCALATED, "ticket": "T-17", "contract": "x"})]
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, rows, err = cli(capsys, str(log), "--contracts", str(FIXTURES), "--as-of", AS_OF, "--json")
    assert code == 2
    assert rows == []
    assert err.strip().splitlines() == ["helpdesk: błąd: linia 17: nieznana umowa 'x'"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nie-ma.jsonl", "--contracts", str(FIXTURES)], "nie można odczytać 'nie-ma.jsonl'"),
        ([str(FIXTURES / "events.jsonl"), "--contracts", "/nie/ma/katalogu"], "--contracts: brak katalogu"),
        (
            [str(FIXTURES / "events.jsonl"), "--contracts", str(FIXTURES), "--as-of", "jutro"],
            "--as-of: niepoprawny czas",
        ),
        (
            [str(FIXTURES / "events.jsonl"), "--contracts", str(FIXTURES), "--as-of", "2027-01-01T00:00"],
            "--as-of: czas '2027-01-01T00:00' bez strefy",
        ),
    ],
)
def test_bad_arguments_exit_2_with_one_line(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, _, err = cli(capsys, *args, "--json")
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert message in err


def test_a_broken_contract_file_exits_2_naming_the_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    folder = tmp_path / "sla" / "contracts"
    folder.mkdir(parents=True)
    (folder / "zla.yaml").write_text("id: a\ncontractor: b\n", encoding="utf-8")
    code, _, err = cli(capsys, str(FIXTURES / "events.jsonl"), "--contracts", str(tmp_path / "sla"), "--json")
    assert code == 2
    assert "zla.yaml: components: brak wymaganego pola" in err


FIVE_YEARS = FIXTURES / "five_years"


def test_office_calendars_first_line_annex_cap_and_successor_replay_to_the_hand_computed_results() -> None:
    from helpdesk.adapters.files.office_calendar import load_sla_offices

    contracts = load_contracts(FIVE_YEARS)
    offices = load_sla_offices(FIVE_YEARS)
    lines = (FIVE_YEARS / "events.jsonl").read_text(encoding="utf-8").splitlines()
    got = list(replay(lines, contracts, datetime.fromisoformat("2028-01-20T12:00:00+01:00"), offices))
    want = [json.loads(x) for x in (FIVE_YEARS / "expected.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["ticket"] for r in got] == [r["ticket"] for r in want]
    for mine, theirs in zip(got, want, strict=True):
        assert mine == theirs, mine["ticket"]


def test_the_replay_command_reads_the_offices_beside_the_contracts(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(
        [
            "sla",
            "replay",
            str(FIVE_YEARS / "events.jsonl"),
            "--contracts",
            str(FIVE_YEARS),
            "--as-of",
            "2028-01-20T12:00:00+01:00",
            "--json",
        ]
    )
    assert code == 0
    got = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert got[0]["first_line"]["calendar"] == "1462011"
    assert got[0]["metrics"]["fix"]["elapsed_min"] == 1170.0
