"""``sla-bridge salesforce setup``: writes a deployable metadata package naming every field the
mapping names, the Outbound Messages to the bridge and the Flows sending them; a second run
writes nothing; a dry run writes nothing at all; missing fields and queues are named."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import click
import pytest
from lxml import etree
from salesforce_setup_testing import (
    BRIDGE,
    OUT,
    POLICY_GROUPS,
    configure,
    custom_fields,
    env_value,
    members,
    setup,
    steps,
    texts,
    xml,
)

from sla_bridge.cli import build_cli
from sla_bridge.platforms import Unauthorized, WebhookRequest
from sla_bridge.plugin import PluginHost
from sla_bridge.settings import load_settings
from sla_bridge.testing import VirtualClock, WebhookReceiver
from sla_bridge_salesforce.platform import SalesforcePlatform
from sla_bridge_salesforce.sandbox import Sandbox
from sla_bridge_salesforce.settings import SalesforceSettings

SECRET = "SLA_BRIDGE_SALESFORCE__ENDPOINT_SECRET"
#: The custom fields the default mapping names (FieldMap, TAGS_FIELD, APPROVAL_FLAG_FIELD,
#: FOLLOW_UP_KEY_FIELD), by object.
MAPPED = {
    "Case": {"SLA_Vendor_Severity__c", "SLA_Product__c", "SLA_Version__c",
             "SLA_First_Response_Due__c", "SLA_Next_Update_Due__c",
             "SLA_Escalation_Reason__c", "SLA_Escalation_Severity__c",
             "SLA_Escalation_Contact__c", "SLA_Escalation_Decision__c",
             "SLA_Escalation_Decision_Reason__c", "SLA_Tags__c",
             "SLA_Approval_Requested__c", "SLA_Bridge_Key__c"},
    "Account": {"SLA_Support_Plan__c", "SLA_Support_Location__c"},
    "Contact": {"SLA_Registered_Admin__c"},
}
PACKAGE_FILES = {"package.xml", "objects/Case.object", "objects/Account.object",
                 "objects/Contact.object",
                 "permissionsets/SLA_Bridge.permissionset",
                 *(f"workflows/{o}.workflow" for o in ("Case", "CaseComment", "EmailMessage")),
                 *(f"flows/SLA_Bridge_{o}.flow" for o in ("Case", "CaseComment", "EmailMessage"))}


#: The Metadata API WSDL's types the package uses, trimmed (sources in the file).
SCHEMA = Path(__file__).parents[1] / "specs" / "metadata-api" / "package-subset.xsd"


@pytest.fixture
def configured(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    """The sandbox with the plugin pointed at it and the policy's queues."""
    configure(sandbox, monkeypatch)
    for group in POLICY_GROUPS:
        sandbox.add_queue(group)
    return sandbox


def package_files(out: Path = OUT) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in out.rglob("*") if p.is_file()}


def endpoint(out: Path = OUT, object_name: str = "Case") -> str:
    [url] = texts(xml(out / "workflows" / f"{object_name}.workflow"),
                  "outboundMessages/endpointUrl")
    return url


def test_setup_writes_a_package_naming_every_mapped_field(configured: Sandbox,
                                                           tmp_path: Path) -> None:
    result = setup()
    assert result.exit_code == 0, result.output
    assert set(package_files()) == PACKAGE_FILES  # each parses as metadata XML below
    listed = members()
    assert set(listed["CustomField"]) == {f"{o}.{f}" for o, names in MAPPED.items()
                                          for f in names}
    assert listed["WorkflowOutboundMessage"] == ["Case.SLA_Bridge", "CaseComment.SLA_Bridge",
                                                 "EmailMessage.SLA_Bridge"]
    assert listed["Flow"] == ["SLA_Bridge_Case", "SLA_Bridge_CaseComment",
                              "SLA_Bridge_EmailMessage"]
    assert texts(xml(OUT / "package.xml"), "version") == [configured.api_version]
    for object_name, names in MAPPED.items():
        assert set(custom_fields(OUT, object_name)) == names
    key = custom_fields(OUT, "Case")["SLA_Bridge_Key__c"]
    assert (key["externalId"], key["unique"], key["type"]) == ("true", "true", "Text")
    assert custom_fields(OUT, "Case")["SLA_Approval_Requested__c"]["type"] == "Checkbox"
    assert custom_fields(OUT, "Contact")["SLA_Registered_Admin__c"]["type"] == "Checkbox"
    granted = texts(xml(OUT / "permissionsets/SLA_Bridge.permissionset"),
                    "fieldPermissions/field")
    assert set(granted) == set(listed["CustomField"])
    assert f"sf project deploy start --metadata-dir {OUT}" in result.output
    assert "sf org assign permset --name SLA_Bridge --on-behalf-of sla-bridge@sandbox.test" in (
        result.output)


