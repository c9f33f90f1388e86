"""Settings: defaults, the TOML file, and one clear line naming a bad variable."""

import pytest

from helpdesk.settings import SettingsError, load_settings


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


def test_a_broken_config_file_is_named(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text("http = ", encoding="utf-8")
    with pytest.raises(SettingsError, match="HELPDESK_CONFIG"):
        load_settings({"HELPDESK_CONFIG": str(cfg)})
