"""The org: its schema, records, users and their access tokens, approval processes and
query cursors — everything the REST routes and the facade share."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from datetime import datetime

from ._approvals import Approvals
from ._query import Cursors
from ._schema import CLOSED_STATUSES, STATUSES, Schema
from ._store import Record, Store


class Org:
    """A Service Cloud org in memory."""

    def __init__(self, clock: Callable[[], datetime], *, page_size: int = 2000) -> None:
        self.clock = clock
        self.schema = Schema.standard()
        self.store = Store(clock, self.schema)
        self.organization_id = self.store.ids.new("Organization")
        self.cursors = Cursors(page_size)
        self.approvals = Approvals(self.store)
        self._tokens: dict[str, str] = {}
        self._passwords: dict[str, tuple[str, str]] = {}  # username -> (secret, user id)
        self._apps: dict[str, tuple[str | None, str | None]] = {}  # key -> secret, cert
        self._lock = threading.Lock()
        self.system_user = ""  # the org's own user, who creates the rest
        self.system_user = self.add_user("Automated Process", "autoproc@sandbox.test",
                                         admin=True, user_type="AutomatedProcess")["Id"]
        for order, label in enumerate(STATUSES, 1):
            self.add_case_status(label, closed=label in CLOSED_STATUSES, default=order == 1)

    # -- users and sessions ------------------------------------------------------------

    def add_user(self, name: str, email: str, *, admin: bool = False,
                 username: str | None = None, user_type: str = "Standard",
                 contact_id: str | None = None) -> Record:
        """A user (an agent, an approver, the bridge's integration user; with another
        ``user_type`` and ``contact_id``, a portal customer)."""
        first, _, last = name.rpartition(" ")
        user = self.store.create("User", {
            "Name": name, "FirstName": first or None, "LastName": last, "Email": email,
            "Username": username or email, "IsActive": True, "UserType": user_type,
            "ContactId": contact_id},
            self.system_user, system=True)
        if not self.system_user:  # the first user made itself
            user["CreatedById"] = user["LastModifiedById"] = user["Id"]
        if admin:
            self.store.admins.add(user["Id"])
        return user

    def issue_token(self, user_id: str) -> str:
        """A new access token (session id) for the user."""
        token = f"{self.organization_id[:15]}!{secrets.token_urlsafe(48)}"
        with self._lock:
            self._tokens[token] = user_id
        return token

    def add_token(self, token: str, user_id: str) -> None:
        """Accept a chosen access token for the user (a fixed one for the demo)."""
        with self._lock:
            self._tokens[token] = user_id

    def revoke_tokens(self, user_id: str | None = None) -> None:
        """Expire the user's tokens (everyone's without ``user_id``)."""
        with self._lock:
            for token, owner in list(self._tokens.items()):
                if user_id is None or owner == user_id:
                    del self._tokens[token]

    def user_for_token(self, token: str) -> str | None:
        """Whose token it is, if it is valid."""
        with self._lock:
            return self._tokens.get(token)

    def set_password(self, username: str, password: str, security_token: str,
                     user_id: str) -> None:
        """Let the user log in with ``password`` + ``security_token`` (SOAP login)."""
        with self._lock:
            self._passwords[username] = (password + security_token, user_id)

    def check_password(self, username: str, secret: str) -> str | None:
        """The user id when ``secret`` is the password followed by the security token."""
        with self._lock:
            found = self._passwords.get(username)
        if found is None or not secrets.compare_digest(found[0], secret):
            return None
        return found[1]

    def add_connected_app(self, consumer_key: str, *, consumer_secret: str | None = None,
                          certificate_pem: str | None = None) -> None:
        """A connected app: its consumer secret (password grant) and the public key or
        certificate uploaded for the JWT bearer flow."""
        with self._lock:
            self._apps[consumer_key] = (consumer_secret, certificate_pem)

    def check_client(self, consumer_key: str, consumer_secret: str) -> bool:
        """Whether the connected app exists with this secret."""
        with self._lock:
            secret = self._apps.get(consumer_key, (None, None))[0]
        return secret is not None and secrets.compare_digest(secret, consumer_secret)

    def user_for_assertion(self, assertion: str) -> str | None:
        """The user a valid JWT bearer assertion names (``sub`` = the username)."""
        from ._routes_auth import verify_assertion

        with self._lock:
            keys = {key: cert for key, (_, cert) in self._apps.items() if cert}
        found = verify_assertion(assertion, keys, ["https://login.salesforce.com",
                                                   "https://test.salesforce.com"])
        if found is None:
            return None
        users = self.store.find("User", Username=found[1], IsActive=True)
        return users[0]["Id"] if users else None

    # -- configuration -------------------------------------------------------------------

    def add_case_status(self, label: str, *, closed: bool = False,
                        default: bool = False) -> Record:
        """A Case Status value (its ``IsClosed`` decides whether a case with it is closed)."""
        order = len(self.store.records["CaseStatus"]) + 1
        status = self.store.create("CaseStatus", {
            "MasterLabel": label, "ApiName": label.replace(" ", "_"), "IsClosed": closed,
            "IsDefault": default, "SortOrder": order}, self.system_user, system=True)
        labels = tuple(s["MasterLabel"] for s in self.store.all("CaseStatus"))
        self.schema.set_picklist("Case", "Status", labels)
        return status
