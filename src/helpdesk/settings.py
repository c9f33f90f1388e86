"""Settings (SPEC §2): built once from the environment and an optional TOML file, then passed down."""

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from helpdesk.domain.errors import InvalidInput

PREFIX = "HELPDESK_"
DEFAULT_TELEGRAM_API = "https://api.telegram.org/bot"


class SettingsError(InvalidInput):
    """A missing or invalid setting; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    """Every setting of SPEC §2 plus our own extensions (all optional, with defaults)."""

    database_url: str = "sqlite:///./var/helpdesk.db"
    http: str = "127.0.0.1:8080"
    public_url: str = "http://127.0.0.1:8080"
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
    # Extensions.
    mail_max_bytes: int = 25 * 1024 * 1024
    http_max_body: int = 1024 * 1024
    attachment_max_bytes: int = 10 * 1024 * 1024
    sla_warn_share: float = 0.8
    first_line_target_min: int = 240
    sweep_interval_s: int = 30
    log_level: str = "INFO"
    # Extensions: trust (README, "Audit log", "Accounts", "Mail identity", "Personal data").
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
    extra: Mapping[str, str] = field(default_factory=dict)

    @property
    def tz(self) -> ZoneInfo:
        """The time zone people see times in."""
        return ZoneInfo(self.timezone)

    @property
    def http_host_port(self) -> tuple[str, int]:
        """HELPDESK_HTTP split into host and port."""
        return split_host_port(self.http, "HELPDESK_HTTP")

    @property
    def smtp_host_port(self) -> tuple[str, int] | None:
        """HELPDESK_SMTP_LISTEN split, or None when the gateway is disabled."""
        return split_host_port(self.smtp_listen, "HELPDESK_SMTP_LISTEN") if self.smtp_listen else None


def split_host_port(value: str, name: str) -> tuple[str, int]:
    """'127.0.0.1:8080' → ('127.0.0.1', 8080); SettingsError naming `name` otherwise."""
    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) < 65536:
        raise SettingsError(f"{name}: oczekiwano host:port, np. 127.0.0.1:8080 (jest '{value}')")
    return host.strip("[]"), int(port)


def _coerce(name: str, raw: object, default: object) -> object:
    env_name = PREFIX + name.upper()
    if isinstance(default, bool):
        return str(raw).lower() in ("1", "true", "yes", "tak")
    if isinstance(default, int):
        try:
            return int(str(raw))
        except ValueError as err:
            raise SettingsError(f"{env_name}: oczekiwano liczby całkowitej (jest '{raw}')") from err
    if isinstance(default, float):
        try:
            return float(str(raw))
        except ValueError as err:
            raise SettingsError(f"{env_name}: oczekiwano liczby (jest '{raw}')") from err
    return str(raw)


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read HELPDESK_CONFIG (TOML) then the environment (which wins), and validate."""
    env = os.environ if environ is None else environ
    values: dict[str, object] = {}
    config_path = env.get(PREFIX + "CONFIG", "")
    if config_path:
        try:
            data = tomllib.loads(Path(config_path).read_text(encoding="utf-8"))
        except OSError as err:
            raise SettingsError(
                f"HELPDESK_CONFIG: nie można odczytać pliku {config_path}: {err.strerror}"
            ) from err
        except tomllib.TOMLDecodeError as err:
            raise SettingsError(
                f"HELPDESK_CONFIG: plik {config_path} nie jest poprawnym TOML: {err}"
            ) from err
        values.update({str(k).lower(): v for k, v in data.items()})
    for key, value in env.items():
        if key.startswith(PREFIX) and key != PREFIX + "CONFIG" and not key.startswith(PREFIX + "TEST_"):
            values[key[len(PREFIX) :].lower()] = value
    defaults = Settings()
    known = {f.name for f in fields(Settings)} - {"extra"}
    kwargs: dict[str, object] = {}
    extra: dict[str, str] = {}
    for name, raw in values.items():
        if name in known:
            kwargs[name] = _coerce(name, raw, getattr(defaults, name))
        else:
            extra[name] = str(raw)
    settings = Settings(**kwargs, extra=extra)  # type: ignore[arg-type]
    _validate(settings)
    return settings


def _validate(s: Settings) -> None:
    if not s.database_url.startswith(("sqlite:", "postgresql")):
        raise SettingsError(
            f"HELPDESK_DATABASE_URL: obsługiwane są sqlite:/// i postgresql+psycopg:// (jest '{s.database_url}')"
        )
    s.http_host_port  # noqa: B018 - validates
    s.smtp_host_port  # noqa: B018 - validates
    if s.smtp_relay:
        split_host_port(s.smtp_relay, "HELPDESK_SMTP_RELAY")
    if s.imap_url and not s.imap_url.startswith(("imap://", "imaps://")):
        raise SettingsError("HELPDESK_IMAP_URL: oczekiwano imap://… lub imaps://…")
    if not s.public_url.startswith(("http://", "https://")):
        raise SettingsError("HELPDESK_PUBLIC_URL: oczekiwano adresu http:// lub https://")
    if s.telegram_webhook_url and not s.telegram_webhook_url.startswith(("http://", "https://")):
        raise SettingsError("HELPDESK_TELEGRAM_WEBHOOK_URL: oczekiwano adresu http:// lub https://")
    try:
        ZoneInfo(s.timezone)
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise SettingsError(f"HELPDESK_TIMEZONE: nieznana strefa czasowa '{s.timezone}'") from err
    if not 0 < s.sla_warn_share < 1:
        raise SettingsError("HELPDESK_SLA_WARN_SHARE: oczekiwano liczby z przedziału (0, 1)")
    if s.http_max_body < 1024:
        raise SettingsError("HELPDESK_HTTP_MAX_BODY: co najmniej 1024 bajty")
    positive = (
        "audit_checkpoint_hours",
        "token_ttl_days",
        "login_max_failures",
        "login_address_max_failures",
        "login_window_s",
        "link_code_max_failures",
        "link_code_window_s",
        "mail_rate_person",
        "mail_rate_domain",
        "mail_rate_window_s",
        "retention_years",
    )
    for name in positive:
        if getattr(s, name) <= 0:
            raise SettingsError(f"{PREFIX}{name.upper()}: oczekiwano liczby większej od zera")
    for address in auditor_addresses(s):
        if "@" not in address or any(c.isspace() for c in address):
            raise SettingsError(f"HELPDESK_AUDIT_CHECKPOINT_MAIL: niepoprawny adres '{address}'")


def auditor_addresses(s: Settings) -> list[str]:
    """HELPDESK_AUDIT_CHECKPOINT_MAIL as a list of addresses (comma-separated)."""
    return [a.strip() for a in s.audit_checkpoint_mail.split(",") if a.strip()]
