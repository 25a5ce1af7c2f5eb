"""Follow-up cases: a customer's reply to a closed case opens a new case linked by ``ParentId``.

Salesforce does not reopen a closed case when the customer answers (Email-to-Case threads the
reply onto it as an EmailMessage), and it has no follow-up of its own. The bridge creates the
follow-up by *upsert* on an External ID field of Case (``FOLLOW_UP_KEY_FIELD``, unique), keyed
by the action's idempotency key: ``PATCH /sobjects/Case/{field}/{key}`` creates the case the
first time and updates that same case on a retry, so a retry after a dropped answer never makes
two, see
https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_upsert.htm.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from simple_salesforce.format import format_soql

from sla_bridge.actions import CreateFollowUp

from .edits import NOT_FIELDS, UnmappedValue, field_values

if TYPE_CHECKING:
    from .platform import SalesforcePlatform

SUBJECT_CHARS = 255
DESCRIPTION_CHARS = 32_000


def follow_up_key(action: CreateFollowUp) -> str:
    """The External ID of the follow-up ``action`` creates: the same for every retry."""
    return "sla-" + hashlib.sha256(action.idempotency_key.encode()).hexdigest()[:36]


def carried_fields(action: CreateFollowUp, platform: SalesforcePlatform) -> dict[str, Any]:
    """The Case fields the follow-up carries over: account, contact, severity, product...
    (plan and location kept on the Account come with the account)."""
    carry = {k: v for k, v in action.carry.items() if v is not None}
    values: dict[str, Any] = {}
    for name, value in carry.items():
        if name in NOT_FIELDS:
            continue
        try:
            values.update(field_values({name: value}, platform.settings))
        except UnmappedValue:
            continue  # the follow-up is worth more than a severity Salesforce cannot hold
    account, contact = carry.get("organization_id"), carry.get("requester_id")
    if isinstance(account, str) and account.startswith("001"):
        values["AccountId"] = account
    if isinstance(contact, str) and contact.startswith("003"):
        values["ContactId"] = contact
    return values


def create(platform: SalesforcePlatform, action: CreateFollowUp) -> str:
    """Upsert the follow-up of ``action.ref``; return the new case's id."""
    settings = platform.settings
    parent = platform.case_id(action.ref.ticket_id)
    key_field = settings.follow_up_key_field
    if not key_field:
        raise platform.errors.refused(
            f"follow-up of case {parent}: set {settings.variable('follow_up_key_field')} to a "
            "unique External ID text field on Case, so that a retry cannot create two")
    key = follow_up_key(action)
    data = {**carried_fields(action, platform), "Subject": action.subject[:SUBJECT_CHARS],
            "Description": action.body[:DESCRIPTION_CHARS], "ParentId": parent}
    created = platform.client.upsert("Case", key_field, key, data)
    if created:
        return created
    found = platform.client.query(format_soql(
        f"SELECT Id FROM Case WHERE {key_field} = {{}}", key))
    if not found:
        raise platform.errors.refused(f"follow-up of case {parent}: the upsert on {key_field} "
                                      f"= {key} answered, but no case has that key")
    return str(found[0]["Id"])
