"""What ``sla-bridge zendesk check`` judges: the API user, the webhook and its signing secret,
the fields the mapping names (the groups the policies name: :func:`.setup_groups.
group_findings`).

Each is a :class:`~sla_bridge.platformkit.Finding`; ``check`` prints them and exits 1 when
any is a problem (a missing or mismatched signing secret, a webhook that is not there, a
mapped field or a policy's group the account lacks), 0 when all are fine. Settings that are
missing or invalid end it earlier, with status 2 (:func:`sla_bridge.platformkit.
settings_for_command`).
"""

from __future__ import annotations

from sla_bridge.platformkit import Finding, find_named

from .client import ZendeskClient
from .lookups import Lookups
from .settings import ZendeskSettings

__all__ = ["field_findings", "webhook_findings"]

#: How ``check`` says to (re)wire the account.
SETUP = "`sla-bridge zendesk setup --bridge-url <the bridge's URL> --env-file .env`"


def webhook_findings(client: ZendeskClient, settings: ZendeskSettings) -> list[Finding]:
    """The webhook setup manages (``WEBHOOK_NAME``): there, active, and signing with the
    secret the bridge checks (``WEBHOOK_SECRET``)."""
    name = settings.webhook_name
    variable = settings.variable("webhook_secret")
    secret = settings.webhook_secret.get_secret_value()
    hooks = client.get_all("/webhooks", "webhooks", {"filter[name_contains]": name})
    hook = find_named(hooks, name)
    if hook is None:
        found = [Finding(False, "webhook", name, f"missing: Zendesk sends the bridge nothing; "
                         f"run {SETUP}")]
        if not secret:
            found.append(_unset_secret(variable))
        return found
    detail = f"{hook.get('endpoint')} (id {hook.get('id')})"
    if hook.get("status") != "active":
        return [Finding(False, "webhook", name, f"{detail} is {hook.get('status')}: Zendesk "
                        f"sends the bridge nothing; run {SETUP}")]
    if not secret:
        return [Finding(True, "webhook", name, detail), _unset_secret(variable)]
    answer = client.request_json("GET", f"/webhooks/{hook['id']}/signing_secret")
    signing = str((answer.get("signing_secret") or {}).get("secret") or "")
    if signing != secret:
        return [Finding(True, "webhook", name, detail),
                Finding(False, "signing secret", variable, "differs from the webhook's: the "
                        f"bridge refuses its deliveries (401); run {SETUP} to write the "
                        "webhook's secret")]
    return [Finding(True, "webhook", name, f"{detail}, signed with {variable}")]


def _unset_secret(variable: str) -> Finding:
    return Finding(False, "signing secret", variable, "unset: the bridge refuses every "
                   f"webhook (401); run {SETUP} to write the webhook's secret")


def field_findings(lookups: Lookups, settings: ZendeskSettings) -> list[Finding]:
    """Each mapped value that names a custom ticket field: where it lives, or what to do
    when the account has no such field (by title: setup creates it; by id: map another)."""
    titles = lookups.ticket_fields()
    ids = set(titles.values())
    findings = []
    for name in settings.fields.all():
        sources = settings.fields.sources(name)
        if not any(source.kind == "field" for source in sources):
            continue
        shown, problems = [], []
        for source in sources:
            if source.kind != "field":
                shown.append(str(source))
                continue
            ref = source.arg.strip()
            found = (int(ref) if ref.isdigit() and int(ref) in ids
                     else titles.get(ref.lower()) if not ref.isdigit() else None)
            shown.append(f"{source} (id {found})" if found is not None else f"{source} (MISSING)")
            if found is None:
                problems.append(
                    f"no ticket field has the id {ref}; map another in "
                    f"{settings.env_prefix()}FIELDS__{name.upper()}" if ref.isdigit() else
                    f"no ticket field is titled {ref!r}; run {SETUP} to create it")
        detail = ", ".join(shown) + (f": {'; '.join(problems)}" if problems else "")
        findings.append(Finding(not problems, "field", name, detail))
    return findings
