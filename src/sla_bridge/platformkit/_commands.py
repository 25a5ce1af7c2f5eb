"""What a platform's ``sla-bridge <platform> ...`` commands share: settings, the groups the
policies name, failures, the frame of ``setup`` (its common options, the plan shown or
applied, the webhook secret) and the end of ``check``.

Exit statuses: 0 when all is well; 1 when the platform answers but something is wrong there
(a ``check`` problem, a failed call); 2 when a setting must be fixed first (missing or
invalid, or the platform cannot be reached or refuses the credentials), as for click's usage
errors.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click

from sla_bridge.clock import Clock, SystemClock
from sla_bridge.platforms import VendorError
from sla_bridge.settings import SettingsError

from ._errors import VendorErrors
from ._settings import PlatformSettings
from ._setup import Finding, Plan, report_webhook_secret

_S = TypeVar("_S", bound=PlatformSettings)
_F = TypeVar("_F", bound=Callable[..., Any])


def settings_for_command(settings_class: type[_S]) -> _S:
    """The platform's settings for a command; an invalid or missing variable ends it with
    status 2, naming the variables."""
    try:
        settings = settings_class.load()
    except SettingsError as exc:
        raise click.UsageError(
            f"invalid {settings_class.platform_label} settings:\n{exc}") from None
    missing = settings.missing()
    if missing:
        raise click.UsageError("set " + ", ".join(missing))
    return settings


def command_clock() -> Clock:
    """The clock ``sla-bridge`` runs a platform's command on (the system's when the command
    group runs on its own)."""
    from sla_bridge.cli import AppContext

    app = click.get_current_context().find_object(AppContext)
    return app.clock if app is not None else SystemClock()


def policy_groups_for_command() -> dict[str, list[str]]:
    """The groups the bridge's policies (``SLA_BRIDGE_POLICIES``) name, each with where
    (:func:`sla_bridge.policy.groups_named`), for ``setup`` and ``check``; invalid bridge
    settings or a policy that does not load end the command with the problems (status 2)."""
    from sla_bridge.cli import AppContext
    from sla_bridge.plugin import PluginHost
    from sla_bridge.policy import PolicyError, groups_named
    from sla_bridge.settings import load_settings

    app = click.get_current_context().find_object(AppContext)
    try:
        bridge = app.settings if app is not None else load_settings()
    except SettingsError as exc:
        raise click.UsageError(f"invalid settings:\n{exc}") from None
    library = (app.host if app is not None else PluginHost.from_settings(bridge)
               ).policy_library()
    try:
        return groups_named(library.load(name) for name in bridge.policies)
    except PolicyError as exc:
        raise click.UsageError(f"SLA_BRIDGE_POLICIES: {exc}") from None


def report_findings(findings: Sequence[Finding]) -> None:
    """The end of a ``check``: a line per finding, then "All good." (status 0), or how many
    problems there are, ending the command with status 1."""
    for finding in findings:
        click.echo(finding.line())
    problems = [f for f in findings if not f.ok]
    if problems:
        click.echo(f"{len(problems)} problem(s): see the PROBLEM lines for what to do.")
        sys.exit(1)
    click.echo("All good.")


@contextmanager
def exit_on_vendor_error(command: str) -> Iterator[None]:
    """End the command with status 1 and the vendor's words when a platform call fails."""
    try:
        yield
    except VendorError as exc:
        click.echo(f"{command} failed: {exc}", err=True)
        sys.exit(1)


def _http_url(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    if not value.startswith(("http://", "https://")):
        raise click.BadParameter("must be an http(s) URL such as https://bridge.example.com")
    return value


def setup_options(settings_class: type[PlatformSettings]) -> Callable[[_F], _F]:
    """The options every ``setup`` command has: ``--bridge-url``, ``--dry-run``,
    ``--env-file`` and ``--show-secret`` (passed as ``bridge_url``, ``dry_run``,
    ``env_file``, ``show_secret``)."""
    label, name = settings_class.platform_label, settings_class.platform_name()
    variable = settings_class.variable("webhook_secret")
    options = [
        click.option("--bridge-url", required=True, metavar="URL", callback=_http_url,
                     help=f"Where {label} reaches the bridge; its webhooks call "
                     f"URL/webhooks/{name}."),
        click.option("--dry-run", is_flag=True, help="Print what would be created or changed, "
                     "and the bodies it would send; change nothing."),
        click.option("--env-file", type=click.Path(dir_okay=False, path_type=Path),
                     help=f"Write the webhook's signing secret here as {variable}."),
        click.option("--show-secret", is_flag=True,
                     help="Print the signing secret when the settings do not have it yet."),
    ]

    def decorate(command: _F) -> _F:
        for option in reversed(options):
            command = option(command)
        return command
    return decorate


def run_setup(plan: Callable[[], Plan], *, settings: PlatformSettings, errors: VendorErrors,
              dry_run: bool, env_file: Path | None = None, show_secret: bool = False,
              signing_secret: Callable[[], str | None] | None = None) -> None:
    """Plan, print the plan (with the bodies in a dry run), apply it unless a dry run, then
    reconcile the webhook secret ``signing_secret`` reads with the settings; a platform
    failure ends the command with status 1."""
    command = f"sla-bridge {settings.platform_name()} setup"
    secret = None
    with exit_on_vendor_error(command), errors.calling("setup"):
        steps = plan()
        for line in steps.report(dry_run):
            click.echo(line)
        if not dry_run:
            steps.apply()
        click.echo(steps.outcome(dry_run))
        if not dry_run and signing_secret is not None:
            secret = signing_secret()
    for line in report_webhook_secret(settings.variable("webhook_secret"),
                                      settings.webhook_secret, secret,
                                      platform_label=settings.platform_label,
                                      env_file=env_file, show_secret=show_secret):
        click.echo(line)
