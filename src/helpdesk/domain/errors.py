"""The one small exception hierarchy; adapters translate their errors into these at the boundary."""


class HelpdeskError(Exception):
    """Base of every error the help-desk raises on purpose; its message is fit to show a person."""


class InvalidInput(HelpdeskError):
    """Input that does not make sense (HTTP 400, CLI exit 2)."""


class NotAuthenticated(HelpdeskError):
    """No or unknown credentials (HTTP 401)."""


class Forbidden(HelpdeskError):
    """The caller's role may not do this (HTTP 403)."""


class NotFound(HelpdeskError):
    """No such thing, or the caller may not know it exists (HTTP 404)."""


class Conflict(HelpdeskError):
    """Not allowed in the current state (HTTP 409)."""


class TooLarge(HelpdeskError):
    """Input over a size limit (HTTP 413)."""


class Unavailable(HelpdeskError):
    """A resource we depend on (database, relay) does not answer; try again later."""


class TooManyRequests(HelpdeskError):
    """Too many failed attempts: refused for `retry_after` seconds (HTTP 429 with Retry-After)."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = max(1, int(retry_after))


class UnsupportedMediaType(HelpdeskError):
    """A request body of a type the endpoint does not take (HTTP 415)."""
