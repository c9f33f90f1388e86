"""Why a file could not be read or a text is not JSON, in Polish (domain/errors.py): the system's
and the json module's own messages are English."""

import errno
import json
import os
from pathlib import Path

import pytest

from helpdesk.domain.errors import describe_json_error, describe_os_error


def test_a_missing_file_a_directory_and_a_forbidden_file_are_told_apart(tmp_path: Path) -> None:
    with pytest.raises(OSError) as missing:
        (tmp_path / "brak.csv").read_text()
    assert describe_os_error(missing.value) == "nie ma takiego pliku ani katalogu"
    with pytest.raises(OSError) as folder:
        tmp_path.read_text()
    assert describe_os_error(folder.value) == "to katalog, a nie plik"
    assert describe_os_error(OSError(errno.EACCES, os.strerror(errno.EACCES))) == "brak uprawnień"
    assert describe_os_error(OSError(errno.EADDRINUSE, "Address already in use")).startswith(
        "adres jest już zajęty"
    )


def test_an_unlisted_error_keeps_the_systems_words_and_bad_utf8_is_named(tmp_path: Path) -> None:
    assert describe_os_error(OSError(errno.EIO, os.strerror(errno.EIO))) == os.strerror(errno.EIO)
    (tmp_path / "zle.csv").write_bytes(b"kod;nazwa\n\xff\n")
    with pytest.raises(UnicodeDecodeError) as bad:
        (tmp_path / "zle.csv").read_text(encoding="utf-8")
    assert describe_os_error(bad.value) == "to nie jest tekst w UTF-8 (bajt 10)"


def test_a_json_error_names_where_the_text_stopped_being_json() -> None:
    with pytest.raises(ValueError) as bad:
        json.loads('{"a": 1,\n "b": }')
    assert describe_json_error(bad.value) == "błąd składni w wierszu 2, kolumnie 7"
    assert describe_json_error(UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte")) == (
        "to nie jest tekst w UTF-8 (bajt 0)"
    )
