"""Plugin discovery through the ``sla_bridge`` entry-point group, allow- and block-lists."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from click.testing import Result

from sla_bridge.default_plugins import DEFAULT_PLUGINS
from sla_bridge.plugin import PluginError, PluginHost
from sla_bridge.settings import load_settings

RunCli = Callable[..., Result]


def host_for(**env: str) -> PluginHost:
    return PluginHost.from_settings(load_settings(**env))


def loaded_names(host: PluginHost) -> list[str]:
    return [info.name for info in host.plugins()]


@pytest.mark.usefixtures("example_plugin_installed")
def test_entry_point_plugin_is_discovered_with_its_distribution() -> None:
    host = host_for()
    example = next(info for info in host.plugins() if info.name == "example")
    assert example.distribution == "sla-bridge-example-plugin"
    assert example.version == "1.2.3"
    assert not example.builtin
    assert example.hooks == (
        "sla_bridge_register_commands",
        "sla_bridge_register_holiday_rules",
        "sla_bridge_register_policies",
        "sla_bridge_register_settings",
    )


def test_builtin_plugins_are_registered_through_the_same_manager() -> None:
    host = host_for()
    builtins = [info.name for info in host.plugins() if info.builtin]
    assert builtins == list(DEFAULT_PLUGINS)
    for name in DEFAULT_PLUGINS:
        assert host.manager.get_plugin(name) is not None


@pytest.mark.usefixtures("example_plugin_installed")
def test_allow_list_limits_entry_point_plugins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLA_BRIDGE_PLUGINS", "")
    assert "example" not in loaded_names(host_for())
    monkeypatch.setenv("SLA_BRIDGE_PLUGINS", "example")
    assert "example" in loaded_names(host_for())


@pytest.mark.usefixtures("example_plugin_installed")
def test_block_list_keeps_a_plugin_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLA_BRIDGE_DISABLED_PLUGINS", "example")
    host = host_for()
    assert "example" not in loaded_names(host)
    assert host.manager.is_blocked("example")


def test_blocking_a_builtin_lets_a_plugin_replace_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLA_BRIDGE_DISABLED_PLUGINS", "sla_bridge.default_plugins.policies")
    host = host_for()
    assert host.policy_library().available() == {}


def test_unknown_plugin_name_in_settings_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLA_BRIDGE_DISABLED_PLUGINS", "zendsk")
    with pytest.raises(PluginError, match=r"SLA_BRIDGE_DISABLED_PLUGINS names 'zendsk'.*known"):
        host_for()


@pytest.mark.usefixtures("broken_plugin_installed")
def test_a_plugin_that_fails_to_import_is_named_with_the_fix() -> None:
    with pytest.raises(PluginError) as caught:
        host_for()
    message = str(caught.value)
    assert "'broken'" in message
    assert "sla-bridge-broken-plugin" in message
    assert "RuntimeError: boom" in message
    assert "SLA_BRIDGE_DISABLED_PLUGINS=broken" in message


def test_a_plugin_implementing_an_unknown_hook_is_rejected(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "sla_bridge_typo_plugin.py").write_text(
        "from sla_bridge import hookimpl\n\n"
        "@hookimpl\ndef sla_bridge_register_polices(register):\n    pass\n"
    )
    dist = tmp_path / "sla_bridge_typo_plugin-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: typo\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[sla_bridge]\ntypo = sla_bridge_typo_plugin\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(PluginError, match="sla_bridge_register_polices"):
        host_for()


def test_importing_the_package_loads_no_plugins() -> None:
    import subprocess
    import sys

    code = (
        "import sys, sla_bridge, sla_bridge.cli, sla_bridge.plugin\n"
        "assert 'sla_bridge.default_plugins.policies' not in sys.modules, 'loaded at import'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.usefixtures("example_plugin_installed")
def test_plugin_policies_and_holiday_kinds_are_usable(run_cli: RunCli) -> None:
    """sla_bridge_register_policies and sla_bridge_register_holiday_rules from a plugin."""
    host = host_for()
    library = host.policy_library()
    assert "easter-shop" in library.available()
    assert "code42-enterprise" in library.available()
    policy = library.load("easter-shop")
    holidays = policy.holiday_calendar("de").holidays_in(2026)
    assert [(h.day, h.name) for h in holidays] == [
        (date(2026, 4, 3), "Good Friday"),
        (date(2026, 4, 5), "Easter Sunday"),
        (date(2026, 4, 6), "Easter Monday"),
    ]
    # Thu Apr 2 2026 16:00 Berlin + 8 business hours: 1 h Thu, Good Friday, weekend, Easter
    # Monday skipped, Tue 09:00 + 7 h = 16:00.
    result = run_cli("due", "--policy", "easter-shop", "--severity", "high",
                     "--opened", "2026-04-02T16:00:00+02:00")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "2026-04-07T16:00:00+02:00"


@pytest.mark.usefixtures("example_plugin_installed")
def test_plugin_adds_a_command(run_cli: RunCli) -> None:
    """sla_bridge_register_commands."""
    result = run_cli("example-hello", "admin")
    assert result.exit_code == 0, result.output
    assert result.stdout == "hello admin from the example plugin\n"
    assert "example-hello" in run_cli("--help").stdout


@pytest.mark.usefixtures("example_plugin_installed")
def test_plugin_settings_section_is_shown_masked(run_cli: RunCli) -> None:
    """sla_bridge_register_settings."""
    result = run_cli("config", env={"SLA_BRIDGE_EXAMPLE__API_TOKEN": "s3cr3t-value",
                                    "SLA_BRIDGE_EXAMPLE__ENDPOINT": "https://acme.test"})
    assert result.exit_code == 0, result.output
    assert "SLA_BRIDGE_EXAMPLE__ENDPOINT=https://acme.test" in result.stdout.splitlines()
    assert "SLA_BRIDGE_EXAMPLE__API_TOKEN=**********" in result.stdout.splitlines()
    assert "s3cr3t-value" not in result.output


def test_plugins_command_lists_name_distribution_version_hooks(run_cli: RunCli) -> None:
    result = run_cli("plugins")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["name", "distribution", "version", "hooks"]
    row = next(line for line in lines if line.startswith("sla_bridge.default_plugins.policies"))
    assert "sla-bridge" in row
    assert "sla_bridge_register_policies" in row



def _plugin_adding(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str,
                   command: str) -> None:
    module = f"sla_bridge_{name}_plugin"
    (tmp_path / f"{module}.py").write_text(
        "import click\nfrom sla_bridge import hookimpl\n\n"
        "@hookimpl\ndef sla_bridge_register_commands(cli):\n"
        f"    @cli.command({command!r})\n    def run():\n        click.echo({name!r})\n")
    dist = tmp_path / f"{module}-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(f"[sla_bridge]\n{name} = {module}\n")
    monkeypatch.syspath_prepend(str(tmp_path))


def test_two_plugins_adding_the_same_command_is_an_error_naming_both(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sla_bridge.cli import build_cli

    for folder, name in (("a", "first"), ("b", "second")):
        (tmp_path / folder).mkdir()
        _plugin_adding(tmp_path / folder, monkeypatch, name, "greet")
    with pytest.raises(PluginError) as caught:
        build_cli(host_for())
    assert "two plugins add the command 'greet'" in str(caught.value)
    assert "first" in str(caught.value)
    assert "second" in str(caught.value)
    # A plugin may not silently replace a built-in command either.
    _plugin_adding(tmp_path, monkeypatch, "third", "due")
    monkeypatch.setenv("SLA_BRIDGE_DISABLED_PLUGINS", "first,second")
    with pytest.raises(PluginError, match="'due': sla-bridge \\(built in\\) and third"):
        build_cli(host_for())
