"""What a sandbox's ``--demo-data`` shares: the people it creates and the groups the bundled
policies name, so that a rehearsal with any bundled policy finds what ``setup`` checks for."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoPerson:
    """Someone of the demo data who signs in with their own API token (sandbox-only, made
    up): ``who`` says what they are in the story (customer, agent, manager)."""

    name: str
    email: str
    token: str
    who: str


def bundled_policy_groups() -> dict[str, list[str]]:
    """The groups the bundled policies (``config/policies``) name, each with where
    (:func:`sla_bridge.policy.groups_named`), in the order met."""
    # Imported here: a sandbox serves without loading the bridge until it seeds demo data.
    from sla_bridge.default_plugins.policies import bundled_policy_dir
    from sla_bridge.plugin import PluginHost
    from sla_bridge.policy import groups_named
    from sla_bridge.settings import load_settings

    library = PluginHost.from_settings(load_settings(environ={})).policy_library()
    names = [path.stem for path in sorted(bundled_policy_dir().glob("*.toml"))]
    return groups_named(library.load(name) for name in names)
