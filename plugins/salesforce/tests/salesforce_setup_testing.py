"""What the setup and check tests share: the commands run on the real click group, and the
package's files read back as XML."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from defusedxml.ElementTree import parse

from sla_bridge_salesforce.cli import salesforce_group
from sla_bridge_salesforce.sandbox import Sandbox

BRIDGE = "https://bridge.example.test"
OUT = Path("sla-bridge-salesforce-metadata")
NS = "{http://soap.sforce.com/2006/04/metadata}"
PREFIX = "SLA_BRIDGE_SALESFORCE__"
#: The groups the code42-enterprise policy names: its escalation group and its managers.
POLICY_GROUPS = ("Senior Customer Champions", "Customer Champion managers")


def run(*args: str) -> Result:
    """``sla-bridge salesforce <args>``; a crash (not an exit) fails the test."""
    result = CliRunner().invoke(salesforce_group, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def setup(*args: str) -> Result:
    """``sla-bridge salesforce setup --bridge-url <BRIDGE> <args>``."""
    return run("setup", "--bridge-url", BRIDGE, *args)


def configure(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, **variables: str) -> None:
    """The plugin pointed at ``sandbox`` (plus ``variables`` by short name) and the bridge
    enforcing code42-enterprise, in the environment the commands read."""
    for name, value in sandbox.plugin_env().items():
        monkeypatch.setenv(name, value)
    for name, value in variables.items():
        monkeypatch.setenv(PREFIX + name.upper(), value)
    monkeypatch.setenv("SLA_BRIDGE_POLICIES", "code42-enterprise")


def xml(path: Path) -> ET.Element:
    """The root of one of the package's files (parsed without DTDs or entities)."""
    root = parse(str(path)).getroot()
    assert root.tag.startswith(NS), f"{path}: {root.tag} is not in the metadata namespace"
    return root


def texts(element: ET.Element, path: str) -> list[str]:
    """The text of every element at ``path`` (tags without the namespace)."""
    steps = "/".join(NS + step for step in path.split("/"))
    return [e.text or "" for e in element.findall(steps)]


def members(out: Path = OUT) -> dict[str, list[str]]:
    """``package.xml``'s components by type."""
    root = xml(out / "package.xml")
    return {texts(t, "name")[0]: texts(t, "members") for t in root.findall(f"{NS}types")}


def custom_fields(out: Path, object_name: str) -> dict[str, dict[str, str]]:
    """The custom fields of ``objects/<Object>.object``: name -> their elements' text."""
    root = xml(out / "objects" / f"{object_name}.object")
    return {texts(f, "fullName")[0]: {c.tag.removeprefix(NS): c.text or "" for c in f}
            for f in root.findall(f"{NS}fields")}


def steps(output: str) -> list[str]:
    """The plan's lines (indented, an action first)."""
    return [x.strip() for x in output.splitlines() if x.startswith("  ") and ":" in x]


def env_value(path: Path, variable: str) -> str:
    """A variable's value in an env file."""
    [line] = [x for x in path.read_text().splitlines() if x.startswith(f"{variable}=")]
    return line.split("=", 1)[1]
