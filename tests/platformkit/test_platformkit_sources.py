"""The field mapping's sources: a plugin's kinds parsed from its variables, the first writable
one found, an unmapped attribute looked for where the plugin says, and a bad source refused
at the variable that names it, with the forms to use."""

from __future__ import annotations

from typing import ClassVar

import pytest

from sla_bridge.platformkit import (
    PlatformSettings,
    Source,
    SourceMap,
    SourceSyntax,
    field_title,
    platform_settings_config,
    prefixed_tags,
    prefixed_value,
    tag_text,
)
from sla_bridge.settings import SettingsError


class AcmeSource(Source):
    writable_kinds = frozenset({"priority", "field"})


ACME_SOURCES = SourceSyntax(AcmeSource, {"priority": None, "none": None, "field": ".+",
                                         "org": r"[a-z_]+"},
                            usage="priority, field:<name>, org:<key> or none",
                            unmapped=lambda name: AcmeSource("field", field_title(name)))


class AcmeFieldMap(SourceMap[AcmeSource]):
    syntax = ACME_SOURCES

    plan: str = "org:support_plan, field:Support plan"
    request_type: str = "none"


class AcmeSettings(PlatformSettings):
    model_config = platform_settings_config("acme")
    platform_label: ClassVar[str] = "Acme"

    fields: AcmeFieldMap = AcmeFieldMap()


def test_a_mapping_is_its_sources_in_order_and_only_some_kinds_are_written() -> None:
    plan = AcmeFieldMap().sources("plan")
    assert plan == (AcmeSource("org", "support_plan"), AcmeSource("field", "Support plan"))
    assert [str(s) for s in plan] == ["org:support_plan", "field:Support plan"]
    assert [s.writable for s in plan] == [False, True]
    assert ACME_SOURCES.parse(" priority ,, none") == (AcmeSource("priority"),
                                                        AcmeSource("none"))
    assert ACME_SOURCES.parse("") == (AcmeSource("none"),)


def test_an_unmapped_attribute_is_looked_for_where_the_plugin_says() -> None:
    assert AcmeFieldMap().sources("sla_resolution_due") == (
        AcmeSource("field", "SLA resolution due"),)
    assert field_title("escalation_reason") == "Escalation reason"


@pytest.mark.parametrize("spec", ["field", "org:Not-A-Key", "tag:plan_", "priority:high"])
def test_a_bad_source_is_named_with_the_forms_to_use(spec: str) -> None:
    with pytest.raises(ValueError, match="is not a source; use priority, field:<name>, "
                       "org:<key> or none") as refused:
        ACME_SOURCES.parse(f"none, {spec}")
    assert repr(spec) in str(refused.value)


def test_a_mapping_without_its_syntax_is_refused_when_defined() -> None:
    with pytest.raises(TypeError, match="NoSyntax: set syntax = SourceSyntax"):
        class NoSyntax(SourceMap[AcmeSource]):
            plan: str = "none"


def test_a_bad_mapping_is_refused_at_its_own_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLA_BRIDGE_ACME__FIELDS__PLAN", "tag:plan_")
    with pytest.raises(SettingsError, match=r"SLA_BRIDGE_ACME__FIELDS__PLAN: .*'tag:plan_' "
                       "is not a source"):
        AcmeSettings.load()


def test_an_extra_mapping_is_kept_and_a_bad_one_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLA_BRIDGE_ACME__FIELDS__PRODUCT", "field:Product")
    assert AcmeSettings.load().fields.sources("product") == (AcmeSource("field", "Product"),)
    monkeypatch.setenv("SLA_BRIDGE_ACME__FIELDS__PRODUCT", "label:product_")
    with pytest.raises(SettingsError, match="product: 'label:product_' is not a source"):
        AcmeSettings.load()


def test_reading_takes_the_first_source_that_has_a_value() -> None:
    held = {"org:support_plan": "", "field:Support plan": "gold"}
    assert AcmeFieldMap().first_value("plan", lambda s: held.get(str(s))) == "gold"
    assert AcmeFieldMap().first_value("request_type", lambda s: held.get(str(s))) is None


def test_a_value_kept_in_a_prefixed_tag_reads_and_writes_back() -> None:
    tags = ["plan_silver", "plan_", "plan_gold", "urgent"]
    assert prefixed_value(tags, "plan_") == "gold"
    assert prefixed_value(["urgent"], "plan_") is None
    assert prefixed_tags(tags, "plan_", "Platinum Plus") == (
        "plan_platinum_plus", ["plan_", "plan_gold", "plan_silver"])
    assert prefixed_tags(tags, "plan_", "gold") == ("plan_gold", ["plan_", "plan_silver"])
    assert prefixed_tags(tags, "plan_", "") == (None, ["plan_", "plan_gold", "plan_silver"])
    assert tag_text("  Backup\tServer ") == "backup_server"
