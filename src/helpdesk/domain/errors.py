"""The one small exception hierarchy; adapters translate their errors into these at the boundary."""

import errno
import json


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


_OS_ERRORS_PL = {
    errno.ENOENT: "nie ma takiego pliku ani katalogu",
    errno.EACCES: "brak uprawnień",
    errno.EPERM: "brak uprawnień",
    errno.EISDIR: "to katalog, a nie plik",
    errno.ENOTDIR: "to nie jest katalog",
    errno.ENOSPC: "brak miejsca na dysku",
    errno.EROFS: "system plików jest tylko do odczytu",
    errno.EEXIST: "plik już istnieje",
    errno.ENAMETOOLONG: "za długa nazwa pliku",
    errno.EADDRINUSE: "adres jest już zajęty (inny proces nasłuchuje na tym porcie)",
    errno.EADDRNOTAVAIL: "tego adresu nie ma na tym komputerze",
}


def describe_os_error(err: OSError | UnicodeDecodeError) -> str:
    """Why a file could not be read or written (or a port opened), in Polish: the system says it in English."""
    if isinstance(err, UnicodeDecodeError):
        return f"to nie jest tekst w UTF-8 (bajt {err.start})"
    return _OS_ERRORS_PL.get(err.errno or 0) or err.strerror or str(err)


def syntax_error_at(line: int | str, column: int | str) -> str:
    """Where a JSON or TOML text stopped making sense, in Polish."""
    return f"błąd składni w wierszu {line}, kolumnie {column}"


def describe_json_error(err: ValueError | TypeError) -> str:
    """Where a text stopped being JSON, in Polish (the json module says why in English)."""
    if isinstance(err, json.JSONDecodeError):
        return syntax_error_at(err.lineno, err.colno)
    if isinstance(err, UnicodeDecodeError):
        return describe_os_error(err)
    return "to nie jest tekst JSON"
