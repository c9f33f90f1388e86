"""Loading the bot's conversation texts and command menu (`bot/texts.<lang>.toml`).

Where the file is looked for, first found wins:

1. the folder named by `HELPDESK_BOT_DIR` (an extension setting, for deployments that edit texts);
   when it is set the file must be there — a wrong folder is an error, not a silent fallback;
2. `bot/` of the source checkout this package runs from (editable installs, `make run`, tests) —
   resolved from this file, so it works whatever the current directory is;
3. the copy shipped inside the package next to this module (non-editable installs).

`bot/` is the one place people edit; the packaged copy is kept identical by a test.
"""

import tomllib
from collections.abc import Mapping
from pathlib import Path

from helpdesk.domain.errors import InvalidInput
from helpdesk.services.texts import Texts
from helpdesk.settings import Settings

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_BOT_DIR = PACKAGE_DIR.parents[3] / "bot"


def texts_path(settings: Settings, language: str = "pl") -> Path:
    """The texts file that will be used."""
    name = f"texts.{language}.toml"
    if settings.bot_dir:
        candidates = [Path(settings.bot_dir) / name]
    else:
        candidates = [REPO_BOT_DIR / name, PACKAGE_DIR / name]
    for path in candidates:
        if path.is_file():
            return path
    raise InvalidInput(
        f"HELPDESK_BOT_DIR: nie znaleziono pliku {name} (szukano: {', '.join(str(p) for p in candidates)})"
    )


def load_texts(settings: Settings, language: str = "pl") -> Texts:
    """Read and parse the texts; a broken file stops start-up naming it."""
    path = texts_path(settings, language)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise InvalidInput(f"{path}: nie można wczytać tekstów bota: {err}") from err
    return Texts(data)


def command_menu(texts: Texts) -> list[tuple[str, str]]:
    """(command, description) pairs for setMyCommands."""
    commands: Mapping[str, str] = texts.data.get("commands", {})
    return [(name, str(desc)) for name, desc in commands.items()]
