"""A third-party plugin for the tests: installed through an entry point, implements every hook."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, timedelta
from pathlib import Path

import click
from pydantic import BaseModel, ConfigDict, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from sla_bridge import hookimpl

POLICY_DIR = Path(__file__).parent / "policies"


def easter(year: int) -> date:
    """Western Easter Sunday (anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 19 * l_) // 433
    month = (h + l_ - 7 * m + 90) // 25
    return date(year, month, (h + l_ - 7 * m + 33 * month + 19) % 32)


class EasterRule:
    def __init__(self, name: str, days: int) -> None:
        self.name, self.days = name, days

    def dates_in(self, year: int, earlier: Mapping[str, Sequence[date]]) -> list[date]:
        return [easter(year) + timedelta(days=self.days)]


class EasterSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    kind: str = "easter"
    days: int = 0

    def to_rule(self) -> EasterRule:
        return EasterRule(self.name, self.days)


class ExampleSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SLA_BRIDGE_EXAMPLE__")
    endpoint: str = "https://example.invalid"
    api_token: SecretStr = SecretStr("")


@hookimpl
def sla_bridge_register_policies(register: Callable[[Path], None]) -> None:
    register(POLICY_DIR)


@hookimpl
def sla_bridge_register_holiday_rules(register: Callable[[str, type[BaseModel]], None]) -> None:
    register("easter", EasterSpec)


@hookimpl
def sla_bridge_register_commands(cli: click.Group) -> None:
    @cli.command("example-hello")
    @click.argument("who")
    def hello(who: str) -> None:
        """Say hello (added by the example plugin)."""
        click.echo(f"hello {who} from the example plugin")


@hookimpl
def sla_bridge_register_settings(register: Callable[[str, type[BaseSettings]], None]) -> None:
    register("example", ExampleSettings)
