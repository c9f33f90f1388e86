"""Settings: built once from the environment and an optional TOML file, then passed down.

Every setting is a field of `Settings` with its type and default; the README's Configuration
section says what each one means. `HELPDESK_<NAME>` in the environment, or `<name>` in the TOML
file named by `HELPDESK_CONFIG`, sets the field `<name>`; the environment wins. A name that is not
a field, or a value that does not parse or is out of range, stops start-up with one line naming
it. `HELPDESK_CONFIG` itself and the test suite's `HELPDESK_TEST_*` variables are not settings.
"""

import difflib
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from ipaddress import ip_network
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from helpdesk.domain.errors import InvalidInput, describe_os_error, syntax_error_at

PREFIX = "HELPDESK_"
CONFIG_VARIABLE = PREFIX + "CONFIG"
TEST_PREFIX = PREFIX + "TEST_"
DEFAULT_TELEGRAM_API = "https://api.telegram.org/bot"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LOG_FORMATS = ("text", "json")
TRUE_WORDS = ("1", "true", "yes", "on", "tak")
FALSE_WORDS = ("0", "false", "no", "off", "nie")


class SettingsError(InvalidInput):
    """A missing, unknown or invalid setting; the message names it in one line."""


@dataclass(frozen=True)
class Settings:
    """Every setting with its default (the README's Configuration section explains each)."""

    database_url: str = "sqlite:///./var/helpdesk.db"
    http: str = "127.0.0.1:8080"
    public_url: str = "http://127.0.0.1:8080"
    # Addresses of the reverse proxies (nginx) whose X-Forwarded-For names the real client.
    trusted_proxies: str = ""
    smtp_listen: str = "127.0.0.1:2525"
    imap_url: str = ""
    smtp_relay: str = ""
    mail_from: str = "helpdesk@localhost"
    telegram_token: str = ""
    telegram_api_url: str = DEFAULT_TELEGRAM_API
    telegram_webhook_url: str = ""
    kb_dir: str = "./knowledge_base"
    sla_dir: str = "./sla"
    timezone: str = "Europe/Warsaw"
    # Extensions: limits.
    mail_max_bytes: int = 25 * 1024 * 1024
    http_max_body: int = 1024 * 1024
    attachment_max_bytes: int = 10 * 1024 * 1024
    # Extensions: SLA.
    sla_warn_share: float = 0.8
    first_line_target_min: int = 240
    sweep_interval_s: int = 30
    # Extensions: how often the e-mail channel's background jobs run.
    mail_pending_interval_s: float = 60.0
    imap_poll_s: float = 60.0
    mail_send_interval_s: float = 2.0
    # Extensions: the Telegram bot.
    telegram_rate_burst: int = 60
    telegram_rate_per_s: float = 1.0
    bot_dir: str = ""
    # Extensions: operation (README "Production").
    log_level: str = "INFO"
    log_format: str = "text"
    lease_ttl_s: float = 10.0
    workers: int = 1
    # Extensions: trust (README: "Audit log", "Accounts", "Mail identity", "Personal data").
    audit_checkpoint_file: str = ""
    audit_checkpoint_mail: str = ""
    audit_checkpoint_hours: float = 24.0
    token_ttl_days: int = 365
    login_max_failures: int = 5
    login_address_max_failures: int = 30
    login_window_s: int = 900
    link_code_max_failures: int = 5
    link_code_window_s: int = 3600
    mail_authserv_id: str = ""
    mail_dkim_verify: bool = False
    mail_rate_person: int = 20
    mail_rate_domain: int = 200
    mail_rate_window_s: int = 600
    retention_years: int = 5
    retention_interval_h: float = 24.0

    @property
    def tz(self) -> ZoneInfo:
        """The time zone people see times in."""
        return ZoneInfo(self.timezone)

    @property
    def http_host_port(self) -> tuple[str, int]:
        """HELPDESK_HTTP split into host and port."""
        return split_host_port(self.http, "HELPDESK_HTTP")

    @property
    def trusted_proxy_addresses(self) -> list[str]:
        """HELPDESK_TRUSTED_PROXIES as a list of IP addresses or networks (empty: trust no header)."""
        return [part.strip() for part in self.trusted_proxies.split(",") if part.strip()]

    @property
    def smtp_host_port(self) -> tuple[str, int] | None:
        """HELPDESK_SMTP_LISTEN split, or None when the gateway is disabled."""
        return split_host_port(self.smtp_listen, "HELPDESK_SMTP_LISTEN") if self.smtp_listen else None

    @property
    def smtp_relay_host_port(self) -> tuple[str, int] | None:
        """HELPDESK_SMTP_RELAY split, or None when outgoing mail stays in the outbox."""
        return split_host_port(self.smtp_relay, "HELPDESK_SMTP_RELAY") if self.smtp_relay else None


def _declared_types() -> dict[str, type]:
    types: dict[str, type] = {}
    for f in fields(Settings):
        # Text from the environment is parsed by the field's type, so it must be a plain one.
        if f.type not in (str, int, float, bool) or not isinstance(f.type, type):
            raise TypeError(f"setting {f.name}: declare it as str, int, float or bool")
        types[f.name] = f.type
    return types


