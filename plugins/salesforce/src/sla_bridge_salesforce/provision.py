"""``sla-bridge salesforce setup``: write the metadata package that wires an org to the bridge.

Outbound Messages, Flows and custom fields are metadata that the Salesforce CLI deploys, not
REST records, so setup writes a package folder (:mod:`.metadata`) instead of calling the org,
and the admin deploys it (``sf project deploy start --metadata-dir DIR``). What setup does
with the org is read it: the org id and the integration user (:mod:`.check`), the fields the
settings name (REST describe, :mod:`.setup_fields`) and the queues the policies name
(:mod:`.setup_queues`).

The Outbound Messages call ``<bridge-url>/webhooks/salesforce?secret=<ENDPOINT_SECRET>``:
Salesforce signs nothing (it advises checking the org id each message carries), and a secret
in the URL is the only one it repeats. When ``SLA_BRIDGE_SALESFORCE__ENDPOINT_SECRET`` is
unset setup makes one up and writes it to the env file, as the other platforms' setups do
with theirs; the package's workflow files then hold it, so they are written readable by their
owner only.

Each file is compared with the one in the folder: ``create``, ``update`` or ``unchanged``, and
a file setup wrote before that the package no longer has is deleted; the same settings and
org give the same bytes, so a second run changes nothing.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

import click

from sla_bridge.platformkit import Plan, write_env_variable

from .check import Connection
from .inbound import SECRET_PARAMETER
from .metadata import PERMISSION_SET, Package, build_package
from .settings import PLATFORM
from .setup_fields import as_declared, field_findings, mapped_fields, org_fields
from .setup_queues import org_queues, queue_findings

__all__ = ["MANAGED_FOLDERS", "Provisioner", "deploy_commands"]

#: The package's folders, and the ending of the files setup writes in each.
MANAGED_FOLDERS = {"objects": ".object", "workflows": ".workflow", "flows": ".flow",
                   "permissionsets": ".permissionset"}


def deploy_commands(out_dir: Path, integration_user: str) -> list[str]:
    """What the admin runs next: deploy the package, then give the integration user the
    permission set (a deployed field is visible to nobody until a permission grants it)."""
    return [f"sf project deploy start --metadata-dir {out_dir} --target-org <your org alias>",
            f"sf org assign permset --name {PERMISSION_SET} --on-behalf-of "
            f"{integration_user} --target-org <your org alias>"]


class Provisioner:
    """Computes the package for the org and the settings, and writes it."""

    def __init__(self, connection: Connection, bridge_url: str, out_dir: Path,
                 groups: Mapping[str, Sequence[str]], *, env_file: Path | None,
                 use_endpoint_secret: bool = True,
                 make_secret: Callable[[], str] = lambda: secrets.token_urlsafe(32)) -> None:
        self.connection = connection
        self.settings = connection.settings
        self.base_endpoint = bridge_url.rstrip("/") + f"/webhooks/{PLATFORM}"
        self.out_dir = out_dir
        self.groups = dict(groups)
        self.env_file = env_file
        configured = self.settings.endpoint_secret.get_secret_value()
        self.secret_made: str | None = None
        if use_endpoint_secret and not configured:
            self.secret_made = make_secret()
        # A configured secret is used even with use_endpoint_secret off: the bridge demands it.
        self.endpoint_secret: str = configured or self.secret_made or ""

    @property
    def endpoint(self) -> str:
        """The Outbound Messages' endpoint URL (with the endpoint secret, when there is one)."""
        if not self.endpoint_secret:
            return self.base_endpoint
        return f"{self.base_endpoint}?{SECRET_PARAMETER}={quote(self.endpoint_secret, safe='')}"

    @property
    def shown_endpoint(self) -> str:
        """The endpoint as printed: the secret masked."""
        if not self.endpoint_secret:
            return self.base_endpoint
        variable = self.settings.variable("endpoint_secret")
        return f"{self.base_endpoint}?{SECRET_PARAMETER}=<{variable}>"

    # -- planning ------------------------------------------------------------------------

    def package(self, plan: Plan) -> Package:
        """The package for the org as it is, the fields' and queues' findings added to
        ``plan``."""
        settings = self.settings
        specs = mapped_fields(settings)
        fields: dict[str, dict[str, Any]] = {}
        if self.connection.version_served:  # else every call would fail: check says why
            fields = org_fields(self.connection.client, {s.object_name for s in specs})
            for finding in field_findings(specs, fields):
                finding.add_to(plan)
            for finding in queue_findings(org_queues(self.connection.client), self.groups):
                finding.add_to(plan)
        declared = [d for d in (as_declared(s, fields.get(s.object_name, {}).get(
            s.name.lower())) for s in specs if s.custom) if d is not None]
        return build_package(declared, endpoint=self.endpoint,
                             integration_user=self.connection.integration_user,
                             api_version=settings.api_version)

    def plan(self) -> Plan:
        """Compare the folder with the package; nothing is written."""
        plan = Plan()
        for finding in self.connection.findings():
            finding.add_to(plan)
        self._plan_secret(plan)
        checks = Plan()
        package = self.package(checks)
        for path, content in package.files.items():
            self._plan_file(plan, path, content, package.summaries[path])
        for stale in self._stale_files(package):
            plan.add("file", stale, "delete", "no longer in the package",
                     self._deleter(self.out_dir / stale))
        plan.steps.extend(checks.steps)
        return plan

    def _plan_secret(self, plan: Plan) -> None:
        variable = self.settings.variable("endpoint_secret")
        if self.secret_made is None:
            if self.endpoint_secret:
                plan.add("endpoint secret", variable, "unchanged",
                         "set; the Outbound Messages' URL carries it")
            else:
                plan.add("endpoint secret", variable, "note", "none: the bridge accepts any "
                         "Outbound Message carrying the org id (rerun without "
                         "--no-endpoint-secret to have one)")
            return
        where = (f"written to {self.env_file}" if self.env_file is not None
                 else "printed as an export line")
        plan.add("endpoint secret", variable, "create", f"made up by setup and {where}; the "
                 f"Outbound Messages' URL carries it as ?{SECRET_PARAMETER}=",
                 self._keep_secret)

    def _plan_file(self, plan: Plan, path: str, content: bytes, summary: str) -> None:
        target = self.out_dir / path
        if not target.exists():
            plan.add("file", path, "create", summary, self._writer(target, content))
        elif target.read_bytes() != content:
            plan.add("file", path, "update", f"differs; {summary}",
                     self._writer(target, content))
        else:
            plan.add("file", path, "unchanged", summary)

    def _stale_files(self, package: Package) -> list[str]:
        """Files of a previous run that the package no longer has."""
        stale = []
        for folder, ending in MANAGED_FOLDERS.items():
            directory = self.out_dir / folder
            if directory.is_dir():
                stale += [f"{folder}/{p.name}" for p in sorted(directory.iterdir())
                          if p.name.endswith(ending)
                          and f"{folder}/{p.name}" not in package.files]
        return stale

    # -- applying ------------------------------------------------------------------------

    def _writer(self, target: Path, content: bytes) -> Callable[[], None]:
        def write() -> None:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
            if target.suffix == ".workflow" and self.endpoint_secret:
                target.chmod(0o600)  # its endpoint URL carries the secret
        return write

    @staticmethod
    def _deleter(target: Path) -> Callable[[], None]:
        return target.unlink

    def _keep_secret(self) -> None:
        assert self.secret_made is not None
        variable = self.settings.variable("endpoint_secret")
        if self.env_file is None:
            click.echo(f"export {variable}={self.secret_made}")
            return
        write_env_variable(self.env_file, variable, self.secret_made)
