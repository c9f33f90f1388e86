"""Load the contracts in `<sla_dir>/contracts/*.yaml` (the keys are shown in sla/contracts/ and domain/contracts.py).

Holidays come from the `holidays` package, built once per (country, year) and shared by every
calendar. A file that does not parse or validate raises ContractFileError naming the file and the
reason, which stops start-up with one clear line.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from functools import lru_cache
from pathlib import Path

import holidays
import yaml

from helpdesk.domain.calendar import HolidayProvider
from helpdesk.domain.contracts import Contract, build_contract
from helpdesk.domain.errors import InvalidInput, describe_os_error


class ContractFileError(InvalidInput):
    """A contract file that cannot be read, parsed or validated; the message names the file."""


@lru_cache(maxsize=512)
def _holidays(code: str, year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays(code, years=year).keys())


@lru_cache(maxsize=64)
def holiday_provider(code: str) -> HolidayProvider:
    """The provider of `code`'s public holidays (`PL`); InvalidInput for an unknown country."""
    if code.strip().lower() in ("none", ""):
        return lambda year: frozenset()
    key = code.strip().upper()
    try:
        holidays.country_holidays(key)
    except NotImplementedError as err:
        raise InvalidInput(f"nieznany kod kraju '{code}'") from err

    def provider(year: int) -> frozenset[date]:
        return _holidays(key, year)

    return provider


def _display(path: Path, sla_dir: Path) -> str:
    # Name the file as the operator knows it: relative to the working directory when possible.
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        try:
            return str(Path(sla_dir.name) / path.relative_to(sla_dir))
        except ValueError:
            return str(path)


def load_contract_file(path: Path, name: str | None = None) -> Contract:
    """Read and validate one contract file; ContractFileError names the file and the reason."""
    shown = name or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise ContractFileError(f"{shown}: nie można odczytać pliku ({describe_os_error(err)})") from err
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" (wiersz {mark.line + 1})" if mark is not None else ""
        problem = getattr(err, "problem", None) or "niepoprawny YAML"
        raise ContractFileError(f"{shown}: niepoprawny YAML{where}: {problem}") from err
    if not isinstance(data, Mapping):
        raise ContractFileError(f"{shown}: oczekiwano słownika YAML z polami umowy")
    try:
        return build_contract(data, holiday_provider)
    except InvalidInput as err:
        raise ContractFileError(f"{shown}: {err}") from err


def load_contracts(sla_dir: Path) -> dict[str, Contract]:
    """Every contract in `<sla_dir>/contracts/*.yaml`, by id; duplicate ids are an error."""
    return load_contract_dir(sla_dir / "contracts")


def load_contract_dir(folder: Path) -> dict[str, Contract]:
    """Every contract in `folder/*.yaml`, by id; duplicate ids are an error."""
    if not folder.is_dir():
        raise ContractFileError(f"{folder}: brak katalogu z umowami")
    base = folder.parent
    contracts: dict[str, Contract] = {}
    origin: dict[str, str] = {}
    for path in sorted(folder.glob("*.yaml")):
        shown = _display(path, base)
        contract = load_contract_file(path, shown)
        if contract.id in contracts:
            raise ContractFileError(
                f"{shown}: id: umowa '{contract.id}' jest już określona w {origin[contract.id]}"
            )
        contracts[contract.id] = contract
        origin[contract.id] = shown
    return contracts


def contractors(contracts: Mapping[str, Contract]) -> set[str]:
    """The contractor ids the contracts name (what `users add --contractor` may refer to)."""
    return {contract.contractor for contract in contracts.values()}