SETTING_TYPES = _declared_types()
"""Each setting's name and type, as declared in `Settings`."""


def variable(name: str) -> str:
    """The environment variable of the setting `name`: HELPDESK_ and the name in capitals."""
    return PREFIX + name.upper()


def split_host_port(value: str, name: str) -> tuple[str, int]:
    """'127.0.0.1:8080' → ('127.0.0.1', 8080); SettingsError naming `name` otherwise."""
    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) < 65536:
        raise SettingsError(f"{name}: oczekiwano host:port, np. 127.0.0.1:8080 (jest '{value}')")
    return host.strip("[]"), int(port)


def parse_bool(raw: object, name: str) -> bool:
    """A yes/no value: a TOML boolean or one of TRUE_WORDS / FALSE_WORDS; anything else is an error."""
    if isinstance(raw, bool):
        return raw
    word = str(raw).strip().lower() if isinstance(raw, str) else None
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise SettingsError(
        f"{name}: oczekiwano wartości tak/nie ({', '.join(TRUE_WORDS)} / {', '.join(FALSE_WORDS)}), "
        f"jest '{raw}'"
    )


def coerce(name: str, raw: object, kind: type) -> object:
    """`raw` (text from the environment, or a TOML value) as a `kind`; SettingsError naming `name`."""
    if kind is bool:
        return parse_bool(raw, name)
    if isinstance(raw, bool):  # TOML's true/false where a number or a text is expected
        raise SettingsError(f"{name}: oczekiwano {_KIND_PL[kind]} (jest {str(raw).lower()})")
    if kind is str:
        if not isinstance(raw, str):
            raise SettingsError(f"{name}: oczekiwano tekstu w cudzysłowie (jest {raw!r})")
        return raw
    if isinstance(raw, int) or (kind is float and isinstance(raw, float)):
        return kind(raw)
    try:
        return kind(str(raw).strip())
    except ValueError as err:
        raise SettingsError(f"{name}: oczekiwano {_KIND_PL[kind]} (jest '{raw}')") from err


_KIND_PL: dict[type, str] = {int: "liczby całkowitej", float: "liczby", str: "tekstu"}


