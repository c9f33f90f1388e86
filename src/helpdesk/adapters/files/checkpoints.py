"""The append-only file of event-log heads (`helpdesk audit checkpoint`, HELPDESK_AUDIT_CHECKPOINT_FILE).

One JSON object a line: `{"at": …, "events": N, "head": "<hex>"}`. Lines are only ever added at the
end and synced to disk; keep the file where the database's administrators cannot rewrite it (another
host, a write-once mount, `chattr +a`), since its whole point is to outlive a rewritten database.
"""

import json
import os
from pathlib import Path
from typing import Any

from helpdesk.domain.audit import Anchor
from helpdesk.domain.errors import InvalidInput, describe_os_error

TAIL_BYTES = 64 * 1024


class CheckpointFile:
    """Heads recorded in one file (services.audit.CheckpointFile)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def last(self) -> Anchor | None:
        """The last head in the file, or None when there is none yet."""
        try:
            with self.path.open("rb") as f:
                f.seek(0, os.SEEK_END)
                size = f.tell()
                f.seek(max(0, size - TAIL_BYTES))
                tail = f.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return None
        except OSError as err:
            raise InvalidInput(
                f"{self.path}: nie można odczytać pliku nagłówków ({describe_os_error(err)})"
            ) from err
        for line in reversed(tail.splitlines()):
            try:
                data = json.loads(line)
            except ValueError:
                continue
            if (
                isinstance(data, dict)
                and isinstance(data.get("head"), str)
                and isinstance(data.get("events"), int)
            ):
                return Anchor(data["head"], data["events"])
        return None

    def append(self, line: dict[str, Any]) -> None:
        """Add one line at the end and sync it to disk."""
        text = json.dumps(line, ensure_ascii=False, sort_keys=True) + "\n"
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
            try:
                os.write(fd, text.encode("utf-8"))
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as err:
            raise InvalidInput(f"{self.path}: nie można dopisać nagłówka ({describe_os_error(err)})") from err