def test_every_file_is_in_the_metadata_apis_shape(configured: Sandbox,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLA_BRIDGE_SALESFORCE__FIELDS__PRODUCT", "case:Product_Line__c")
    assert setup().exit_code == 0
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    for path in sorted(OUT.rglob("*.*")):
        document = etree.parse(str(path), parser)
        assert schema.validate(document), f"{path}: {schema.error_log}"


def test_the_outbound_message_calls_the_bridge_with_the_secret_it_wrote_to_env(
        configured: Sandbox, tmp_path: Path) -> None:
    result = setup()
    secret = env_value(tmp_path / ".env", SECRET)
    assert endpoint() == f"{BRIDGE}/webhooks/salesforce?secret={secret}"
    assert secret not in result.output
    assert f"?secret=<{SECRET}>" in result.output
    flow = xml(OUT / "flows/SLA_Bridge_Case.flow")
    assert texts(flow, "start/object") == ["Case"]
    assert texts(flow, "start/triggerType") == ["RecordAfterSave"]
    assert texts(flow, "actionCalls/actionName") == ["Case.SLA_Bridge"]
    [user] = texts(xml(OUT / "workflows/Case.workflow"), "outboundMessages/integrationUser")
    assert user == "sla-bridge@sandbox.test"


def test_the_bridge_accepts_what_the_outbound_message_setup_wrote_sends(
        configured: Sandbox, clock: VirtualClock) -> None:
    with WebhookReceiver(clock) as bridge:
        assert setup().exit_code == 0
        url = endpoint()
        fields = texts(xml(OUT / "workflows/Case.workflow"), "outboundMessages/fields")
        # The sandbox sends the message as Salesforce would once the package is deployed.
        configured.add_outbound_message(bridge.url, fields=[f for f in fields if f != "Id"])
        contact = configured.add_contact("Grace Hopper", "grace@gold.test")
        case = configured.open_case(contact["Id"], "Restore fails")
        configured.deliver_outbound()
        [sent] = bridge.wait_for(1)
    # The bridge reads the secret setup wrote to .env, as `sla-bridge serve` would.
    platform = SalesforcePlatform(SalesforceSettings.load(), clock)
    try:
        request = WebhookRequest(headers=sent.headers, body=sent.body,
                                 received_at=sent.received_at,
                                 query=dict(parse_qsl(urlsplit(url).query)))
        [event] = platform.parse_webhook(request)
        assert event.ref.ticket_id == case["Id"]
        with pytest.raises(Unauthorized):  # the same message without the secret
            platform.parse_webhook(WebhookRequest(headers=sent.headers, body=sent.body,
                                                  received_at=sent.received_at))
    finally:
        platform.close()


def test_running_setup_twice_writes_nothing_the_second_time(configured: Sandbox) -> None:
    assert setup().exit_code == 0
    first = package_files()
    second = setup()
    assert second.exit_code == 0, second.output
    assert package_files() == first
    assert "Nothing to change." in second.output
    actions = {line.split()[0] for line in steps(second.output)}
    assert actions <= {"unchanged"}, second.output


def test_dry_run_prints_the_plan_and_writes_nothing(configured: Sandbox,
                                                    tmp_path: Path) -> None:
    result = setup("--dry-run")
    assert result.exit_code == 0, result.output
    assert not OUT.exists()
    assert not (tmp_path / ".env").exists()
    assert "(dry run)" in result.output
    assert "create     file 'workflows/Case.workflow': Outbound Message Case.SLA_Bridge" in (
        result.output)
    assert f"create     endpoint secret '{SECRET}'" in result.output
    assert "nothing was changed (dry run)" in result.output


def test_a_field_the_org_lacks_is_named_and_in_the_package(
        configured: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLA_BRIDGE_SALESFORCE__FIELDS__PRODUCT", "case:Product_Line__c")
    result = setup()
    assert result.exit_code == 0, result.output
    [line] = [x for x in steps(result.output) if "field 'Case.Product_Line__c'" in x]
    assert line == ("note       field 'Case.Product_Line__c': missing (named by "
                    "SLA_BRIDGE_SALESFORCE__FIELDS__PRODUCT): deploying the package "
                    "`sla-bridge salesforce setup` writes creates it")
    assert custom_fields(OUT, "Case")["Product_Line__c"]["type"] == "Text"
    assert "Case.Product_Line__c" in members()["CustomField"]


def test_a_follow_up_key_without_external_id_is_named_and_flagged_by_the_package(
        configured: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    configured.add_field("Case", "Legacy_Key__c")
    monkeypatch.setenv("SLA_BRIDGE_SALESFORCE__FOLLOW_UP_KEY_FIELD", "Legacy_Key__c")
    result = setup()
    [line] = [x for x in steps(result.output) if "'Case.Legacy_Key__c'" in x]
    assert line.startswith("note       field 'Case.Legacy_Key__c': is not flagged External ID")
    assert custom_fields(OUT, "Case")["Legacy_Key__c"]["externalId"] == "true"


def test_a_missing_queue_is_named_with_where_to_create_it(sandbox: Sandbox,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    configure(sandbox, monkeypatch)
    sandbox.add_queue("Senior Customer Champions")
    result = setup()
    assert result.exit_code == 0, result.output
    lines = steps(result.output)
    assert any(x.startswith("note       queue 'Customer Champion managers': missing: create it "
                            "in Setup > Users > Queues") for x in lines), result.output
    assert any(x.startswith("unchanged  queue 'Senior Customer Champions': 00G")
               for x in lines), result.output


def test_a_new_bridge_url_updates_the_outbound_messages(configured: Sandbox) -> None:
    setup()
    result = setup("--bridge-url", "https://new-bridge.example.test")
    assert "update     file 'workflows/Case.workflow'" in result.output
    assert "unchanged  file 'objects/Case.object'" in result.output
    assert endpoint().startswith("https://new-bridge.example.test/webhooks/salesforce?secret=")


def test_a_configured_endpoint_secret_is_used_and_not_written(
        configured: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(SECRET, "an/endpoint secret")
    result = setup()
    assert endpoint() == f"{BRIDGE}/webhooks/salesforce?secret=an%2Fendpoint%20secret"
    assert not (tmp_path / ".env").exists()
    assert f"unchanged  endpoint secret '{SECRET}': set" in result.output
    assert "an/endpoint secret" not in result.output


def test_show_secret_prints_the_made_up_secret_instead_of_writing_it(
        configured: Sandbox, tmp_path: Path) -> None:
    result = setup("--show-secret")
    assert not (tmp_path / ".env").exists()
    [line] = [x for x in result.output.splitlines() if x.startswith(f"export {SECRET}=")]
    assert endpoint().endswith("?secret=" + line.split("=", 1)[1])


def test_the_commands_are_part_of_sla_bridge(configured: Sandbox) -> None:
    group = build_cli(PluginHost.from_settings(load_settings())).commands["salesforce"]
    assert isinstance(group, click.Group)
    assert {"setup", "check", "sandbox"} <= set(group.commands)


def test_once_the_fields_are_deployed_setup_stays_unchanged(
        configured: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLA_BRIDGE_SALESFORCE__FIELDS__PRODUCT", "case:Product_Line__c")
    setup()
    declared = custom_fields(OUT, "Case")["Product_Line__c"]
    # What deploying the package does to the org: the field exists, as declared.
    configured.add_field("Case", "Product_Line__c", "string", length=int(declared["length"]))
    second = setup()
    assert "Nothing to change." in second.output, second.output
    assert "unchanged  field 'Case.Product_Line__c': string" in second.output


def test_a_field_no_longer_mapped_leaves_the_package(
        configured: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    setup()
    monkeypatch.setenv("SLA_BRIDGE_SALESFORCE__FIELDS__PLAN", "entitlement:Name")
    monkeypatch.setenv("SLA_BRIDGE_SALESFORCE__FIELDS__LOCATION", "none")
    result = setup()
    assert "delete     file 'objects/Account.object': no longer in the package" in result.output
    assert not (OUT / "objects/Account.object").exists()
    assert not [m for m in members()["CustomField"] if m.startswith("Account.")]
    assert "unchanged  field 'Entitlement.Name': string" in result.output


def test_without_an_endpoint_secret_the_url_carries_none(configured: Sandbox,
                                                         tmp_path: Path) -> None:
    result = setup("--no-endpoint-secret")
    assert endpoint() == f"{BRIDGE}/webhooks/salesforce"
    assert not (tmp_path / ".env").exists()
    assert f"note       endpoint secret '{SECRET}': none" in result.output


def test_an_api_version_the_org_does_not_serve_is_named_and_nothing_fails(
        configured: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLA_BRIDGE_SALESFORCE__API_VERSION", "20.0")
    result = setup()
    assert result.exit_code == 0, result.output
    assert ("note       API version '20.0': not served by this org (newest: 66.0): set "
            "SLA_BRIDGE_SALESFORCE__API_VERSION to one it serves") in result.output
