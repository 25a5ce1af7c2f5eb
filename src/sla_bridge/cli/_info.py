"""``sla-bridge plugins`` and ``sla-bridge config``: what is loaded and how it is set."""

from __future__ import annotations

import json
from typing import Any

import click

from sla_bridge.masking import masked
from sla_bridge.settings import (
    ENV_NESTED_DELIMITER,
    ENV_PREFIX,
    SettingsError,
)

from ._context import AppContext, SettingProblem, pass_app
from ._tables import render_table


@click.command("plugins")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@pass_app
def plugins_command(app: AppContext, as_json: bool) -> None:
    """List loaded plugins: name, distribution, version and the hooks each implements."""
    infos = app.host.plugins()
    if as_json:
        click.echo(json.dumps([info.__dict__ for info in infos], indent=2, default=list))
        return
    rows = [[i.name, i.distribution, i.version, ", ".join(i.hooks)] for i in infos]
    click.echo(render_table(["name", "distribution", "version", "hooks"], rows))


@click.command("config")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of variable lines.")
@pass_app
def config_command(app: AppContext, as_json: bool) -> None:
    """Print the effective settings, secrets masked, as the variables that set them (a
    platform's MODE as in force there: its own, else SLA_BRIDGE_MODE)."""
    data: dict[str, Any] = masked(app.settings)
    sections = app.host.settings_sections()
    try:
        app.settings.check_modes(sections)
    except SettingsError as exc:
        raise SettingProblem(str(exc)) from None
    for section, settings_class in sorted(sections.items()):
        try:
            data[section] = masked(app.settings.section(settings_class))
            if data[section].get("mode", "") is None:  # a platform section, mode not set
                data[section]["mode"] = app.settings.mode_for(section)  # the effective one
        except SettingsError as exc:
            raise SettingProblem(f"invalid {section} settings:\n{exc}") from None
    if as_json:
        click.echo(json.dumps(data, indent=2, default=str))
        return
    for variable, value in _flatten(ENV_PREFIX, data):
        click.echo(f"{variable}={value}")


def _flatten(prefix: str, data: dict[str, Any]) -> list[tuple[str, str]]:
    lines: list[tuple[str, str]] = []
    for key, value in data.items():
        name = prefix + key.upper()
        if isinstance(value, dict):
            lines += _flatten(name + ENV_NESTED_DELIMITER, value)
        elif isinstance(value, list):
            lines.append((name, ",".join(map(str, value))))
        else:
            lines.append((name, "" if value is None else str(value)))
    return lines
