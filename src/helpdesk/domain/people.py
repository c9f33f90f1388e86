"""People and the rules about who may belong to an office, what each role may see, and who may
add and block the people of an office."""

from dataclasses import dataclass

from helpdesk.domain.errors import Forbidden, InvalidInput
from helpdesk.domain.inputs import check_text, clean_line
from helpdesk.domain.roles import (
    MAX_REPRESENTATIVES_PER_OFFICE,
    OFFICE_ROLES,
    SEE_ALL_ROLES,
    Role,
    parse_role,
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


@dataclass(frozen=True)
class OfficeHints:
    """How the refusals about an office name the field that gives it (an option of the command, a
    column of a file)."""

    missing: str = "--jst KOD_TERYT"
    extra: str = "pomiń --jst"


CLI_HINTS = OfficeHints()


def check_new_person(
    role: Role,
    jst: str | None,
    contractor: str | None,
    leaders_in_office: int,
    representatives_in_office: int,
    leaders_max: int | None,
    known_contractors: set[str],
    hints: OfficeHints = CLI_HINTS,
) -> None:
    """Raise InvalidInput when a person of `role` may not be added as described."""
    if role in OFFICE_ROLES and not jst:
        raise InvalidInput(f"rola '{role.value}' wymaga podania urzędu ({hints.missing})")
    if role not in OFFICE_ROLES and jst:
        raise InvalidInput(f"rola '{role.value}' nie należy do urzędu; {hints.extra}")
    if role is Role.AGENT:
        if not contractor:
            raise InvalidInput("rola 'agent' wymaga podania Wykonawcy (--contractor ID)")
        if contractor not in known_contractors:
            known = ", ".join(sorted(known_contractors)) or "brak umów w katalogu sla/contracts"
            raise InvalidInput(f"nieznany Wykonawca '{contractor}' (znani z umów: {known})")
    elif contractor:
        raise InvalidInput("--contractor dotyczy tylko roli 'agent'")
    if role is Role.LEADER and leaders_max is not None and leaders_in_office >= leaders_max:
        raise InvalidInput(f"urząd {jst} ma już komplet liderów ({leaders_in_office} z {leaders_max})")
    if role is Role.REPRESENTATIVE and representatives_in_office >= MAX_REPRESENTATIVES_PER_OFFICE:
        raise InvalidInput(f"urząd {jst} ma już przedstawiciela (dozwolony jeden)")


def validate_login(login: str) -> str:
    """Logins are short lower-case identifiers such as `lider.plock`."""
    value = login.strip()
    ok = 2 <= len(value) <= 64 and all(c.isascii() and (c.isalnum() or c in "._-@") for c in value)
    if not ok:
        raise InvalidInput(f"niepoprawny login '{login}' (2–64 znaki: litery, cyfry, . _ - @)")
    return value.lower()


def validate_email(email: str) -> str:
    """An e-mail address as stored: trimmed and lower-case; InvalidInput when it cannot be one."""
    value = email.strip()
    if "@" not in value or len(value) > 254 or not value.isprintable() or any(c.isspace() for c in value):
        raise InvalidInput(f"niepoprawny adres e-mail '{clean_line(check_text(email, 'email'))[:254]}'")
    return value.lower()


MAX_NAME = 200


@dataclass(frozen=True)
class NewPerson:
    """A person to register, every field checked and normalised (not yet checked against an office)."""

    login: str
    name: str
    role: Role
    jst: str | None = None
    contractor: str | None = None
    email: str | None = None
    telegram_id: int | None = None


def new_person(
    *,
    login: str,
    name: str,
    role: str,
    jst: str | None = None,
    contractor: str | None = None,
    email: str | None = None,
    telegram_id: int | None = None,
) -> NewPerson:
    """The fields of a person to register, checked and normalised; InvalidInput names the wrong one."""
    # One line: a name goes into mail headers and notices (control characters become spaces).
    clean = clean_line(check_text(name, "name"))
    if not clean:
        raise InvalidInput("imię i nazwisko nie może być puste")
    if len(clean) > MAX_NAME:
        raise InvalidInput(f"imię i nazwisko jest za długie (najwyżej {MAX_NAME} znaków)")
    office = (jst or "").strip() or None
    if office is not None and not (office.isascii() and office.isprintable() and len(office) <= 20):
        raise InvalidInput(f"niepoprawny kod urzędu '{clean_line(check_text(office, 'office'))[:20]}'")
    return NewPerson(
        login=validate_login(login),
        name=clean,
        role=parse_role(role),
        jst=office,
        contractor=contractor or None,
        email=validate_email(email) if email is not None and email.strip() else None,
        telegram_id=telegram_id,
    )


# --- who may add and block the people of an office ------------------------------------------------
MANAGED_BY_REPRESENTATIVE = frozenset({Role.OFFICIAL, Role.LEADER})
"""The roles a representative adds and blocks, in their own office only."""


def can_manage(actor: Person, role: Role, office: str | None) -> bool:
    """May `actor` add, change (name, e-mail), block or unblock a person of `role` in `office`?

    Admins: anyone. Coordinators: the people of any office (officials, leaders, representatives).
    A representative: the officials and leaders of their own office. Nobody else.
    """
    if actor.role is Role.ADMIN:
        return True
    if actor.role is Role.COORDINATOR:
        return role in OFFICE_ROLES
    return (
        actor.role is Role.REPRESENTATIVE
        and role in MANAGED_BY_REPRESENTATIVE
        and office is not None
        and office == actor.jst
    )


def manages_anyone(actor: Person) -> bool:
    """Whether `actor` may manage anyone at all (who may be offered an import)."""
    return any(can_manage(actor, role, actor.jst) for role in Role)


def can_block(actor: Person, person: Person) -> bool:
    """May `actor` block or unblock `person`? As `can_manage`, and never themselves."""
    return person.login != actor.login and can_manage(actor, person.role, person.jst)


def require_manage(actor: Person, role: Role, office: str | None) -> None:
    """Forbidden, in Polish and naming who may, unless `actor` may manage a person of `role` in `office`."""
    if can_manage(actor, role, office):
        return
    if actor.role is Role.REPRESENTATIVE:
        raise Forbidden("przedstawiciel dodaje, zmienia i blokuje tylko urzędników i liderów własnego urzędu")
    if actor.role is Role.COORDINATOR:
        raise Forbidden(f"koordynator zarządza tylko osobami urzędów, nie rolą '{role.value}'")
    raise Forbidden("osobami urzędu zarządza jego przedstawiciel, koordynator albo administrator")
