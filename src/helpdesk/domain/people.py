"""People and the rules about who may belong to an office, and what each role may see."""

from dataclasses import dataclass

from helpdesk.domain.errors import InvalidInput
from helpdesk.domain.roles import (
    MAX_REPRESENTATIVES_PER_OFFICE,
    OFFICE_ROLES,
    SEE_ALL_ROLES,
    Role,
)


@dataclass(frozen=True)
class Person:
    """A known user of the help-desk."""

    id: int
    login: str
    name: str
    role: Role
    jst: str | None = None
    contractor: str | None = None
    email: str | None = None
    telegram_id: int | None = None


@dataclass(frozen=True)
class TicketScope:
    """The facts about a ticket that decide who may see it."""

    office: str
    author_id: int
    contractor: str | None  # set once escalated


def can_see(person: Person, ticket: TicketScope) -> bool:
    """Which tickets a role sees: own tickets, the office's, the contractor's escalated ones, or everything."""
    if person.role in SEE_ALL_ROLES:
        return True
    if person.role is Role.OFFICIAL:
        return ticket.author_id == person.id
    if person.role in (Role.LEADER, Role.REPRESENTATIVE):
        return ticket.office == person.jst
    if person.role is Role.AGENT:
        return ticket.contractor is not None and ticket.contractor == person.contractor
    return False


def check_new_person(
    role: Role,
    jst: str | None,
    contractor: str | None,
    leaders_in_office: int,
    representatives_in_office: int,
    leaders_max: int | None,
    known_contractors: set[str],
) -> None:
    """Raise InvalidInput when a person of `role` may not be added as described."""
    if role in OFFICE_ROLES and not jst:
        raise InvalidInput(f"rola '{role.value}' wymaga podania urzędu (--jst KOD_TERYT)")
    if role not in OFFICE_ROLES and jst:
        raise InvalidInput(f"rola '{role.value}' nie należy do urzędu; pomiń --jst")
    if role is Role.AGENT:
        if not contractor:
            raise InvalidInput("rola 'agent' wymaga podania Wykonawcy (--contractor ID)")
        if contractor not in known_contractors:
            known = ", ".join(sorted(known_contractors)) or "brak umów w katalogu sla/contracts"
            raise InvalidInput(f"nieznany Wykonawca '{contractor}' (znani z umów: {known})")
    elif contractor:
        raise InvalidInput("--contractor dotyczy tylko roli 'agent'")
    if role is Role.LEADER and leaders_max is not None and leaders_in_office >= leaders_max:
        raise InvalidInput(
            f"urząd {jst} ma już {leaders_in_office} lidera/liderów, a limit wynosi {leaders_max}"
        )
    if role is Role.REPRESENTATIVE and representatives_in_office >= MAX_REPRESENTATIVES_PER_OFFICE:
        raise InvalidInput(f"urząd {jst} ma już przedstawiciela (dozwolony jeden)")


def validate_login(login: str) -> str:
    """Logins are short lower-case identifiers such as `lider.plock`."""
    value = login.strip()
    ok = 2 <= len(value) <= 64 and all(c.isascii() and (c.isalnum() or c in "._-@") for c in value)
    if not ok:
        raise InvalidInput(f"niepoprawny login '{login}' (2–64 znaki: litery, cyfry, . _ - @)")
    return value.lower()
