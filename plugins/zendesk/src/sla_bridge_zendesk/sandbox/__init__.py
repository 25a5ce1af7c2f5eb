"""A small, faithful Zendesk for tests, the demo and trying the bridge without an account.

::

    from sla_bridge_zendesk.sandbox import Sandbox

    with Sandbox() as zendesk:                      # serves http://127.0.0.1:<port>
        org = zendesk.add_organization("Acme", fields={"support_plan": "gold"})
        alice = zendesk.add_user("Alice", "alice@acme.test", organization_id=org["id"])
        ticket = zendesk.open_ticket(alice["id"], "Restore fails", "...", priority="high")
        env = zendesk.plugin_env()                  # SLA_BRIDGE_ZENDESK__* for the plugin

It serves the part of the Zendesk REST API the plugin uses (see :mod:`._app`), keeps
Zendesk's ticket rules (:mod:`._state`), and sends signed webhooks when its tickets change
the way the webhooks and triggers created through its API say (:mod:`._webhooks`). What is
not Zendesk's (the server, faults, rate limit, request log, webhook delivery, the
``/_sandbox`` routes) is the kit's, :class:`sla_bridge.sandbox.HelpdeskSandbox`, answered
in Zendesk's shapes (:mod:`._errors`). Run it standalone with
``python -m sla_bridge_zendesk.sandbox``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from starlette.routing import BaseRoute
from starlette.types import ASGIApp

from sla_bridge.sandbox import Delivery, Fault, HelpdeskSandbox, RateLimiter

from ..signature import format_timestamp
from ._app import build_app, canonical_path, is_api
from ._ends import Merge, delete_ticket, mark_as_spam, merge_tickets
from ._errors import ZENDESK_REPLIES
from ._export import EXPORT_RATE_LIMIT, MAX_EXPORT_PAGE
from ._fields import customer_values, define_organization_fields, update_ticket_field
from ._routes_control import control_routes
from ._state import SandboxState, iso, parse_iso
from ._webhooks import ZENDESK_RETRY, WebhookEngine, invocation_id, zendesk_headers

__all__ = ["API_EMAIL", "API_TOKEN", "Delivery", "Fault", "Sandbox"]

API_EMAIL = "bridge@sandbox.test"
API_TOKEN = "sandbox-api-token"


class Sandbox(HelpdeskSandbox):
    """A Zendesk account on loopback, with an admin API user for the bridge."""

    title = "Zendesk sandbox"

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, clock: Any = None,
                 api_email: str = API_EMAIL, api_token: str = API_TOKEN,
                 page_size_cap: int = 100, rate_limit: int = 700,
                 webhook_secret: str | None = None, subdomain: str = "sandbox",
                 export_page_size: int = MAX_EXPORT_PAGE,
                 export_rate_limit: int = EXPORT_RATE_LIMIT) -> None:
        super().__init__(host=host, port=port, clock=clock, rate_limit=rate_limit,
                         replies=ZENDESK_REPLIES, retry=ZENDESK_RETRY, is_api=is_api,
                         canonical_path=canonical_path, webhook_timestamp=format_timestamp,
                         webhook_id=invocation_id)
        self.subdomain = subdomain
        self.page_size_cap = page_size_cap
        # The Incremental Ticket Export: pages of up to 1000, 10 requests a minute.
        self.export_page_size = export_page_size
        self.export_limiter = RateLimiter(export_rate_limit, 60.0)
        self.default_webhook_secret = webhook_secret
        self.state = SandboxState(self.clock)
        self.api_email = api_email
        self.api_token = api_token
        self.api_user = self.state.add_user("sla-bridge", api_email, role="admin",
                                            token=api_token)
        self.engine = WebhookEngine(self.state, self.sender)

    # -- what the kit asks of a platform ----------------------------------------------

    def build_app(self) -> ASGIApp:
        """Zendesk's API (:mod:`._app`)."""
        return build_app(self)

    def extra_control_routes(self) -> list[BaseRoute]:
        """``/_sandbox/tickets/{id}/reply`` and ``/_sandbox/close_solved``."""
        return control_routes(self)

    def webhook_headers(self, delivery: Delivery) -> dict[str, str]:
        """Zendesk's webhook headers, signed with the webhook's secret."""
        return zendesk_headers(self.state, delivery)

    def plugin_env(self, webhook_secret: str | None = None) -> dict[str, str]:
        """The ``SLA_BRIDGE_ZENDESK__*`` variables that point the plugin at this sandbox."""
        env = {"SLA_BRIDGE_ZENDESK__SUBDOMAIN": self.subdomain,
               "SLA_BRIDGE_ZENDESK__BASE_URL": self.base_url,
               "SLA_BRIDGE_ZENDESK__EMAIL": self.api_email,
               "SLA_BRIDGE_ZENDESK__API_TOKEN": self.api_token}
        secret = webhook_secret or self.default_webhook_secret
        if secret:
            env["SLA_BRIDGE_ZENDESK__WEBHOOK_SECRET"] = secret
        return env

    # -- the account's data ---------------------------------------------------------

    def add_organization(self, name: str, fields: dict[str, Any] | None = None,
                         tags: Iterable[str] = ()) -> dict[str, Any]:
        """An organization with custom fields (e.g. ``support_plan``, ``support_location``);
        the organization fields it names are defined first where they are not (as text
        fields), as an admin would have."""
        define_organization_fields(self.state, (fields or {}).keys())
        return self.state.add_organization(name, fields, tags)

    def add_user(self, name: str, email: str, organization_id: int | None = None,
                 tags: Iterable[str] = (), user_fields: dict[str, Any] | None = None,
                 role: str = "end-user", token: str | None = None) -> dict[str, Any]:
        """An end user (a customer) unless ``role`` says agent or admin; with ``token`` they
        sign in to the API with it (a customer: the Requests API)."""
        return self.state.add_user(name, email, role, organization_id, tags, user_fields,
                                   token=token)

    def add_agent(self, name: str, email: str, role: str = "agent",
                  token: str | None = None,
                  groups: Iterable[str] | None = None) -> dict[str, Any]:
        """An agent (or admin), optionally with an API token, a member of ``groups`` (by
        name; they must exist). Without ``groups`` the agent counts as a member of every
        group, for tests that do not model memberships."""
        agent = self.state.add_user(name, email, role, token=token)
        if groups is None:
            self.state.in_every_group.add(agent["id"])
        for group in groups or ():
            self.state.add_membership(agent["id"], self.group_id(group))
        return agent

    def add_group(self, name: str, members: Iterable[int] = ()) -> dict[str, Any]:
        """A group of agents, with ``members`` (agent ids) in it."""
        group = self.state.add_group(name)
        for user_id in members:
            self.state.add_membership(user_id, group["id"])
        return group

    def give_token(self, user_id: int, token: str) -> None:
        """Let an existing user sign in to the API with ``token`` (their e-mail and
        ``/token``)."""
        with self.state.lock:
            self.state.tokens[self.state.users[user_id]["email"]] = token

    def add_ticket_field(self, title: str, type_: str = "text", *,
                         customers_edit: bool = False,
                         required: bool = False) -> dict[str, Any]:
        """A custom ticket field, for agents only unless ``customers_edit`` (visible and
        editable in the Help Center); ``required``: a ticket cannot be solved while it is
        empty."""
        field = self.state.add_ticket_field(title, type_)
        if customers_edit:
            field = update_ticket_field(self.state, field["id"], {
                "visible_in_portal": True, "editable_in_portal": True})
        if required:
            field = update_ticket_field(self.state, field["id"], {"required": True})
        return field

    def field_id(self, title: str) -> int:
        """The id of the custom ticket field titled ``title``."""
        with self.state.lock:
            for field_id, field in self.state.ticket_fields.items():
                if field["title"] == title:
                    return field_id
        raise KeyError(title)

    def macro_id(self, title: str) -> int:
        """The id of the macro titled ``title`` (e.g. one ``zendesk setup`` created)."""
        with self.state.lock:
            for macro_id, macro in self.state.macros.items():
                if macro["title"] == title:
                    return macro_id
        raise KeyError(title)

    def group_id(self, name: str) -> int:
        """The id of the group named ``name``."""
        with self.state.lock:
            for group_id, group in self.state.groups.items():
                if group["name"] == name:
                    return group_id
        raise KeyError(name)

    def open_ticket(self, requester_id: int, subject: str, body: str, *,
                    priority: str | None = None, tags: Iterable[str] = (),
                    custom_fields: dict[int, Any] | None = None, channel: str = "web",
                    **extra: Any) -> dict[str, Any]:
        """The requester opens a ticket (through the web form by default); a customer's
        ``custom_fields`` count only for the fields editable in the Help Center."""
        requester = self.state.user(requester_id)
        values = [{"id": k, "value": v} for k, v in (custom_fields or {}).items()]
        payload = {"subject": subject, "comment": {"body": body, "public": True},
                   "priority": priority, "tags": list(tags), "requester_id": requester_id,
                   "custom_fields": customer_values(self.state, requester, values), **extra}
        ticket, _ = self.state.create_ticket(payload, requester, channel=channel)
        return ticket

    def customer_reply(self, ticket_id: int, body: str) -> dict[str, Any]:
        """The requester answers by e-mail (a reply to a closed ticket opens a follow-up)."""
        ticket, _ = self.state.reply_as_requester(ticket_id, body)
        return ticket

    def agent_update(self, ticket_id: int, agent_id: int, *, comment: str | None = None,
                     public: bool = True, **changes: Any) -> dict[str, Any]:
        """An agent updates the ticket in the agent workspace, which assigns an unassigned
        ticket to the agent who submits it as solved (the API itself refuses to solve an
        unassigned ticket)."""
        payload = dict(changes)
        if (payload.get("status") == "solved" and "assignee_id" not in payload
                and self.ticket(ticket_id).get("assignee_id") is None):
            payload["assignee_id"] = agent_id
        if comment is not None:
            payload["comment"] = {"body": comment, "public": public}
        ticket, _ = self.state.update_ticket(ticket_id, payload, self.state.user(agent_id),
                                             channel="web")
        return ticket

    def apply_macro(self, ticket_id: int, macro_id: int, agent_id: int) -> dict[str, Any]:
        """An agent applies a macro and submits the ticket."""
        with self.state.lock:
            macro = dict(self.state.macros[macro_id])
        payload: dict[str, Any] = {"macro_id": macro_id}
        custom: list[dict[str, Any]] = []
        for action in macro.get("actions") or []:
            name, value = action.get("field"), action.get("value")
            if name == "current_tags":
                payload.setdefault("additional_tags", []).extend(str(value).split())
            elif name == "remove_tags":
                payload.setdefault("remove_tags", []).extend(str(value).split())
            elif name == "set_tags":
                payload["tags"] = str(value).split()
            elif name in ("status", "priority", "type", "group_id", "assignee_id"):
                payload[name] = int(value) if name.endswith("_id") else value
            elif name in ("comment_value", "comment_value_html"):
                payload["comment"] = {"body": value if isinstance(value, str)
                                      else str(value[-1]),
                                      "public": payload.get("comment", {}).get("public", True)}
            elif name == "comment_mode_is_public":
                payload.setdefault("comment", {"body": ""})["public"] = value in (True, "true")
            elif name.startswith("custom_fields_"):
                custom.append({"id": int(name.rsplit("_", 1)[1]), "value": value})
        if custom:
            payload["custom_fields"] = custom
        if "comment" in payload and not payload["comment"].get("body"):
            del payload["comment"]
        ticket, _ = self.state.update_ticket(ticket_id, payload, self.state.user(agent_id),
                                             channel="web")
        return ticket

    def delete_ticket(self, ticket_id: int, agent_id: int | None = None) -> None:
        """An agent (the API user by default) deletes the ticket (softly: 404 from now on)."""
        delete_ticket(self.state, ticket_id, self._agent(agent_id))

    def mark_as_spam(self, ticket_id: int, agent_id: int | None = None) -> None:
        """An agent marks the ticket as spam: it is deleted, its requester suspended."""
        mark_as_spam(self.state, ticket_id, self._agent(agent_id))

    def merge(self, target_id: int, source_ids: Iterable[int], agent_id: int | None = None,
              **comments: Any) -> dict[str, Any]:
        """An agent merges the source tickets into the target (each source is closed);
        ``comments``: ``source_comment``, ``target_comment`` and their ``*_is_public``."""
        asked = Merge.of(target_id, {"ids": list(source_ids), **comments})
        return merge_tickets(self.state, asked, self._agent(agent_id))

    def change_unaudited(self, ticket_id: int, *, moves_updated_at: bool = True,
                         **changes: Any) -> dict[str, Any]:
        """A fault: change the ticket's properties with no audit and no trigger, moving its
        ``updated_at`` one second on unless told not to. Zendesk documents that "the
        ``updated_at`` value is updated only if the update generates a ticket event" and
        that system updates move only ``generated_timestamp`` (Incremental Exports); it is
        silent on whether a system update can change a property ([inferred] possible). A
        plugin that reads tickets from their audits must not write over such a change."""
        with self.state.lock:
            record = self.state.tickets[ticket_id]
            record.data.update(changes)
            record.data["generated_timestamp"] = int(self.state.clock().timestamp())
            if moves_updated_at:
                later = parse_iso(record.data["updated_at"]) + timedelta(seconds=1)
                record.data["updated_at"] = iso(later)
        return self.state.ticket(ticket_id)

    def omit_create_events(self, *field_names: str) -> None:
        """A fault: the audit of every ticket created from now on has no ``Create`` event
        for these properties (or custom field ids), though the ticket has their values.
        Which properties get one Zendesk does not document ("A separate event is created for
        each property set", Ticket Audit events reference); a plugin that builds a new
        ticket from its audits must notice."""
        with self.state.lock:
            self.state.omitted_create_events = frozenset(field_names)

    def _agent(self, agent_id: int | None) -> dict[str, Any]:
        return self.state.user(agent_id) if agent_id is not None else dict(self.api_user)

    def close_solved(self, older_than: timedelta = timedelta(0)) -> list[int]:
        """Run the account's "close solved tickets" automation now."""
        return self.state.close_solved(older_than)

    def ticket(self, ticket_id: int) -> dict[str, Any]:
        """The ticket as the API shows it."""
        return self.state.ticket(ticket_id)

    def audits(self, ticket_id: int) -> list[dict[str, Any]]:
        """The ticket's audits."""
        return self.state.record(ticket_id).audits

    def comments(self, ticket_id: int) -> list[dict[str, Any]]:
        """The ticket's comments."""
        return self.state.record(ticket_id).comments
