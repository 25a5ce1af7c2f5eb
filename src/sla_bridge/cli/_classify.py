"""``sla-bridge classify``: which severity a ticket's text points to under a policy, and why."""

from __future__ import annotations

import json
from datetime import UTC, date
from typing import Any

import click

from sla_bridge.classify import parse_version, recategorisation
from sla_bridge.tickets import Status, Ticket, TicketRef

from ._context import AppContext, pass_app


def _parse_release(value: str) -> tuple[str, date]:
    name, sep, day = value.partition("=")
    if not sep or parse_version(name) is None:
        raise ValueError
    return name.strip(), date.fromisoformat(day.strip())


@click.command("classify")
@click.option("--policy", "policy_name", required=True, metavar="NAME|PATH",
              help="Policy name (see `sla-bridge policy list`) or path to a policy file.")
@click.option("--text", required=True, help="The ticket's description.")
@click.option("--subject", default="", help="The ticket's subject.")
@click.option("--customer-severity", default=None, metavar="SEV",
              help="The severity the customer chose (id, label or alias): show whether the "
                   "classifier agrees and what the policy's re-categorisation setting does.")
@click.option("--version", "product_version", default=None, metavar="V",
              help="The product version the ticket is about.")
@click.option("--latest-version", default=None, metavar="V",
              help="The newest released version, for the `latest_only` and `newest_majors` "
                   "version rules.")
@click.option("--release", "releases", multiple=True, metavar="V=YYYY-MM-DD",
              help="A release and its general-availability date, for the "
                   "`months_after_next_ga` rule; repeat for each release. Judged on today.")
@pass_app
def classify_command(app: AppContext, policy_name: str, text: str, subject: str,
                     customer_severity: str | None, product_version: str | None,
                     latest_version: str | None, releases: tuple[str, ...]) -> None:
    """Classify a ticket's text and print the severity, confidence and reasons as JSON."""
    if not text.strip() and not subject.strip():
        raise click.BadParameter("the ticket text is empty; give what the customer wrote",
                                 param_hint="--text")
    policy = app.load_policy(policy_name)
    customer_id: str | None = None
    if customer_severity is not None:
        try:
            customer_id = policy.severity(customer_severity).id
        except LookupError as exc:
            raise click.BadParameter(str(exc.args[0]), param_hint="--customer-severity") from None
    if latest_version is not None and parse_version(latest_version) is None:
        raise click.BadParameter(f"{latest_version!r} is not a version number, e.g. 6.1.2",
                                 param_hint="--latest-version")
    release_dates: dict[str, str] = {}
    for value in releases:
        try:
            name, day = _parse_release(value)
        except ValueError:
            raise click.BadParameter(f"{value!r} is not VERSION=YYYY-MM-DD, e.g. 6.5=2017-09-12",
                                     param_hint="--release") from None
        release_dates[name] = day.isoformat()
    now = app.clock.now().astimezone(UTC)
    fields: dict[str, Any] = {}
    if latest_version:
        fields["latest_version"] = latest_version
    if release_dates:
        fields["release_dates"] = release_dates
    ticket = Ticket(ref=TicketRef(platform="cli", ticket_id="classify"), status=Status.NEW,
                    subject=subject, description=text, created_at=now, updated_at=now,
                    customer_severity=customer_id, version=product_version, fields=fields)
    result = app.host.classify(policy, ticket)
    if result is None:
        raise click.ClickException(
            "no classifier answered: the built-in one is disabled "
            "(SLA_BRIDGE_DISABLED_PLUGINS) and no plugin classifies tickets")
    try:
        chosen = policy.severity(result.severity)
    except LookupError as exc:
        raise click.ClickException(
            f"classifier {result.classifier!r} returned an unknown severity: {exc.args[0]}"
        ) from None
    output: dict[str, Any] = {"policy": policy.id, "severity": chosen.id, "label": chosen.label}
    output.update({k: v for k, v in result.to_dict().items() if k != "severity"})
    if customer_id is not None:
        output["customer"] = recategorisation(policy, result, customer_id).to_dict()
    click.echo(json.dumps(output, indent=2))
