"""The kinds of setting platform sections share: comma lists, JSON maps keyed by helpdesk
names however they are cased, and URLs refused with the fix the platform names."""

from __future__ import annotations

from typing import ClassVar

import pytest
from pydantic import Field, field_validator

from sla_bridge.platformkit import (
    LowerNameMap,
    NameMap,
    PlatformSettings,
    platform_settings_config,
    url_setting,
)
from sla_bridge.settings import CommaList, SettingsError
from sla_bridge.tickets import Status


class AcmeSettings(PlatformSettings):
    model_config = platform_settings_config("acme")
    platform_label: ClassVar[str] = "Acme"

    site: str | None = None
    projects: CommaList = Field(default_factory=list)
    status_map: NameMap[Status] = Field(default_factory=dict)
    priority_map: NameMap[str] = Field(default_factory=dict)
    channel_map: LowerNameMap = Field(default_factory=dict)

    @field_validator("site")
    @classmethod
    def _check_site(cls, value: str | None) -> str | None:
        return url_setting(value, r"^https://[^/\s]+$", "must be https://<name>.acme.test")


def load(monkeypatch: pytest.MonkeyPatch, **values: str) -> AcmeSettings:
    for name, value in values.items():
        monkeypatch.setenv(f"SLA_BRIDGE_ACME__{name.upper()}", value)
    return AcmeSettings.load()


def test_a_comma_list_is_read_from_one_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load(monkeypatch, projects=" SUP, HELP,,").projects == ["SUP", "HELP"]
    assert load(monkeypatch, projects="").projects == []


def test_maps_are_keyed_by_names_however_they_are_cased(
        monkeypatch: pytest.MonkeyPatch) -> None:
    loaded = load(monkeypatch, status_map='{" Waiting For Vendor ": "hold"}',
                  priority_map='{"SEV1": " Highest "}', channel_map='{"Web Form": " WEB "}')
    assert loaded.status_map == {"waiting for vendor": Status.HOLD}
    assert loaded.priority_map == {"sev1": "Highest"}
    assert loaded.channel_map == {"web form": "web"}


def test_a_map_of_unknown_statuses_is_refused_at_its_variable(
        monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(SettingsError, match="SLA_BRIDGE_ACME__STATUS_MAP"):
        load(monkeypatch, status_map='{"Waiting": "asleep"}')


def test_a_url_setting_is_cleaned_or_refused_with_the_fix(
        monkeypatch: pytest.MonkeyPatch) -> None:
    assert load(monkeypatch, site=" https://eu.acme.test/ ").site == "https://eu.acme.test"
    assert load(monkeypatch, site="  ").site is None
    with pytest.raises(SettingsError, match="SLA_BRIDGE_ACME__SITE: .*must be "
                       r"https://<name>\.acme\.test"):
        load(monkeypatch, site="http://eu.acme.test/path")
