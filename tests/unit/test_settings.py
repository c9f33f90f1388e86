"""Settings: defaults, the TOML file, declared and typed keys, and one clear line naming a bad or unknown one."""

from dataclasses import fields
from pathlib import Path

import pytest

from helpdesk.settings import Settings, SettingsError, coerce, load_settings


def test_defaults_match_the_spec():
    s = load_settings({})
    assert s.database_url == "sqlite:///./var/helpdesk.db" and s.http == "127.0.0.1:8080"
    assert s.smtp_listen == "127.0.0.1:2525" and s.timezone == "Europe/Warsaw"


def test_the_environment_wins_over_the_config_file(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text('http = "127.0.0.1:9000"\nmail_from = "hd@example.pl"\n', encoding="utf-8")
    s = load_settings({"HELPDESK_CONFIG": str(cfg), "HELPDESK_HTTP": "127.0.0.1:9100"})
    assert s.http == "127.0.0.1:9100" and s.mail_from == "hd@example.pl"


@pytest.mark.parametrize(
    "name,value",
    [
        ("HELPDESK_HTTP", "nonsense"),
        ("HELPDESK_TIMEZONE", "Mars/Olympus"),
        ("HELPDESK_DATABASE_URL", "mysql://x"),
        ("HELPDESK_SMTP_RELAY", "relay"),
        ("HELPDESK_IMAP_URL", "http://x"),
        ("HELPDESK_SLA_WARN_SHARE", "2"),
    ],
)
def test_a_bad_setting_is_named_in_one_line(name, value):
    with pytest.raises(SettingsError) as err:
        load_settings({name: value})
    assert name in str(err.value) and "\n" not in str(err.value)


def test_a_broken_config_file_is_named_with_the_place_in_polish(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text('tz = "Europe/Warsaw"\nb c\n', encoding="utf-8")
    with pytest.raises(SettingsError, match="HELPDESK_CONFIG") as err:
        load_settings({"HELPDESK_CONFIG": str(cfg)})
    assert str(err.value).endswith("nie jest poprawnym TOML (błąd składni w wierszu 2, kolumnie 3)")
    cfg.write_text("http = ", encoding="utf-8")
    with pytest.raises(SettingsError, match="błąd składni na końcu pliku"):
        load_settings({"HELPDESK_CONFIG": str(cfg)})
    cfg.write_bytes(b'tz = "\xff"')
    with pytest.raises(SettingsError, match="to nie jest tekst w UTF-8"):
        load_settings({"HELPDESK_CONFIG": str(cfg)})
    with pytest.raises(SettingsError, match="nie ma takiego pliku ani katalogu"):
        load_settings({"HELPDESK_CONFIG": str(tmp_path / "brak.toml")})


@pytest.mark.parametrize(
    "name,value",
    [
        ("HELPDESK_SWEEP_INTERVAL_S", "0"),
        ("HELPDESK_SWEEP_INTERVAL_S", "pół minuty"),
        ("HELPDESK_IMAP_POLL_S", "0"),
        ("HELPDESK_MAIL_SEND_INTERVAL_S", "-1"),
        ("HELPDESK_MAIL_PENDING_INTERVAL_S", "0.001"),
        ("HELPDESK_TELEGRAM_RATE_BURST", "0"),
        ("HELPDESK_TELEGRAM_RATE_BURST", "1.5"),
        ("HELPDESK_TELEGRAM_RATE_PER_S", "0"),
        ("HELPDESK_HTTP_MAX_BODY", "10"),
        ("HELPDESK_MAIL_MAX_BYTES", "25MB"),
        ("HELPDESK_ATTACHMENT_MAX_BYTES", "0"),
        ("HELPDESK_FIRST_LINE_TARGET_MIN", "-5"),
        ("HELPDESK_RETENTION_DAYS", "-1"),
        ("HELPDESK_LOG_LEVEL", "LOUD"),
        ("HELPDESK_TELEGRAM_API_URL", "api.telegram.org/bot"),
        ("HELPDESK_TELEGRAM_WEBHOOK_URL", "ftp://example.pl/hook"),
        ("HELPDESK_PUBLIC_URL", "helpdesk.example.pl"),
        ("HELPDESK_SMTP_LISTEN", "127.0.0.1:99999"),
        ("HELPDESK_BOT_DIR", "/nonexistent/bot"),
    ],
)
def test_a_value_out_of_range_or_of_the_wrong_kind_is_named_in_one_line(name, value):
    with pytest.raises(SettingsError) as err:
        load_settings({name: value})
    assert name in str(err.value) and "\n" not in str(err.value)


def test_every_key_once_read_from_extra_is_a_typed_setting(tmp_path):
    s = load_settings(
        {
            "HELPDESK_MAIL_PENDING_INTERVAL_S": "5",
            "HELPDESK_IMAP_POLL_S": "0.5",
            "HELPDESK_MAIL_SEND_INTERVAL_S": "1.5",
            "HELPDESK_TELEGRAM_RATE_BURST": "100000",
            "HELPDESK_TELEGRAM_RATE_PER_S": "2",
            "HELPDESK_BOT_DIR": str(tmp_path),
        }
    )
    assert (s.mail_pending_interval_s, s.imap_poll_s, s.mail_send_interval_s) == (5.0, 0.5, 1.5)
    assert s.telegram_rate_burst == 100000 and isinstance(s.telegram_rate_burst, int)
    assert s.telegram_rate_per_s == 2.0 and s.bot_dir == str(tmp_path)
    defaults = load_settings({})
    assert (defaults.mail_pending_interval_s, defaults.imap_poll_s, defaults.mail_send_interval_s) == (
        60,
        60,
        2,
    )
    assert (defaults.telegram_rate_burst, defaults.telegram_rate_per_s, defaults.bot_dir) == (60, 1.0, "")
    assert not hasattr(defaults, "extra")


def test_a_misspelt_variable_stops_start_up_naming_it_and_the_nearest_setting():
    with pytest.raises(SettingsError) as err:
        load_settings({"HELPDESK_IMAP_POL_S": "5"})
    message = str(err.value)
    assert message.startswith("HELPDESK_IMAP_POL_S:") and "HELPDESK_IMAP_POLL_S" in message
    assert "\n" not in message


def test_an_unknown_variable_with_nothing_near_is_still_named():
    with pytest.raises(SettingsError, match=r"^HELPDESK_FAVOURITE_COLOUR: nieznane ustawienie \("):
        load_settings({"HELPDESK_FAVOURITE_COLOUR": "zielony"})


def test_an_unknown_key_in_the_config_file_stops_start_up_naming_it(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text('http = "127.0.0.1:9000"\nsmtp_lisen = ""\n', encoding="utf-8")
    with pytest.raises(SettingsError) as err:
        load_settings({"HELPDESK_CONFIG": str(cfg)})
    message = str(err.value)
    assert "smtp_lisen" in message and "smtp_listen" in message and str(cfg) in message
    assert "\n" not in message


@pytest.mark.parametrize(
    "line,name",
    [
        ('sweep_interval_s = "co chwilę"', "HELPDESK_SWEEP_INTERVAL_S"),
        ("sweep_interval_s = 1.5", "HELPDESK_SWEEP_INTERVAL_S"),
        ("sweep_interval_s = true", "HELPDESK_SWEEP_INTERVAL_S"),
        ("http = 8080", "HELPDESK_HTTP"),
        ("[mail]\nfrom = 'a@b.pl'", "mail"),
    ],
)
def test_a_config_value_of_the_wrong_kind_is_named(tmp_path, line, name):
    cfg = tmp_path / "c.toml"
    cfg.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(SettingsError) as err:
        load_settings({"HELPDESK_CONFIG": str(cfg)})
    assert name in str(err.value) and "\n" not in str(err.value)


def test_config_values_keep_their_toml_types(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text("sweep_interval_s = 10\nimap_poll_s = 30\nsla_warn_share = 0.75\n", encoding="utf-8")
    s = load_settings({"HELPDESK_CONFIG": str(cfg)})
    assert (s.sweep_interval_s, s.imap_poll_s, s.sla_warn_share) == (10, 30.0, 0.75)


def test_the_config_variable_and_the_test_suites_variables_are_not_settings():
    s = load_settings(
        {
            "HELPDESK_TEST_POSTGRES_URL": "postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
            "HELPDESK_TEST_STRICT": "1",
            "HELPDESK_CONFIG": "",
            "PATH": "/usr/bin",
        }
    )
    assert s == load_settings({})


@pytest.mark.parametrize(
    "raw,expected",
    [
        *[("1", True), ("true", True), ("Tak", True), (" yes ", True), ("on", True), (True, True)],
        *[("0", False), ("FALSE", False), ("nie", False), ("no", False), ("off", False), (False, False)],
    ],
)
def test_yes_no_values_are_read_in_both_languages(raw, expected):
    assert coerce("HELPDESK_X", raw, bool) is expected


@pytest.mark.parametrize("raw", ["", "2", "prawda", "y", "maybe", 1, 0.0])
def test_a_yes_no_value_that_does_not_parse_is_an_error_not_false(raw):
    with pytest.raises(SettingsError, match=r"^HELPDESK_X: oczekiwano wartości tak/nie"):
        coerce("HELPDESK_X", raw, bool)


def test_the_readme_documents_every_setting_with_its_default():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].startswith("`HELPDESK_"):
            rows[cells[0].strip("`")] = cells[1]
    defaults = Settings()
    assert sorted(rows) == sorted("HELPDESK_" + f.name.upper() for f in fields(Settings))
    for f in fields(Settings):
        value = getattr(defaults, f.name)
        documented = rows["HELPDESK_" + f.name.upper()]
        if value == "":
            assert documented == "empty", f.name
        else:
            shown = documented.split("`")[1]
            assert shown == str(value) or float(shown) == value, (f.name, shown, value)
