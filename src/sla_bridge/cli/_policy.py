"""``sla-bridge policy list|check|show``: the admin's view of the policy files."""

from __future__ import annotations

import sys

import click

from sla_bridge.policy import METRICS, Policy, PolicyError

from ._context import AppContext, pass_app
from ._tables import render_table


@click.group("policy")
def policy_group() -> None:
    """Inspect and check policy files."""


@policy_group.command("list")
@pass_app
def list_command(app: AppContext) -> None:
    """List the policies known by name, with their files."""
    library = app.host.policy_library()
    rows = []
    for name, path in sorted(library.available().items()):
        try:
            title = library.load(name).title
        except PolicyError:
            title = "(invalid: run `sla-bridge policy check " + name + "`)"
        rows.append([name, title, str(path)])
    click.echo(render_table(["name", "title", "file"], rows))


@policy_group.command("check")
@click.argument("policy")
@pass_app
def check_command(app: AppContext, policy: str) -> None:
    """Validate POLICY (a name or a path); exit 1 listing every problem found."""
    try:
        loaded = app.host.policy_library().load(policy)
    except PolicyError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    click.echo(
        f"ok: {loaded.id} ({loaded.title}): {len(loaded.plans)} plan(s), "
        f"{len(loaded.severities)} severities, {len(loaded.schedules)} schedule(s), "
        f"{len(loaded.locations)} location(s)"
    )


@policy_group.command("show")
@click.argument("policy")
@click.option("--year", type=int, default=None,
              help="Year whose holiday dates to list [default: the current year].")
@click.option("--location", default=None,
              help="Show the targets for a customer at this location [default: the policy's].")
@pass_app
def show_command(app: AppContext, policy: str, year: int | None, location: str | None) -> None:
    """Show POLICY's targets (plans x severities), hours, locations and holidays of a year."""
    loaded = app.load_policy(policy, param="POLICY")
    year = year or app.clock.now().year
    try:
        where = loaded.require_location(location).id
    except LookupError as exc:
        raise click.BadParameter(str(exc.args[0]), param_hint="--location") from None
    click.echo(f"{loaded.id}: {loaded.title}")
    if loaded.source:
        click.echo(f"source: {loaded.source}")
    click.echo("")
    click.echo(render_targets(loaded, where))
    click.echo("")
    click.echo(render_hours(loaded))
    click.echo("")
    click.echo(render_locations(loaded))
    for name in loaded.holidays:
        click.echo("")
        click.echo(render_holidays(loaded, name, year))


def render_targets(policy: Policy, location: str | None = None) -> str:
    """Return the targets table for a customer at ``location``: one row per severity, one
    column per plan and metric."""
    columns = [(plan_id, metric) for plan_id, plan in policy.plans.items()
               for metric in METRICS if getattr(plan, metric) or
               (metric == "next_update" and policy.clocks.update_cadence)]
    headers = ["severity"]
    headers += [f"{plan_id} {metric.replace('_', ' ')}" for plan_id, metric in columns]
    rows = []
    for severity in policy.severities:
        row = [f"{severity.id} {severity.label}" if severity.id != severity.label else severity.id]
        for plan_id, metric in columns:
            target = policy.target(plan_id, severity.id, metric, location)
            cell = str(target.written)
            if target.written.clock == "business":
                cell += f" on {target.schedule}"
                if target.written.unit == "day":
                    cell += f" ({target.duration.total_seconds() / 3600:g} h)"
            row.append(cell)
        rows.append(row)
    where = location or policy.default_location
    return render_table(headers, rows, title=f"Targets (customer location: {where})")


def render_hours(policy: Policy) -> str:
    """Return the schedules table: weekly hours, zone, holidays and business-day length."""
    rows = []
    for name, schedule in policy.schedules.items():
        day_hours = schedule.business_day_hours or policy.business_day_hours
        zone = "customer's location" if schedule.timezone == "location" else schedule.timezone
        for i, (days, hours) in enumerate(schedule.hours.describe()):
            first = i == 0
            rows.append([
                name if first else "", days, hours,
                zone if first else "",
                (", ".join(schedule.holidays) or "none") if first else "",
                f"{day_hours:g} h" if first else "",
            ])
    return render_table(["schedule", "days", "hours", "time zone", "holidays", "business day"],
                        rows, title="Hours")


def render_locations(policy: Policy) -> str:
    """Return the locations table: each location's zone and the hours it uses."""
    rows = [[loc_id + (" (default)" if loc_id == policy.default_location else ""),
             location.label or "", location.timezone, location.schedule or "(per plan)",
             ", ".join([*location.aliases, *location.countries, *location.regions]) or "-"]
            for loc_id, location in policy.locations.items()]
    if policy.locations_accept_timezones:
        rows.append(["<any IANA zone>", "", "as named", "(per plan)", "-"])
    return render_table(["location", "label", "time zone", "schedule", "also"], rows,
                        title="Locations (an unknown location is read as the default)")


def render_holidays(policy: Policy, name: str, year: int) -> str:
    """Return the observed dates of holiday calendar ``name`` in ``year``."""
    calendar = policy.holiday_calendar(name)
    rows = [[f"{h.day:%Y-%m-%d}", f"{h.day:%A}", h.name] for h in calendar.holidays_in(year)]
    shift = "weekend holidays moved" if calendar.weekend_shift else "observed on the date itself"
    zone = ("in each customer's zone" if policy.holidays[name].timezone == "location"
            else calendar.timezone.key)
    title = f"Holidays '{name}' in {year} ({zone}, whole days, {shift})"
    if not rows:
        return f"{title}\n(none)"
    return render_table(["date", "weekday", "holiday"], rows, title=title)

