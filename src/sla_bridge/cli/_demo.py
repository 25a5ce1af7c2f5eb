"""``sla-bridge demo``: a platform's scripted story on its sandbox, on a virtual clock."""

from __future__ import annotations

import sys

import click

from ._context import AppContext, pass_app


@click.command("demo")
@click.option("--platform", "name", default=None, metavar="NAME",
              help="Whose demo [default: every installed platform's, one after another].")
@pass_app
def demo_command(app: AppContext, name: str | None) -> None:
    """Play the installed platforms' scripted demos (or one): each its sandbox and the real
    bridge on loopback, SQLite in a temporary folder, a virtual clock; prints what the bridge
    decided and wrote, and why. Needs no account and no network."""
    demos = app.host.demos()
    if not demos:
        raise click.UsageError("no installed plugin ships a demo; install a platform plugin, "
                               "e.g. pip install -e plugins/zendesk (or plugins/jira, "
                               "plugins/salesforce)")
    if name is not None and name not in demos:
        raise click.BadParameter(f"no demo {name!r}; installed: {', '.join(sorted(demos))}",
                                 param_hint="--platform")
    from sla_bridge.testing import run_demo

    worst = 0
    for chosen in [name] if name is not None else sorted(demos):
        worst = max(worst, run_demo(demos[chosen](), sys.stdout))
    raise SystemExit(worst)
