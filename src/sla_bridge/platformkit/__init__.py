"""The platform kit: everything a helpdesk plugin needs that is not about its helpdesk.

A platform plugin is its field mapping, its wire formats, its vendor client calls and its
setup objects; the kit is the rest, tested once:

* settings: :class:`PlatformSettings` (``SLA_BRIDGE_<NAME>__*``, ``missing()`` names what is
  missing), :data:`NameMap` and :data:`LowerNameMap` (JSON map settings keyed by names
  matched case-insensitively), :func:`url_setting` and :func:`register_if_configured` for
  ``sla_bridge_register_platforms``;
* webhooks: :class:`WebhookVerifier` with :class:`HmacSignature` or
  :class:`SharedSecretHeader` (constant-time, fresh by the injected clock), then
  :func:`json_object` and :func:`delivery_id` to read them;
* calling the vendor: :func:`retry_after_seconds`, :class:`RateGate`, :class:`VendorErrors`
  (answers and exceptions to :class:`~sla_bridge.platforms.VendorError`), :class:`TTLCache`;
* echoes: :class:`BridgeIdentity` (is this event the bridge's own write?), and
  :func:`neutral_priority` (a helpdesk's priority read back as the bridge wrote it);
* the field mapping: :class:`Source` (a kind and its argument), parsed by a plugin's
  :class:`SourceSyntax`, in its :class:`SourceMap` (``SLA_BRIDGE_<NAME>__FIELDS__*``);
  :func:`field_title` names the field of an unmapped attribute, :func:`prefixed_value`,
  :func:`prefixed_tags` and :func:`tag_text` read and write a value kept as a prefixed tag;
* writing: :class:`PlatformBase`, one method per action type, with the approval fallback,
  and :func:`collect_changes` for a platform that writes a batch in one update;
* setup: :class:`Plan` of :class:`Step` (create / update / unchanged, dry run, report),
  :class:`Finding` (what ``check`` found about one thing) and the command helpers
  (:func:`policy_groups_for_command`: the groups the policies name).
"""

from ._base import (
    ACTION_METHODS,
    ONE_OFF_ACTIONS,
    REQUIRED_METHODS,
    PlatformBase,
    approval_note,
    describe,
)
from ._cache import TTLCache
from ._changes import CommentChange, TicketChanges, collect_changes
from ._commands import (
    command_clock,
    exit_on_vendor_error,
    policy_groups_for_command,
    report_findings,
    run_setup,
    settings_for_command,
    setup_options,
)
from ._errors import VendorErrors, vendor_message
from ._identity import BridgeIdentity
from ._inbound import delivery_id, json_object
from ._priority import NEUTRAL_PRIORITIES, neutral_priority
from ._ratelimit import (
    DEFAULT_RATE_LIMIT_WAIT,
    RateGate,
    RateLimited,
    RateLimitHeaders,
    retry_after_seconds,
)
from ._settings import (
    LowerNameMap,
    NameMap,
    PlatformSettings,
    RequiredSettings,
    platform_settings_config,
    register_if_configured,
    url_setting,
)
from ._setup import (
    Finding,
    Plan,
    Step,
    StepAction,
    differing,
    find_named,
    report_webhook_secret,
    write_env_variable,
)
from ._signatures import (
    HmacSignature,
    SharedSecretHeader,
    WebhookScheme,
    WebhookVerifier,
    parse_timestamp,
)
from ._sources import (
    Source,
    SourceMap,
    SourceSyntax,
    field_title,
    prefixed_tags,
    prefixed_value,
    tag_text,
)

__all__ = [
    "ACTION_METHODS",
    "DEFAULT_RATE_LIMIT_WAIT",
    "NEUTRAL_PRIORITIES",
    "ONE_OFF_ACTIONS",
    "REQUIRED_METHODS",
    "BridgeIdentity",
    "CommentChange",
    "Finding",
    "HmacSignature",
    "LowerNameMap",
    "NameMap",
    "Plan",
    "PlatformBase",
    "PlatformSettings",
    "RateGate",
    "RateLimitHeaders",
    "RateLimited",
    "RequiredSettings",
    "SharedSecretHeader",
    "Source",
    "SourceMap",
    "SourceSyntax",
    "Step",
    "StepAction",
    "TTLCache",
    "TicketChanges",
    "VendorErrors",
    "WebhookScheme",
    "WebhookVerifier",
    "approval_note",
    "collect_changes",
    "command_clock",
    "delivery_id",
    "describe",
    "differing",
    "exit_on_vendor_error",
    "field_title",
    "find_named",
    "json_object",
    "neutral_priority",
    "parse_timestamp",
    "platform_settings_config",
    "policy_groups_for_command",
    "prefixed_tags",
    "prefixed_value",
    "register_if_configured",
    "report_findings",
    "report_webhook_secret",
    "retry_after_seconds",
    "run_setup",
    "settings_for_command",
    "setup_options",
    "tag_text",
    "url_setting",
    "vendor_message",
    "write_env_variable",
]
