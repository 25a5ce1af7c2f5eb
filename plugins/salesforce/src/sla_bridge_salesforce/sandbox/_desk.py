"""What people do in the org, for the facade: seed accounts, contacts, agents and queues;
customers open cases and reply; agents comment, change status and owner; approvers decide.

A customer's e-mail reply lands as an incoming EmailMessage on its case — on a closed case
too, which stays closed: Salesforce has no reopen-on-reply (Email-to-Case threads the reply
onto the case; reopening needs a Flow)
(https://help.salesforce.com/s/articleView?id=sf.customizesupport_email.htm&type=5).
"""

from __future__ import annotations

from typing import Any

from ._org import Org
from ._schema import Field
from ._store import Record
from ._values import to_json


class Desk:
    """The org's people and their actions (records are dicts with Salesforce's field
    names; ids are 18 characters)."""

    def __init__(self, org: Org) -> None:
        self.org = org
        self.store = org.store

    # -- seeding -----------------------------------------------------------------------

    def add_field(self, object_name: str, name: str, type_: str = "string", *,
                  external_id: bool = False, unique: bool | None = None,
                  picklist: tuple[str, ...] = (), length: int = 255) -> Field:
        """A custom field (name ending in ``__c``); an External ID one for upsert (unique
        unless ``unique=False``)."""
        return self.org.schema.add_field(object_name, Field(
            name, type_, external_id=external_id,
            unique=external_id if unique is None else unique,
            picklist=picklist, length=length))

    def add_account(self, name: str, **fields: Any) -> Record:
        """An account (custom fields such as ``Support_Plan__c`` are defined as text fields
        first where they are not)."""
        self._define_text_fields("Account", fields)
        return self.store.create("Account", {"Name": name, **fields}, self.org.system_user,
                                 system=True)

    def add_contact(self, name: str, email: str, account_id: str | None = None,
                    **fields: Any) -> Record:
        """A customer contact (``name`` "First Last")."""
        first, _, last = name.rpartition(" ")
        self._define_text_fields("Contact", fields)
        return self.store.create("Contact", {
            "FirstName": first or None, "LastName": last, "Name": name, "Email": email,
            "AccountId": account_id, **fields}, self.org.system_user, system=True)

    def add_agent(self, name: str, email: str, *, admin: bool = False) -> Record:
        """A support agent (a user); ``admin`` may edit locked records and decide any
        approval."""
        return self.org.add_user(name, email, admin=admin)

    def add_queue(self, name: str, developer_name: str | None = None) -> Record:
        """A queue for cases (a Group of type Queue: cases it owns are the group's)."""
        return self.store.create("Group", {
            "Name": name, "DeveloperName": developer_name or name.replace(" ", "_"),
            "Type": "Queue"}, self.org.system_user, system=True)

    def add_portal_user(self, contact_id: str, *,
                        user_type: str = "PowerCustomerSuccess") -> Record:
        """An Experience Cloud (portal) user for a contact: a customer who comments on
        cases through the portal (:meth:`comment` with ``public=True``)."""
        contact = self.store.get("Contact", contact_id)
        return self.org.add_user(contact["Name"], contact["Email"], user_type=user_type,
                                 contact_id=contact["Id"])

    def add_entitlement(self, account_id: str, name: str, **fields: Any) -> Record:
        """An entitlement of the account (custom fields such as a plan defined as text
        fields first where they are not)."""
        self._define_text_fields("Entitlement", fields)
        return self.store.create("Entitlement", {"Name": name, "AccountId": account_id,
                                                 **fields}, self.org.system_user,
                                 system=True)

    def add_milestone(self, case_id: str, milestone: str = "First Response",
                      target_minutes: int = 60) -> Record:
        """A CaseMilestone as an entitlement process starts it (the API cannot create
        them): ``milestone`` names its MilestoneType (made if new), the target is
        ``target_minutes`` after now (calendar time)."""
        from datetime import timedelta

        kind = next(iter(self.store.find("MilestoneType", Name=milestone)), None) or \
            self.store.create("MilestoneType", {"Name": milestone}, self.org.system_user,
                              system=True)
        now = self.org.clock()
        return self.store.create("CaseMilestone", {
            "CaseId": self.store.get("Case", case_id)["Id"], "MilestoneTypeId": kind["Id"],
            "StartDate": now, "TargetDate": now + timedelta(minutes=target_minutes),
            "IsCompleted": False, "IsViolated": False,
            "TargetResponseInMins": target_minutes}, self.org.system_user, system=True)

    def _define_text_fields(self, object_name: str, fields: dict[str, Any]) -> None:
        for name in fields:
            if name.endswith("__c") and self.org.schema.field(object_name, name) is None:
                self.add_field(object_name, name)

    # -- customers -------------------------------------------------------------------

    def open_case(self, contact_id: str, subject: str, description: str = "", *,
                  origin: str = "Web", **fields: Any) -> Record:
        """A case as Web-to-Case or Email-to-Case opens it (``origin`` Email also records
        the first message as an incoming EmailMessage)."""
        contact = self.store.get("Contact", contact_id)
        case = self.store.create("Case", {
            "ContactId": contact["Id"], "AccountId": contact["AccountId"], "Subject": subject,
            "Description": description, "Origin": origin, "SuppliedEmail": contact["Email"],
            **fields}, self.org.system_user)
        if origin == "Email":
            self._email(case, contact, subject, description)
        return case

    def customer_reply(self, case_id: str, text: str, subject: str | None = None) -> Record:
        """The customer's e-mail reply: an incoming EmailMessage on the case, which is not
        reopened when closed."""
        case = self.store.get("Case", case_id)
        contact = self.store.resolve(case["ContactId"]) if case["ContactId"] else None
        return self._email(case, contact, subject or f"RE: {case['Subject']}", text)

    def _email(self, case: Record, contact: Record | None, subject: str, text: str) -> Record:
        return self.store.create("EmailMessage", {
            "ParentId": case["Id"], "Incoming": True, "Subject": subject, "TextBody": text,
            "FromAddress": (contact or {}).get("Email") or case.get("SuppliedEmail"),
            "FromName": (contact or {}).get("Name"), "ToAddress": "support@sandbox.test",
            "Status": "0", "MessageDate": self.org.clock()}, self.org.system_user)

    # -- agents ----------------------------------------------------------------------

    def comment(self, case_id: str, author_id: str, body: str, *,
                public: bool = False) -> Record:
        """A CaseComment: ``public`` (IsPublished) is visible to the customer."""
        return self.store.create("CaseComment", {"ParentId": case_id, "CommentBody": body,
                                                 "IsPublished": public}, author_id)

    def update_case(self, case_id: str, agent_id: str, **fields: Any) -> Record:
        """Change a case as an agent would in the console (locked cases refuse non-admins)."""
        return self.store.update("Case", case_id, fields, agent_id)

    # -- approvers -----------------------------------------------------------------------

    def decide(self, target_id: str, approver_id: str, action: str,
               comments: str | None = None) -> dict[str, Any]:
        """Approve or Reject as ``approver_id``: ``target_id`` is the work item, or the case
        whose pending work item is the approver's."""
        item_id = target_id
        if self.store.resolve(target_id) is not None and not target_id.startswith("04i"):
            instance = self.org.approvals.pending_instance(target_id)
            items = [] if instance is None else self.store.find(
                "ProcessInstanceWorkitem", ProcessInstanceId=instance["Id"])
            mine = [i for i in items if i["ActorId"] == approver_id] or items
            if not mine:
                raise ValueError(f"case {target_id} has no pending approval")
            item_id = mine[0]["Id"]
        return self.org.approvals.decide(item_id, action, approver_id, comments)

    # -- reading ---------------------------------------------------------------------

    def case(self, case_id: str) -> dict[str, Any]:
        """The case's fields, with ``comments``, ``emails``, ``history`` (field changes)
        and ``approvals`` (instances with their steps), oldest first."""
        case = self.store.get("Case", case_id)
        plain = {k: to_json(v) for k, v in case.items()}
        instances = self.store.find("ProcessInstance", TargetObjectId=case["Id"])
        return {**plain,
                "comments": [_plain(c) for c in self.store.find("CaseComment",
                                                                 ParentId=case["Id"])],
                "emails": [_plain(e) for e in self.store.find("EmailMessage",
                                                               ParentId=case["Id"])],
                "history": [_plain(h) for h in self.store.history
                            if h["ParentId"] == case["Id"]],
                "approvals": [{**_plain(i), "steps": [
                    _plain(s) for s in self.store.find("ProcessInstanceStep",
                                                       ProcessInstanceId=i["Id"])]}
                    for i in instances],
                "locked": case["Id"] in self.store.locked}


def _plain(record: Record) -> dict[str, Any]:
    return {k: to_json(v) for k, v in record.items()}
