"""``sla-bridge due``: when is a ticket's first response (or next update) due, and why."""

from __future__ import annotations

from datetime import datetime

import click

from sla_bridge.businesstime import explain
from sla_bridge.policy import METRICS, Metric

from ._context import AppContext, pass_app


class InstantType(click.ParamType[datetime]):
    """An ISO 8601 instant that must carry a UTC offset (or Z)."""

    name = "ISO8601"

    def convert(self, value: object, param: click.Parameter | None,
                ctx: click.Context | None) -> datetime:
        """Parse ``value``; fail with exit status 2 when it is not an exact instant."""
        if isinstance(value, datetime):
            return value
        try:
            parsed = datetime.fromisoformat(str(value))
        except ValueError:
            self.fail(f"{value!r} is not an ISO 8601 date and time, e.g. "
                      "2026-11-25T16:00:00-06:00", param, ctx)
        if parsed.tzinfo is None:
            self.fail(f"{value!r} has no UTC offset, so the instant is ambiguous; add one, e.g. "
                      f"{parsed.isoformat()}-06:00 or {parsed.isoformat()}Z", param, ctx)
        return parsed


@click.command("due")
@click.option("--policy", "policy_name", required=True, metavar="NAME|PATH",
              help="Policy name (see `sla-bridge policy list`) or path to a policy file.")
@click.option("--plan", default=None, help="Support plan; optional when the policy has one plan.")
@click.option("--severity", required=True, help="Severity id, label or alias.")
@click.option("--opened", required=True, type=InstantType(),
              help="When the ticket was opened (or the clock started), with its UTC offset.")
@click.option("--location", default=None,
              help="Customer location; decides the time zone [default: the policy's].")
@click.option("--metric", type=click.Choice(METRICS), default="first_response",
              show_default=True, help="Which target to compute.")
@click.option("--explain", "show_walk", is_flag=True,
              help="Print the walk first: stretches counted, days skipped and why.")
@pass_app
def due_command(app: AppContext, policy_name: str, plan: str | None, severity: str,
                opened: datetime, location: str | None, metric: Metric, show_walk: bool) -> None:
    """Print when a target is due; the last line is the instant in the customer's zone."""
    policy = app.load_policy(policy_name)
    try:
        policy.require_location(location)
        target = policy.target(plan, severity, metric, location)
    except LookupError as exc:
        hint = {"plan": "--plan", "severity": "--severity", "location": "--location"}
        param = next((opt for word, opt in hint.items() if f"no {word}" in str(exc)
                      or f"needs a {word}" in str(exc)), "--metric")
        raise click.BadParameter(str(exc.args[0]), param_hint=param) from None
    due = target.calendar.add(opened, target.duration)
    if show_walk:
        click.echo(f"policy {policy.id}, plan {target.plan}, severity {target.severity}, "
                   f"{metric.replace('_', ' ')}: {target.written} on '{target.schedule}'"
                   + (f" ({target.duration.total_seconds() / 3600:g} business hours)"
                      if target.written.unit == "day" and target.written.clock == "business"
                      else ""))
        for line in explain(target.calendar, opened, due).lines():
            click.echo(line)
    click.echo(due.isoformat())
