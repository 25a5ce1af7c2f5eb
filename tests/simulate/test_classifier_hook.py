"""simulate asks the plugins' classifier exactly when the worker would: a policy applies and
the ticket has no vendor severity."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner

from sla_bridge.classify import ClassificationResult
from sla_bridge.cli import AppContext, build_cli
from sla_bridge.clock import FixedClock
from sla_bridge.hookspecs import hookimpl
from sla_bridge.plugin import PluginHost
from sla_bridge.policy import Policy
from sla_bridge.settings import load_settings
from sla_bridge.tickets import Ticket


class HowToClassifier:
    """A plugin classifier that calls every ticket a how-to question, and counts its calls."""

    def __init__(self) -> None:
        self.asked: list[str | None] = []

    @hookimpl
    def sla_bridge_classify(self, policy: Policy, ticket: Ticket) -> ClassificationResult:
        self.asked.append(ticket.vendor_severity)
        return ClassificationResult("Low", 0.9, ("a how-to question (impact: none)",),
                                    classifier="how-to")


def test_the_plugins_classifier_decides_and_is_not_asked_once_a_vendor_severity_is_set(
        tmp_path: Path) -> None:
    story = {
        "policy": "ownbackup",  # recategorise = "apply"
        "ticket": {"opened": "2026-11-24T09:00:00-05:00", "plan": "standard",
                   "customer_severity": "High", "description": "How do I schedule an export?"},
        "events": [{"at": "2026-11-24T09:30:00-05:00", "customer": "Any news?"}],
    }
    path = tmp_path / "story.json"
    path.write_text(json.dumps(story))
    settings = load_settings()
    host = PluginHost.from_settings(settings)
    classifier = HowToClassifier()
    host.manager.register(classifier, name="how-to")
    app = AppContext(settings=settings, host=host,
                     clock=FixedClock(datetime(2030, 1, 1, tzinfo=UTC)))
    result = CliRunner().invoke(build_cli(host), ["simulate", str(path), "--format", "json"],
                                obj=app)
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["writes"][0]["fields"] == {"vendor_severity": "Low"}
    told = [w["body"] for w in document["writes"] if w["kind"] == "comment" and w["public"]]
    assert any(body.startswith("We have reviewed this ticket and categorised it as severity Low "
                               "(Low) under our support policy: a how-to question (impact: none)")
               for body in told), told
    # Asked at the opening only: from the bridge's own write on, the ticket has a vendor
    # severity and the worker no longer asks.
    assert classifier.asked == [None]
