"""A small, faithful Jira Service Management Cloud site for tests, the demo and rehearsals.

::

    from sla_bridge_jira.sandbox import Sandbox

    with Sandbox(clock=clock) as jira:              # serves http://127.0.0.1:<port>
        org = jira.add_organization("Gold Corp", properties={"support_plan": "gold"})
        grace = jira.add_customer("Grace", "grace@gold.test", token="grace-token",
                                  organization=org["id"])
        ada = jira.add_agent("Ada Agent", "ada@vendor.test", token="ada-token")
        key = jira.open_request(grace["accountId"], "Restore fails", "...")   # "SUP-1"
        jira.register_webhook("http://127.0.0.1:8000/webhooks/jira", secret="s3cret")
        jira.comment(key, ada["accountId"], "Looking", public=False)
        jira.transition(key, ada["accountId"], "Respond to customer")
        jira.comment(key, grace["accountId"], "Here are the logs")  # -> Waiting for support
        env = jira.plugin_env()                    # SLA_BRIDGE_JIRA__* for the plugin
        jira.issue(key)                            # the issue as GET /issue/{key} shows it

The bridge's own account (``api_email`` / ``api_token``; :attr:`Sandbox.bridge` is the
user) is an agent and a site admin; the real ``jira`` client connects with
``JIRA(server=jira.base_url, basic_auth=(jira.api_email, jira.api_token), max_retries=0)``.
Everyone the facade adds may have an API token of their own and call the API as themselves
(customers: the service desk API and their own requests only).

What is served (the routes' modules say more): ``/rest/api/2`` serverInfo (anonymous,
Cloud), myself, user/search, field, issue GET/PUT, assignee, comments (and comment
properties), transitions, issue properties, issueLink, issueLinkType
(:mod:`._routes_issues`, :mod:`._routes_comments`), the enhanced search ``search/jql``
with ``nextPageToken`` (:mod:`._routes_search`, the JQL of :mod:`._jql`; ``search_lag``
makes it eventually consistent, as Jira's is); field creation,
project, project statuses, groups/picker (:mod:`._routes_admin`); ``/rest/servicedeskapi``
servicedesk, requesttype, request create/get, request comments, participants, approvals,
organizations and their properties (:mod:`._routes_servicedesk`); ``/rest/webhooks/1.0/webhook``
(:mod:`._routes_webhooks`). The project ``SUP`` exists from the start with the request types
"Get IT help", "Report a bug" and "Emergency"; its workflow (:mod:`._workflow`) has the
statuses Waiting for support, In progress, Waiting for customer, Pending, Waiting for
approval (with an approval step on the Approvers field; ``decline_to="Waiting for support"``
makes a decline keep the request open), Resolved, Closed (not editable; it takes comments
and stays closed unless ``closed_takes_comments=False``) and Declined. More request types:
:meth:`add_request_type`; a plain project: ``add_project(..., service_desk=False)``.
Fields (:mod:`._fields`): Request Type ``customfield_10010``, Request participants
``customfield_10026``, Organizations ``customfield_10002``, Approvers ``customfield_10003``,
the read-only SLA "Time to resolution" ``customfield_10020``, and whatever :meth:`add_field`
adds (``text``, ``textarea``, ``datetime``, ``select``, ``users``, ``group``; find ids
with :meth:`field_id` or ``GET /rest/api/2/field``).

Faults and limits (the kit's, answered in Jira's shapes): :meth:`rate_limit_next` (429,
``Retry-After`` may be 0), :meth:`unavailable_next` (503 with or without ``Retry-After``),
:meth:`fail_next`, :meth:`slow_next`, :meth:`drop_next` (``after_processing=True``: the work
is done, the answer lost), :meth:`limit_issue_writes` (429 ``jira-per-issue-on-write``), and
``rate_limit=`` for the per-window burst limit. Webhooks: :meth:`register_webhook` (or the REST
route), :attr:`deliveries`, :meth:`flush`, :meth:`drop_webhooks`, :meth:`duplicate_webhooks`,
:meth:`hold_webhooks` / :meth:`release_webhooks` (late, out-of-order deliveries);
:meth:`add_automation` for an Automation "Send web request" rule. Run it standalone with
``python -m sla_bridge_jira.sandbox``; another process drives it through ``/_sandbox/...``
(the kit's faults and logs, and :mod:`._routes_control`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

from starlette.routing import BaseRoute
from starlette.types import ASGIApp

from sla_bridge.sandbox import Delivery, Fault, RetryRule, WebhookSender

from . import _approvals
from ._app import build_app, canonical_path, is_api
from ._errors import jira_replies
from ._facade_hooks import HooksAndLimits
from ._fields import custom_field
from ._http import IssueWriteLimit
from ._render import approval_json, comment_json, issue_json
from ._routes_control import control_routes
from ._state import SiteState
from ._webhooks import (
    WEBHOOK_TIMEOUT_SECONDS,
    WebhookEngine,
    jira_retry,
)
from ._workflow import BY_TRANSITION_ID

__all__ = ["API_EMAIL", "API_TOKEN", "Delivery", "Fault", "Sandbox"]

API_EMAIL = "bridge@sandbox.test"
API_TOKEN = "sandbox-api-token"
def compressed_backoff(attempt: int) -> float:
    """Jira retries 5 to 15 minutes apart; the sandbox 0.05 s, 0.1 s, ... apart."""
    return 0.05 * attempt


class Sandbox(HooksAndLimits):
    """A Jira Service Management site on loopback with the bridge's account and project SUP.

    The facade's actions (people commenting, transitioning, deciding ...) keep the rules the
    API keeps, and raise :class:`sla_bridge.sandbox.ApiError` (Jira's status and body) where
    Jira would refuse.
    """

    title = "Jira Service Management sandbox"

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, clock: Any = None,
                 api_email: str = API_EMAIL, api_token: str = API_TOKEN,
                 rate_limit: int = 1000, webhook_secret: str | None = None,
                 webhook_backoff: Callable[[int], float] = compressed_backoff,
                 webhook_timeout: float = WEBHOOK_TIMEOUT_SECONDS,
                 project_key: str = "SUP", decline_to: str = "Declined",
                 closed_takes_comments: bool = True, search_lag: float = 0.0) -> None:
        super().__init__(host=host, port=port, clock=clock, rate_limit=rate_limit,
                         retry=jira_retry(webhook_backoff, webhook_timeout), is_api=is_api,
                         canonical_path=canonical_path)
        self.replies = jira_replies(self.clock)
        self.state = SiteState(self.clock)
        self.api_email, self.api_token = api_email, api_token
        self.default_webhook_secret = webhook_secret
        self.bridge = self.state.add_user("sla-bridge", api_email, token=api_token, admin=True)
        self.state.monotonic = getattr(clock, "monotonic", time.monotonic)
        self.issue_writes = IssueWriteLimit(self.state.monotonic)
        self.state.closed_takes_comments = closed_takes_comments
        self.search_lag_seconds = search_lag
        self.decline_to(decline_to)
        self.automation = WebhookSender(clock=self.clock, headers=self._automation_headers,
                                        retry=RetryRule(attempts=1, retry_unanswered=False),
                                        name=f"{self.title} automation")
        self.engine = WebhookEngine(self.state, self.sender, self.automation,
                                    lambda: self.base_url)
        self.project_key = project_key
        self.add_project(project_key, "Support", ["Get IT help", "Report a bug", "Emergency"])

    # -- what the kit asks of a platform ----------------------------------------------

    def build_app(self) -> ASGIApp:
        """Jira's APIs (:mod:`._app`)."""
        return build_app(self)

    def extra_control_routes(self) -> list[BaseRoute]:
        """The Jira-only ``/_sandbox`` routes (:mod:`._routes_control`)."""
        return control_routes(self)

    def webhook_headers(self, delivery: Delivery) -> dict[str, str]:
        """Jira's webhook headers, signed with the webhook's secret."""
        return self.engine.headers(delivery)

    def plugin_env(self, webhook_secret: str | None = None) -> dict[str, str]:
        """The ``SLA_BRIDGE_JIRA__*`` variables that point the plugin at this sandbox."""
        env = {"SLA_BRIDGE_JIRA__BASE_URL": self.base_url,
               "SLA_BRIDGE_JIRA__EMAIL": self.api_email,
               "SLA_BRIDGE_JIRA__API_TOKEN": self.api_token,
               "SLA_BRIDGE_JIRA__PROJECTS": self.project_key}
        secret = webhook_secret or self.default_webhook_secret
        if secret:
            env["SLA_BRIDGE_JIRA__WEBHOOK_SECRET"] = secret
        return env

    def start(self) -> str:
        """Serve, and send webhooks and automation requests."""
        url = super().start()
        self.automation.start()
        return url

    def stop(self) -> None:
        """Stop the automation sender, webhooks and the server."""
        self.automation.stop()
        super().stop()

    # -- the site's people and structure --------------------------------------------------

    def add_agent(self, name: str, email: str, *, token: str | None = None,
                  admin: bool = False) -> dict[str, Any]:
        """A licensed agent (``accountType`` atlassian), optionally with an API token."""
        return self.state.add_user(name, email, "atlassian", token=token, admin=admin)

    def add_customer(self, name: str, email: str, *, token: str | None = None,
                     organization: int | None = None) -> dict[str, Any]:
        """A portal-only customer (``accountType`` customer), in ``organization`` if given."""
        user = self.state.add_user(name, email, "customer", token=token)
        if organization is not None:
            self.add_to_organization(organization, user["accountId"])
        return user

    def account(self, email: str) -> dict[str, Any]:
        """The account with this e-mail (``KeyError`` when there is none)."""
        with self.state.lock:
            for user in self.state.users.values():
                if user["emailAddress"] == email:
                    return dict(user)
        raise KeyError(f"no account with the e-mail {email}")

    def add_organization(self, name: str, members: Iterable[str] = (),
                         properties: dict[str, Any] | None = None) -> dict[str, Any]:
        """A customer organization; ``properties`` (e.g. ``support_plan``) are its
        organization properties."""
        return self.state.add_organization(name, members, properties)

    def add_to_organization(self, organization: int, account_id: str) -> None:
        """Make the account a member of the organization."""
        with self.state.lock:
            self.state.organizations[organization]["members"].add(account_id)

    def add_group(self, name: str, members: Iterable[str] = ()) -> dict[str, Any]:
        """A group of accounts."""
        return self.state.add_group(name, members)

    def add_project(self, key: str, name: str, request_types: Iterable[str] = (), *,
                    service_desk: bool = True) -> dict[str, Any]:
        """A service desk project with request types (by name), or with
        ``service_desk=False`` a plain (software) project."""
        project = self.state.add_project(key, name, service_desk)
        for type_name in request_types:
            self.state.add_request_type(key, type_name)
        return {"id": project.id, "key": key, "serviceDeskId": project.service_desk_id}

    def add_request_type(self, name: str, project: str | None = None) -> str:
        """A request type of the project's service desk (SUP by default); returns its id."""
        return str(self.state.add_request_type(project or self.project_key, name)["id"])

    def decline_to(self, status: str) -> None:
        """Where the approval step's decline leads: ``Declined`` (a done status) or ``Waiting
        for support`` (the request stays open)."""
        transitions = {"Declined": "81", "Waiting for support": "82"}
        if status not in transitions:
            raise ValueError(f"decline_to {status!r}: one of {', '.join(transitions)}")
        step = self.state.approval_steps["Waiting for approval"]
        self.state.approval_steps[step.status] = replace(step, decline=transitions[status])

    def add_field(self, name: str, kind: str = "text",
                  options: Iterable[str] = ()) -> str:
        """A custom field (``text``, ``datetime``, ``select`` with ``options``, ``users``);
        returns its id (``customfield_...``)."""
        with self.state.lock:
            number = 10050 + sum(1 for f in self.state.fields if f.startswith("customfield_"))
            definition = custom_field(number, name, kind, list(options))
            self.state.fields[definition.id] = definition
            return definition.id

    def field_id(self, name: str) -> str:
        """The id of the field named ``name`` (``KeyError`` when there is none)."""
        with self.state.lock:
            for definition in self.state.fields.values():
                if definition.name == name:
                    return definition.id
        raise KeyError(f"no field named {name!r}")

    def request_type_id(self, name: str) -> str:
        """The id of the request type named ``name`` (``KeyError`` when there is none)."""
        with self.state.lock:
            for request_type in self.state.request_types.values():
                if request_type["name"] == name:
                    return str(request_type["id"])
        raise KeyError(f"no request type named {name!r}")

    def service_desk_id(self, project_key: str | None = None) -> str:
        """The service desk id of the project (SUP by default)."""
        return self.state.projects[project_key or self.project_key].service_desk_id

    # -- acting as people --------------------------------------------------------------

    def open_request(self, reporter: str, summary: str, description: str = "", *,
                     request_type: str = "Get IT help", project: str | None = None,
                     fields: dict[str, Any] | None = None,
                     participants: Iterable[str] = ()) -> str:
        """``reporter`` raises a request through the portal; returns its key. ``fields``
        are written as through the API (``{"customfield_10050": {"value": "Sev 2"}}``)."""
        with self.state.lock:
            values = {k: self.state.parse_field(k, v) for k, v in (fields or {}).items()}
            record = self.state.create_issue(project or self.project_key, reporter, {
                "summary": summary, "description": description or None,
                "customfield_10010": self.request_type_id(request_type),
                "customfield_10026": list(participants),
                "customfield_10002": self.state.organizations_of(reporter)[:1], **values})
            return record.key

    def comment(self, key: str, author: str, body: str, *, public: bool = True,
                properties: dict[str, Any] | None = None) -> dict[str, Any]:
        """``author`` comments (a customer's reply moves the request on as JSM does)."""
        with self.state.lock:
            comment = self.state.add_comment(key, author, body, public=public,
                                             properties=properties)
            return comment_json(self.state, self.state.record(key), comment, self.base_url,
                                True)

    def email_reply(self, key: str, author: str, body: str) -> dict[str, Any]:
        """``author`` answers a notification by e-mail: JSM's mail handler adds it as their
        public comment (on a Closed request too, which stays closed, unless the site refuses
        comments there)."""
        return self.comment(key, author, body)

    def transition(self, key: str, agent: str, transition: str,
                   fields: dict[str, Any] | None = None) -> None:
        """``agent`` runs a transition, by id or (case-insensitive) name."""
        found = BY_TRANSITION_ID.get(transition) or next(
            (t for t in BY_TRANSITION_ID.values() if t.name.lower() == transition.lower()),
            None)
        if found is None:
            names = ", ".join(f"{t.id} {t.name}" for t in BY_TRANSITION_ID.values())
            raise KeyError(f"no transition {transition!r}; the workflow has: {names}")
        self.state.transition(key, agent, found.id, dict(fields or {}), {})

    def assign(self, key: str, agent: str, assignee: str | None) -> None:
        """``agent`` assigns the issue (``None``: unassigned)."""
        self.state.assign(key, agent, assignee)

    def edit(self, key: str, agent: str, fields: dict[str, Any] | None = None,
             update: dict[str, Any] | None = None) -> None:
        """``agent`` edits the issue as ``PUT /issue/{key}`` would."""
        self.state.edit(key, agent, dict(fields or {}), dict(update or {}))

    def close(self, key: str, agent: str) -> None:
        """``agent`` resolves (if needed) and closes the issue: it takes no edit or comment."""
        if self.status(key) != "Resolved":
            self.transition(key, agent, "Resolve")
        self.transition(key, agent, "Close")

    def request_approval(self, key: str, agent: str, approvers: Iterable[str]) -> dict[str, Any]:
        """``agent`` sets the Approvers and moves the issue to Waiting for approval; returns
        the approval (as ``GET .../approval/{id}`` shows it)."""
        self.edit(key, agent, {"customfield_10003": [{"accountId": a} for a in approvers]})
        self.transition(key, agent, "Request approval")
        return self.approvals(key)[-1]

    def decide(self, key: str, approver: str, decision: str,
               approval_id: str | None = None) -> dict[str, Any]:
        """``approver`` answers the pending approval (``approve`` or ``decline``)."""
        with self.state.lock:
            record = self.state.record(key)
            pending = record.pending_approval()
            if approval_id is None and pending is None:
                raise ValueError(f"{key} has no pending approval: move it to Waiting for "
                                 "approval first (request_approval)")
            approval_id = approval_id or (pending["id"] if pending else "")
        _approvals.answer(self.state, key, approval_id, approver, decision)
        return next(a for a in self.approvals(key) if a["id"] == approval_id)

    # -- reading ---------------------------------------------------------------------

    def issue(self, key: str) -> dict[str, Any]:
        """The issue as ``GET /issue/{key}?expand=changelog&properties=*all`` shows it (with
        its comments, properties included)."""
        with self.state.lock:
            record = self.state.record(key)
            body = issue_json(self.state, record, self.base_url, expand="changelog",
                              properties="*all")
            body["fields"]["comment"]["comments"] = self.comments(key)
            return body

    def comments(self, key: str) -> list[dict[str, Any]]:
        """The issue's comments, properties included."""
        with self.state.lock:
            record = self.state.record(key)
            return [comment_json(self.state, record, c, self.base_url, True)
                    for c in record.comments]

    def status(self, key: str) -> str:
        """The issue's status name."""
        return self.state.record(key).status

    def approvals(self, key: str) -> list[dict[str, Any]]:
        """The issue's approvals (as the service desk API shows them to the bridge)."""
        with self.state.lock:
            record = self.state.record(key)
            return [approval_json(self.state, record, a, self.base_url,
                                  self.bridge["accountId"]) for a in record.approvals]
