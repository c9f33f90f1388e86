"""The seven roles (README: Kto może co) and what each may see in general."""

from enum import StrEnum


class Role(StrEnum):
    """Who a person is in the help-desk."""

    OFFICIAL = "official"
    LEADER = "leader"
    REPRESENTATIVE = "representative"
    AGENT = "agent"
    COORDINATOR = "coordinator"
    AUDITOR = "auditor"
    ADMIN = "admin"


ROLE_LABELS_PL: dict[Role, str] = {
    Role.OFFICIAL: "urzędnik",
    Role.LEADER: "lider (użytkownik kluczowy)",
    Role.REPRESENTATIVE: "przedstawiciel urzędu",
    Role.AGENT: "konsultant Wykonawcy",
    Role.COORDINATOR: "koordynator (Urząd Marszałkowski)",
    Role.AUDITOR: "audytor",
    Role.ADMIN: "administrator",
}

OFFICE_ROLES = frozenset({Role.OFFICIAL, Role.LEADER, Role.REPRESENTATIVE})
"""Roles that belong to one office (their `jst` is required)."""

SEE_ALL_ROLES = frozenset({Role.COORDINATOR, Role.AUDITOR, Role.ADMIN})
"""Roles that see every ticket."""

MAX_LEADERS_PER_OFFICE = 3
MAX_REPRESENTATIVES_PER_OFFICE = 1


def parse_role(value: str) -> Role:
    """Return the role named by `value` or raise InvalidInput with the allowed names."""
    from helpdesk.domain.errors import InvalidInput

    try:
        return Role(value.strip().lower())
    except ValueError as err:
        allowed = ", ".join(r.value for r in Role)
        raise InvalidInput(f"nieznana rola '{value}' (dozwolone: {allowed})") from err
