"""What ``sla-bridge zendesk setup`` makes of the account's fields.

* The custom ticket fields the field mapping names by title (``field:SLA first response
  due``...) exist, as text fields. Those a customer fills in to ask for an escalation
  (:data:`CUSTOMER_FIELDS`: the reason, the severity asked for, the contact; by title or by
  id) are visible and editable in the Help Center (``visible_in_portal``,
  ``editable_in_portal``): a value a customer sends for any other field is ignored.
* The organization fields the mapping reads (``org:support_plan``, ``org:support_location``
  by default) exist, as text fields: without them an organization cannot hold a plan or a
  location at all.

Each is a step of the plan: ``create``, ``update`` (what differs) or ``unchanged``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sla_bridge.platformkit import Plan, field_title, find_named

from .client import ZendeskClient
from .settings import ZendeskSettings

__all__ = ["CUSTOMER_FIELDS", "PORTAL", "plan_organization_fields", "plan_ticket_fields"]

#: The neutral names whose fields customers fill in to request an escalation.
CUSTOMER_FIELDS = ("escalation_reason", "escalation_severity", "escalation_contact")
#: What a field customers fill in has set.
PORTAL = {"visible_in_portal": True, "editable_in_portal": True}
_KEPT = "Kept by sla-bridge; do not edit."
_ASKED = "Filled in by the customer to ask for an escalation; read by sla-bridge."
Rule = Mapping[str, Any]


def _wanted_ticket_fields(settings: ZendeskSettings) -> dict[str, bool]:
    """Each ticket field the mapping names (a title, or an id for the customers' fields),
    and whether customers fill it in."""
    wanted: dict[str, bool] = {}
    for name in settings.fields.all():
        customer = name in CUSTOMER_FIELDS
        for source in settings.fields.sources(name):
            if source.kind != "field" or (source.arg.isdigit() and not customer):
                continue
            wanted[source.arg] = wanted.get(source.arg, False) or customer
    return wanted


def plan_ticket_fields(plan: Plan, client: ZendeskClient, settings: ZendeskSettings) -> None:
    """Plan the custom ticket fields: created where missing (text), the customers' made
    visible and editable in the Help Center."""
    wanted = _wanted_ticket_fields(settings)
    if not wanted:
        return
    have = client.get_all("/ticket_fields", "ticket_fields")
    for ref, customer in wanted.items():
        by_id = ref.isdigit()
        found = (next((f for f in have if str(f.get("id")) == ref), None) if by_id
                 else find_named(have, ref, key="title", ignore_case=True))
        name = str(found["title"]) if by_id and found is not None else ref
        detail = "text, customers fill it in (Help Center)" if customer else "text"
        if found is None and by_id:
            plan.add("ticket field", ref, "note", "not found: the mapping names this id; "
                     "create the field or map another one")
            continue
        create = _post(client, "/ticket_fields", "ticket_field", {
            "type": "text", "title": ref, "description": _ASKED if customer else _KEPT,
            **(PORTAL if customer else {})})
        plan.ensure("ticket field", name, found, create=create, detail=detail,
                    differences=_portal_differences(customer),
                    update=lambda field, differs: _put(
                        client, f"/ticket_fields/{field['id']}", "ticket_field",
                        {k: PORTAL[k] for k in differs})())


def _portal_differences(customer: bool) -> Callable[[Rule], list[str]]:
    """What keeps customers from filling in one of their fields (nothing for the others:
    setup leaves agent-only fields as an admin set them)."""
    def differences(field: Rule) -> list[str]:
        return [k for k, v in PORTAL.items() if field.get(k) is not v] if customer else []
    return differences


def plan_organization_fields(plan: Plan, client: ZendeskClient,
                             settings: ZendeskSettings) -> None:
    """Plan the organization fields the mapping reads: created where missing (text),
    activated where an admin deactivated them."""
    keys: list[str] = []
    for name in settings.fields.all():
        for source in settings.fields.sources(name):
            if source.kind == "org" and source.arg not in keys:
                keys.append(source.arg)
    if not keys:
        return
    have = client.get_all("/organization_fields", "organization_fields")
    for key in keys:
        readers = ", ".join(sorted(n for n in settings.fields.all() if any(
            s.kind == "org" and s.arg == key for s in settings.fields.sources(n))))
        plan.ensure(
            "organization field", key, find_named(have, key, key="key"),
            detail=f"text, read as {readers}",
            differences=lambda field: [] if field.get("active", True) else ["active"],
            update=lambda field, _differs: _put(
                client, f"/organization_fields/{field['id']}", "organization_field",
                {"active": True})(),
            create=_post(client, "/organization_fields", "organization_field", {
                "type": "text", "key": key, "title": field_title(key),
                "description": f"Read by sla-bridge as the customer's {readers}."}))


def _post(client: ZendeskClient, path: str, key: str, body: Rule) -> Callable[[], None]:
    def run() -> None:
        client.request_json("POST", path, json_body={key: dict(body)})
    return run


def _put(client: ZendeskClient, path: str, key: str, body: Rule) -> Callable[[], None]:
    def run() -> None:
        client.request_json("PUT", path, json_body={key: dict(body)})
    return run
