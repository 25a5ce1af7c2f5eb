"""How Jira's deliveries prove they come from the site.

Admin webhooks registered with a secret carry ``X-Hub-Signature: sha256=<lower-case hex
HMAC-SHA256(secret, raw body)>`` (the WebSub "method=signature" format; note the name, not
GitHub's ``X-Hub-Signature-256``), see
https://developer.atlassian.com/cloud/jira/platform/webhooks/#secure-admin-webhooks.
Nothing but the body is signed: the body's own ``timestamp`` (milliseconds) is the only
time, and it stays the same when Jira retries. Each delivery is named by
``X-Atlassian-Webhook-Identifier``, unchanged across retries.

Automation rules' "Send web request" signs nothing: the rule sends the shared secret in a
hidden header, ``X-Sla-Bridge-Secret``, compared in constant time. The checks themselves are
the kit's :class:`~sla_bridge.platformkit.HmacSignature` and
:class:`~sla_bridge.platformkit.SharedSecretHeader`.
"""

from __future__ import annotations

from sla_bridge.platformkit import HmacSignature, SharedSecretHeader

SIGNATURE_HEADER = "x-hub-signature"
IDENTIFIER_HEADER = "x-atlassian-webhook-identifier"
RETRY_HEADER = "x-atlassian-webhook-retry"
FLOW_HEADER = "x-atlassian-webhook-flow"
AUTOMATION_HEADER = "x-sla-bridge-secret"

SCHEME = HmacSignature(SIGNATURE_HEADER, prefix="sha256=")
AUTOMATION_SCHEME = SharedSecretHeader(AUTOMATION_HEADER)

__all__ = ["AUTOMATION_HEADER", "AUTOMATION_SCHEME", "FLOW_HEADER", "IDENTIFIER_HEADER",
           "RETRY_HEADER", "SCHEME", "SIGNATURE_HEADER", "sign"]


def sign(secret: str, body: bytes) -> str:
    """The ``X-Hub-Signature`` value Jira sends for ``body``."""
    return SCHEME.sign(secret, body)
