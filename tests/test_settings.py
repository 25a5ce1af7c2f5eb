"""Settings from the environment and .env, with errors that name the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from sla_bridge.settings import SectionSettings, SettingsError, load_settings


def test_defaults_need_no_environment() -> None:
    settings = load_settings()
    assert settings.policies == ["code42-enterprise"]
    assert settings.database_url == "sqlite:///./var/sla-bridge.db"
    assert settings.admin_token is None
    assert settings.server.port == 8080


def test_prefix_commas_and_nesting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLA_BRIDGE_POLICIES", "ownbackup, code42-enterprise")
    monkeypatch.setenv("SLA_BRIDGE_DISABLED_PLUGINS", "a,b")
    monkeypatch.setenv("SLA_BRIDGE_SERVER__PORT", "9090")
    settings = load_settings()
    assert settings.policies == ["ownbackup", "code42-enterprise"]
    assert settings.disabled_plugins == ["a", "b"]
    assert settings.server.port == 9090


def test_dotenv_file_in_working_directory_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("SLA_BRIDGE_SERVER__HOST=0.0.0.0\nSLA_BRIDGE_LOG_FORMAT=json\n")
    settings = load_settings()
    assert settings.server.host == "0.0.0.0"
    assert settings.log_format == "json"


def test_environment_wins_over_dotenv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".env").write_text("SLA_BRIDGE_LOG_LEVEL=DEBUG\n")
    monkeypatch.setenv("SLA_BRIDGE_LOG_LEVEL", "ERROR")
    assert load_settings().log_level == "ERROR"


def test_wrong_value_names_the_variable_and_what_it_expects(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLA_BRIDGE_SERVER__PORT", "eighty")
    monkeypatch.setenv("SLA_BRIDGE_LOG_FORMAT", "xml")
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    assert "SLA_BRIDGE_SERVER__PORT: Input should be a valid integer" in message
    assert "'eighty'" in message
    assert "SLA_BRIDGE_LOG_FORMAT: Input should be 'text' or 'json', got 'xml'" in message


def test_secret_is_masked_in_repr_and_config(monkeypatch: pytest.MonkeyPatch, run_cli) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SLA_BRIDGE_ADMIN_TOKEN", "tok-123456")
    settings = load_settings()
    assert "tok-123456" not in repr(settings)
    assert settings.admin_token is not None
    assert settings.admin_token.get_secret_value() == "tok-123456"
    result = run_cli("config")
    assert result.exit_code == 0
    assert "SLA_BRIDGE_ADMIN_TOKEN=**********" in result.stdout.splitlines()
    assert "tok-123456" not in result.output


def test_bad_settings_stop_the_cli_with_exit_2(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "SLA_BRIDGE_SERVER__WORKERS": "0"}
    done = subprocess.run([sys.executable, "-m", "sla_bridge", "config"], env=env,
                          capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 2
    assert "invalid settings" in done.stderr
    assert "SLA_BRIDGE_SERVER__WORKERS: Input should be greater than or equal to 1" in done.stderr


def test_example_env_file_is_valid() -> None:
    example = Path(__file__).parents[1] / "config" / "example.env"
    settings = load_settings(env_file=example)
    assert settings.policies == ["code42-enterprise"]
    assert settings.server.port == 8080


def test_readme_test_command_is_what_ci_runs() -> None:
    root = Path(__file__).parents[1]
    ci = (root / ".ci" / "run").read_text()
    command = next(line for line in ci.splitlines() if line.startswith("python3 -m venv"))
    assert command in (root / "README.md").read_text()


def test_a_given_environment_is_read_instead_of_the_process_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An embedding program (the test harness, a demo) gives the bridge its own variables:
    neither the process environment nor a .env file leaks in, and plugin sections are read
    from the same mapping."""
    (tmp_path / ".env").write_text("SLA_BRIDGE_LOG_LEVEL=DEBUG\n"
                                   "SLA_BRIDGE_ZENDESK__SUBDOMAIN=dotenv\n")
    monkeypatch.setenv("SLA_BRIDGE_SERVER__PORT", "9090")
    monkeypatch.setenv("SLA_BRIDGE_ZENDESK__SUBDOMAIN", "from-process")
    given = {"SLA_BRIDGE_SERVER__PORT": "7070", "SLA_BRIDGE_ZENDESK__SUBDOMAIN": "acme",
             "SLA_BRIDGE_ZENDESK__API_TOKEN": "tok-3141"}
    settings = load_settings(environ=given, policies=["ownbackup"])
    assert (settings.server.port, settings.log_level, settings.policies) == (
        7070, "INFO", ["ownbackup"])

    class ZendeskLike(SectionSettings):
        model_config = SettingsConfigDict(env_prefix="SLA_BRIDGE_ZENDESK__",
                                          env_nested_delimiter="__", env_file=".env",
                                          extra="ignore")
        subdomain: str = ""
        api_token: SecretStr = SecretStr("")

    section = settings.section(ZendeskLike)
    assert section.subdomain == "acme"
    assert section.api_token.get_secret_value() == "tok-3141"
    assert "tok-3141" not in repr(settings)
    assert os.environ["SLA_BRIDGE_SERVER__PORT"] == "9090"  # the process's is left alone
    # From the process environment, sections come from it (and .env) as before.
    assert load_settings().section(ZendeskLike).subdomain == "from-process"


def test_a_bad_value_in_a_given_environment_names_its_variable() -> None:
    with pytest.raises(SettingsError, match="SLA_BRIDGE_SERVER__PORT"):
        load_settings(environ={"SLA_BRIDGE_SERVER__PORT": "eighty"})


def test_a_map_setting_that_is_not_json_names_its_variable() -> None:
    class AcmeSettings(SectionSettings):
        model_config = SettingsConfigDict(env_prefix="SLA_BRIDGE_ACME__",
                                          env_nested_delimiter="__", extra="ignore")
        priority_map: dict[str, str] = Field(default_factory=dict)

    settings = load_settings(environ={"SLA_BRIDGE_ACME__PRIORITY_MAP": "notjson"})
    with pytest.raises(SettingsError) as refused:
        settings.section(AcmeSettings)
    assert str(refused.value).startswith("SLA_BRIDGE_ACME__PRIORITY_MAP: not valid JSON")
    assert "Traceback" not in str(refused.value)
