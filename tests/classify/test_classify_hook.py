"""The ``sla_bridge_classify`` hook: the built-in default plugin, and a plugin that replaces it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from click.testing import Result

from sla_bridge import hookimpl
from sla_bridge.classify import ClassificationResult
from sla_bridge.plugin import PluginHost
from sla_bridge.policy import Policy
from sla_bridge.settings import load_settings
from sla_bridge.tickets import Status, Ticket, TicketRef

RunCli = Callable[..., Result]
BUILTIN = "sla_bridge.default_plugins.classifier"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def ticket(description: str, **extra: object) -> Ticket:
    return Ticket(ref=TicketRef(platform="test", ticket_id="1"), status=Status.NEW,
                  subject="", description=description, created_at=NOW, updated_at=NOW,
                  **extra)  # type: ignore[arg-type]


class KeywordClassifier:
    """A plugin's classifier: anything mentioning "invoice" is the least severe level."""

    @hookimpl
    def sla_bridge_classify(self, policy: Policy, ticket: Ticket) -> ClassificationResult | None:
        if "invoice" not in ticket.description.lower():
            return None  # not ours: let the next classifier (the built-in one) answer
        return ClassificationResult(severity=policy.severity_ids[-1], confidence=0.99,
                                    reasons=("billing question (keyword plugin)",),
                                    classifier="keyword-plugin")


@pytest.fixture
def host() -> PluginHost:
    return PluginHost.from_settings(load_settings())


def test_builtin_classifier_is_a_default_plugin(host: PluginHost) -> None:
    info = next(i for i in host.plugins() if i.name == BUILTIN)
    assert info.builtin
    assert "sla_bridge_classify" in info.hooks
    policy = host.policy_library().load("crashplan-proe-premium")
    result = host.classify(policy, ticket("The RAID array on our appliance is degraded."))
    assert result is not None
    assert (result.severity, result.classifier) == ("2", "builtin")


def test_a_plugins_classifier_wins_over_the_builtin(host: PluginHost) -> None:
    host.manager.register(KeywordClassifier(), name="keyword-classifier")
    policy = host.policy_library().load("code42-enterprise")
    # The built-in classifier would call this Severity 1 (an outage for every user).
    text = "Nobody can restore since the invoice run crashed the server for every user."
    result = host.classify(policy, ticket(text))
    assert result is not None
    assert (result.severity, result.classifier) == ("4", "keyword-plugin")
    assert result.reasons == ("billing question (keyword plugin)",)
    # A plugin returning None hands the ticket on to the built-in classifier.
    other = host.classify(policy, ticket("Nobody can restore, the server crashed for all."))
    assert other is not None
    assert (other.severity, other.classifier) == ("1", "builtin")


def test_with_the_builtin_blocked_no_classifier_answers(monkeypatch: pytest.MonkeyPatch,
                                                        run_cli: RunCli) -> None:
    monkeypatch.setenv("SLA_BRIDGE_DISABLED_PLUGINS", BUILTIN)
    host = PluginHost.from_settings(load_settings())
    policy = host.policy_library().load("ownbackup")
    assert host.classify(policy, ticket("Backups fail.")) is None
    result = run_cli("classify", "--policy", "ownbackup", "--text", "Backups fail.")
    assert result.exit_code == 1
    assert "no classifier answered" in result.output


def test_the_builtin_hook_reads_version_facts_from_the_ticket(host: PluginHost) -> None:
    policy = host.policy_library().load("code42-enterprise")
    old = ticket("Restores fail for all of our users.", version="6.5.2",
                 fields={"release_dates": {"6.5": "2017-09-12", "6.7": "2018-04-10"}})
    result = host.classify(policy, old)
    assert result is not None
    assert result.severity == "4"
    assert "Severity 4 per the version policy" in result.reasons[0]
