"""The neutral vocabulary is one list: the docs show it, the actions and the engine use it."""

from __future__ import annotations

from pathlib import Path

from sla_bridge import actions, neutral
from sla_bridge.engine import _escalation, _lifecycle
from sla_bridge.policy._workflow import Clocks
from sla_bridge.tickets import Ticket

DOCS = Path(__file__).parents[1] / "docs" / "workflows.md"


def test_docs_workflows_lists_the_neutral_names_as_the_code_has_them() -> None:
    assert neutral.markdown_table() in DOCS.read_text(), (
        "docs/workflows.md is out of step with sla_bridge.neutral: paste "
        "`python -c 'from sla_bridge.neutral import markdown_table; print(markdown_table())'`")


def test_every_attribute_is_an_attribute_of_the_neutral_ticket() -> None:
    assert set(neutral.TOP_LEVEL_FIELDS) <= set(Ticket.model_fields)
    assert actions.TOP_LEVEL_FIELDS is neutral.TOP_LEVEL_FIELDS


def test_the_engine_uses_the_neutral_tags() -> None:
    assert _escalation.REQUESTED_TAG == neutral.ESCALATION_REQUESTED_TAG
    assert _lifecycle.SURVEY_TAG == neutral.SURVEY_TAG
    assert (Clocks().on_warning.tag, Clocks().on_breach.tag) == (neutral.WARNING_TAG,
                                                                neutral.BREACHED_TAG)
    names = {n.name for n in neutral.TAGS}
    assert {actions.APPROVAL_REQUESTED_TAG, _escalation.APPROVED_TAG, _escalation.DECLINED_TAG,
            _escalation.SEVERITY_ACCEPTED_TAG} <= names