def unknown(name: str, shown: str, *, as_variable: bool) -> SettingsError:
    """The error for `name` (lower case, no prefix), which is no setting, suggesting the nearest one."""
    nearest = difflib.get_close_matches(name, list(SETTING_TYPES), n=1)
    hint = f" — czy chodziło o {variable(nearest[0]) if as_variable else nearest[0]}?" if nearest else ""
    return SettingsError(f"{shown}: nieznane ustawienie{hint} (lista ustawień: README, sekcja Configuration)")


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read HELPDESK_CONFIG (TOML) then the environment (which wins), and validate."""
    env = os.environ if environ is None else environ
    values: dict[str, tuple[str, object]] = {}  # setting → (how the message names it, raw value)
    config_path = env.get(CONFIG_VARIABLE, "")
    if config_path:
        for key, raw in _read_config(config_path).items():
            name = str(key).lower()
            if name not in SETTING_TYPES:
                raise unknown(name, f"{CONFIG_VARIABLE} ({config_path}): klucz '{key}'", as_variable=False)
            values[name] = (variable(name), raw)
    for key, raw in env.items():
        if not key.startswith(PREFIX) or key == CONFIG_VARIABLE or key.startswith(TEST_PREFIX):
            continue
        name = key[len(PREFIX) :].lower()
        if name not in SETTING_TYPES:
            raise unknown(name, key, as_variable=True)
        values[name] = (key, raw)
    settings = Settings(
        **{name: coerce(shown, raw, SETTING_TYPES[name]) for name, (shown, raw) in values.items()}  # type: ignore[arg-type]
    )
    _validate(settings)
    if "public_url" not in values and "http" in values and settings.http_host_port[1] != 0:
        # Links in mails and bot messages follow the address the server listens on unless set apart.
        host, port = settings.http_host_port
        shown = "127.0.0.1" if host in ("", "0.0.0.0", "::") else (f"[{host}]" if ":" in host else host)
        settings = replace(settings, public_url=f"http://{shown}:{port}")
    return settings


def _read_config(path: str) -> dict[str, object]:
    try:
        return tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as err:
        raise SettingsError(
            f"{CONFIG_VARIABLE}: nie można odczytać pliku {path}: {describe_os_error(err)}"
        ) from err
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        # tomllib says where in English ("… (at line 3, column 5)", "… (at end of document)"): the
        # place is kept, in Polish.
        if isinstance(err, UnicodeDecodeError):
            where = describe_os_error(err)
        else:
            at = re.search(r"at line (\d+), column (\d+)", str(err))
            where = syntax_error_at(at[1], at[2]) if at else "błąd składni na końcu pliku"
        raise SettingsError(f"{CONFIG_VARIABLE}: plik {path} nie jest poprawnym TOML ({where})") from err


def _validate(s: Settings) -> None:
    if not s.database_url.startswith(("sqlite:", "postgresql")):
        raise SettingsError(
            f"HELPDESK_DATABASE_URL: obsługiwane są sqlite:/// i postgresql+psycopg:// (jest '{s.database_url}')"
        )
    s.http_host_port  # noqa: B018 - validates
    s.smtp_host_port  # noqa: B018 - validates
    s.smtp_relay_host_port  # noqa: B018 - validates
    if s.imap_url and not s.imap_url.startswith(("imap://", "imaps://")):
        raise SettingsError("HELPDESK_IMAP_URL: oczekiwano imap://… lub imaps://…")
    for name in ("public_url", "telegram_api_url", "telegram_webhook_url"):
        value = getattr(s, name)
        if (value or name != "telegram_webhook_url") and not value.startswith(("http://", "https://")):
            raise SettingsError(f"{variable(name)}: oczekiwano adresu http:// lub https:// (jest '{value}')")
    for address in s.trusted_proxy_addresses:
        try:
            ip_network(address, strict=False)
        except ValueError as err:
            raise SettingsError(
                f"HELPDESK_TRUSTED_PROXIES: '{address}' nie jest adresem IP ani siecią (np. 127.0.0.1)"
            ) from err
    try:
        ZoneInfo(s.timezone)
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise SettingsError(f"HELPDESK_TIMEZONE: nieznana strefa czasowa '{s.timezone}'") from err
    if not 0 < s.sla_warn_share < 1:
        raise SettingsError("HELPDESK_SLA_WARN_SHARE: oczekiwano liczby z przedziału (0, 1)")
    # Lower bounds: below them the server would refuse every request or mail, or spin.
    minimums: dict[str, tuple[float, str]] = {
        "http_max_body": (1024, "co najmniej 1024 bajty"),
        "mail_max_bytes": (1024, "co najmniej 1024 bajty"),
        "attachment_max_bytes": (1, "co najmniej 1 bajt"),
        "first_line_target_min": (0, "nie mniej niż 0 (0 wyłącza alerty pierwszej linii)"),
        "sweep_interval_s": (1, "co najmniej 1 sekunda"),
        "mail_pending_interval_s": (0.05, "co najmniej 0.05 sekundy"),
        "imap_poll_s": (0.05, "co najmniej 0.05 sekundy"),
        "mail_send_interval_s": (0.05, "co najmniej 0.05 sekundy"),
        "telegram_rate_burst": (1, "co najmniej 1 wiadomość"),
        "telegram_rate_per_s": (0.001, "co najmniej 0.001 wiadomości na sekundę"),
        "audit_checkpoint_hours": (0.01, "co najmniej 0.01 godziny"),
        "token_ttl_days": (1, "co najmniej 1 dzień"),
        "login_max_failures": (1, "co najmniej 1 próba"),
        "login_address_max_failures": (1, "co najmniej 1 próba"),
        "login_window_s": (1, "co najmniej 1 sekunda"),
        "link_code_max_failures": (1, "co najmniej 1 próba"),
        "link_code_window_s": (1, "co najmniej 1 sekunda"),
        "mail_rate_person": (1, "co najmniej 1 wiadomość"),
        "mail_rate_domain": (1, "co najmniej 1 wiadomość"),
        "mail_rate_window_s": (1, "co najmniej 1 sekunda"),
        "retention_years": (1, "co najmniej 1 rok"),
        "retention_interval_h": (0.01, "co najmniej 0.01 godziny"),
        "lease_ttl_s": (1, "co najmniej 1 sekunda"),
        "workers": (1, "co najmniej 1 proces"),
    }
    for name, (minimum, what) in minimums.items():
        value = getattr(s, name)
        if value < minimum:
            raise SettingsError(f"{variable(name)}: {what} (jest {value})")
    if s.log_level.upper() not in LOG_LEVELS:
        raise SettingsError(
            f"HELPDESK_LOG_LEVEL: oczekiwano jednego z {', '.join(LOG_LEVELS)} (jest '{s.log_level}')"
        )
    if s.log_format not in LOG_FORMATS:
        raise SettingsError(
            f"HELPDESK_LOG_FORMAT: oczekiwano jednego z {', '.join(LOG_FORMATS)} (jest '{s.log_format}')"
        )
    if s.bot_dir and not Path(s.bot_dir).is_dir():
        raise SettingsError(f"HELPDESK_BOT_DIR: nie ma takiego katalogu ({s.bot_dir})")
    for address in auditor_addresses(s):
        if "@" not in address or any(c.isspace() for c in address):
            raise SettingsError(f"HELPDESK_AUDIT_CHECKPOINT_MAIL: niepoprawny adres '{address}'")


def auditor_addresses(s: Settings) -> list[str]:
    """HELPDESK_AUDIT_CHECKPOINT_MAIL as a list of addresses (comma-separated)."""
    return [a.strip() for a in s.audit_checkpoint_mail.split(",") if a.strip()]
