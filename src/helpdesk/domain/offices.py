"""Offices (JST registry, imported from the offices CSV) and the components they deploy."""

import re
from dataclasses import dataclass
from enum import StrEnum

from helpdesk.domain.errors import InvalidInput


class OfficeType(StrEnum):
    """Kinds of local government units."""

    GMINA_MIEJSKA = "gmina_miejska"
    GMINA_WIEJSKA = "gmina_wiejska"
    GMINA_MIEJSKO_WIEJSKA = "gmina_miejsko_wiejska"
    POWIAT_ZIEMSKI = "powiat_ziemski"
    POWIAT_GRODZKI = "powiat_grodzki"
    URZAD_MARSZALKOWSKI = "urzad_marszalkowski"


OFFICE_TYPE_LABELS_PL: dict[str, str] = {
    OfficeType.GMINA_MIEJSKA: "gmina miejska",
    OfficeType.GMINA_WIEJSKA: "gmina wiejska",
    OfficeType.GMINA_MIEJSKO_WIEJSKA: "gmina miejsko-wiejska",
    OfficeType.POWIAT_ZIEMSKI: "powiat ziemski",
    OfficeType.POWIAT_GRODZKI: "powiat grodzki (miasto na prawach powiatu)",
    OfficeType.URZAD_MARSZALKOWSKI: "urząd marszałkowski",
}


COMPONENTS: tuple[str, ...] = (
    "EZD",
    "ESB",
    "EPUAP",
    "PODPIS",
    "SKANOWANIE",
    "SPRZET",
    "KONTO",
    "SZKOLENIA",
    "ORGANIZACJA",
    "SYSTEMY_DZIEDZINOWE",
)

COMPONENT_LABELS_PL: dict[str, str] = {
    "EZD": "EZD (elektroniczne zarządzanie dokumentacją)",
    "ESB": "ESB (szyna usług)",
    "EPUAP": "ePUAP",
    "PODPIS": "podpis elektroniczny",
    "SKANOWANIE": "skanowanie",
    "SPRZET": "sprzęt",
    "KONTO": "konta i dostęp",
    "SZKOLENIA": "szkolenia",
    "ORGANIZACJA": "organizacja wsparcia",
    "SYSTEMY_DZIEDZINOWE": "systemy dziedzinowe",
}


def component_short_label(code: str) -> str:
    """A component's name without its explanation, for lists: "EZD", "ePUAP", "sprzęt"."""
    return COMPONENT_LABELS_PL.get(code, code).split(" (")[0]


_TERYT = re.compile(r"^\d{7}$|^\d{4}$|^\d{2}$")


@dataclass(frozen=True)
class Office:
    """One partner office (JST)."""

    code: str
    name: str
    type: OfficeType
    employees: int
    components: tuple[str, ...]
    leaders_max: int


def is_office_code(code: str) -> bool:
    """Whether `code` has the shape of a TERYT code of an office (7, 4 or 2 digits)."""
    return bool(_TERYT.fullmatch(code))


def parse_component(value: str) -> str:
    """Return the canonical component code or raise InvalidInput listing the known ones."""
    code = value.strip().upper()
    if code not in COMPONENTS:
        raise InvalidInput(f"nieznany komponent '{value}' (dozwolone: {', '.join(COMPONENTS)})")
    return code


def make_office(
    code: str, name: str, type_: str, employees: str | int, components: str, leaders_max: str | int
) -> Office:
    """Validate one registry row and build an Office; errors say which field is wrong."""
    code = code.strip()
    if not _TERYT.match(code):
        raise InvalidInput(f"kod TERYT '{code}' jest niepoprawny (oczekiwano 2, 4 lub 7 cyfr)")
    if not name.strip():
        raise InvalidInput("nazwa urzędu jest pusta")
    try:
        office_type = OfficeType(type_.strip())
    except ValueError as err:
        allowed = ", ".join(t.value for t in OfficeType)
        raise InvalidInput(f"nieznany typ urzędu '{type_}' (dozwolone: {allowed})") from err
    try:
        staff = int(employees)
        cap = int(leaders_max)
    except (TypeError, ValueError) as err:
        raise InvalidInput("employees i leaders_max muszą być liczbami całkowitymi") from err
    if staff < 0:
        raise InvalidInput("liczba pracowników nie może być ujemna")
    if not 1 <= cap <= 3:
        raise InvalidInput(f"leaders_max musi wynosić od 1 do 3 (jest {cap})")
    comps = tuple(parse_component(c) for c in components.split(";") if c.strip())
    return Office(code, name.strip(), office_type, staff, comps, cap)
