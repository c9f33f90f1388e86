"""The offices' own working calendar (Mon–Fri 08:00–16:00, Polish holidays) for first-line targets."""

from helpdesk.adapters.files.contracts import holiday_provider
from helpdesk.domain.calendar import BusinessCalendar


def office_calendar(timezone: str) -> BusinessCalendar:
    """Working time of a Polish office in `timezone`."""
    return BusinessCalendar(
        timezone=timezone,
        weekdays=frozenset(range(5)),
        start_minute=8 * 60,
        end_minute=16 * 60,
        holidays=holiday_provider("PL"),
        name="urząd",
    )
