"""``sla-bridge demo``: a platform's scripted story on its sandbox, on a virtual clock."""

from __future__ import annotations

import sys

import click

from ._context import AppContext, pass_app


@click.command("demo")
@click.option("--platform", "name", default=None, metavar="NAME",
              help="Whose demo [default: the first, by name, of the installed platforms that ship one].")
@pass_app
def demo_command(app: AppContext, name: str | None) -> None:
    """Play a platform's scripted demo: its sandbox and the real bridge on loopback, SQLite in
    a temporary folder, a virtual clock; prints what the bridge decided and wrote, and why.
    Needs no account and no network."""
    demos = app.host.demos()
    if not demos:
        raise click.UsageError("no installed plugin ships a demo; install a platform plugin, "
                               "e.g. pip install -e plugins/zendesk (or plugins/jira, "
                               "plugins/salesforce)")
    chosen = name or min(demos)
    if chosen not in demos:
        raise click.BadParameter(f"no demo {chosen!r}; installed: {', '.join(sorted(demos))}",
                                 param_hint="--platform")
    from sla_bridge.testing import run_demo

    raise SystemExit(run_demo(demos[chosen](), sys.stdout))
