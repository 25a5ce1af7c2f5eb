"""``sla-bridge salesforce check`` passes on a configured org and names each problem (and what
to do) otherwise; when the org cannot be reached, its TLS does not verify, it refuses the
credentials or a setting is missing, check and setup end with one line naming the setting
(status 2), never a traceback, never the secret."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
import trustme
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from salesforce_setup_testing import POLICY_GROUPS, configure, run, setup

from sla_bridge_salesforce.sandbox import (
    BRIDGE_PASSWORD,
    BRIDGE_SECURITY_TOKEN,
    BRIDGE_USERNAME,
    Sandbox,
)

PREFIX = "SLA_BRIDGE_SALESFORCE__"


@pytest.fixture
def configured(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    """The sandbox with the plugin pointed at it and the policy's queues."""
    configure(sandbox, monkeypatch)
    for group in POLICY_GROUPS:
        sandbox.add_queue(group)
    return sandbox


def problems(output: str) -> list[str]:
    return [x.strip() for x in output.splitlines() if x.strip().startswith("PROBLEM")]


def test_check_passes_on_a_configured_org(configured: Sandbox) -> None:
    result = run("check")
    assert result.exit_code == 0, result.output
    assert problems(result.output) == []
    assert (f"ok         org '{configured.organization_id}': {configured.base_url} (matches "
            f"{PREFIX}ORGANIZATION_ID)") in result.output
    assert f"ok         user 'sla-bridge@sandbox.test': {configured.bridge_user_id}" in (
        result.output)
    assert f"ok         API version '{configured.api_version}': served" in result.output
    assert ("ok         field 'Case.SLA_Bridge_Key__c': string, External ID (named by "
            f"{PREFIX}FOLLOW_UP_KEY_FIELD)") in result.output
    assert "ok         queue 'Customer Champion managers': 00G" in result.output
    assert result.output.rstrip().endswith("All good.")
    assert configured.access_token not in result.output


def test_check_passes_with_password_credentials(configured: Sandbox,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PREFIX + "ACCESS_TOKEN")
    for name, value in (("USERNAME", BRIDGE_USERNAME), ("PASSWORD", BRIDGE_PASSWORD),
                        ("SECURITY_TOKEN", BRIDGE_SECURITY_TOKEN),
                        ("LOGIN_URL", configured.base_url)):
        monkeypatch.setenv(PREFIX + name, value)
    result = run("check")
    assert result.exit_code == 0, result.output
    assert "(password; the bridge's own writes are recognised by this id)" in result.output
    assert BRIDGE_PASSWORD not in result.output


def _key_file(path: Path) -> str:
    """A new RSA key written to ``path`` (PEM); its public half, PEM."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                       serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo
                                         ).decode()


@pytest.mark.parametrize("app_key", ["the same", "another"])
def test_jwt_bearer_credentials_are_checked(configured: Sandbox,
                                            monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                            app_key: str) -> None:
    public = _key_file(tmp_path / "bridge.key")
    if app_key == "another":
        public = _key_file(tmp_path / "other.key")
    configured.add_connected_app("bridge-app", public_key_pem=public)
    monkeypatch.delenv(PREFIX + "ACCESS_TOKEN")
    for name, value in (("USERNAME", BRIDGE_USERNAME), ("CLIENT_ID", "bridge-app"),
                        ("PRIVATE_KEY_FILE", str(tmp_path / "bridge.key")),
                        ("LOGIN_URL", configured.base_url)):
        monkeypatch.setenv(PREFIX + name, value)
    result = run("check")
    if app_key == "the same":
        assert result.exit_code == 0, result.output
        assert "(JWT bearer; the bridge's own writes are recognised by this id)" in (
            result.output)
        return
    assert result.exit_code == 2, result.output
    assert result.output.splitlines()[-1].startswith(
        "sla-bridge salesforce check: Salesforce refused the JWT bearer login (invalid_grant): "
        f"check {PREFIX}CLIENT_ID and {PREFIX}PRIVATE_KEY_FILE and {PREFIX}USERNAME")


def test_a_field_the_org_lacks_fails_the_check(configured: Sandbox,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PREFIX + "FIELDS__VERSION", "case:Product_Version__c")
    monkeypatch.setenv(PREFIX + "FIELDS__REQUEST_TYPE", "case:Kind")
    result = run("check")
    assert result.exit_code == 1, result.output
    assert problems(result.output) == [
        f"PROBLEM    field 'Case.Product_Version__c': missing (named by {PREFIX}FIELDS__VERSION)"
        ": deploying the package `sla-bridge salesforce setup` writes creates it",
        f"PROBLEM    field 'Case.Kind': missing (named by {PREFIX}FIELDS__REQUEST_TYPE): it "
        f"is not a custom field: check {PREFIX}FIELDS__REQUEST_TYPE"]
    assert "2 problem(s)" in result.output


def test_a_field_of_the_wrong_type_fails_the_check(configured: Sandbox,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    configured.add_field("Case", "Approval_Pending__c", "datetime")
    monkeypatch.setenv(PREFIX + "APPROVAL_FLAG_FIELD", "Approval_Pending__c")
    result = run("check")
    assert result.exit_code == 1, result.output
    assert problems(result.output) == [
        "PROBLEM    field 'Case.Approval_Pending__c': is a datetime field; the bridge needs "
        f"Checkbox (boolean) (named by {PREFIX}APPROVAL_FLAG_FIELD)"]


def test_a_missing_queue_fails_the_check(sandbox: Sandbox,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    configure(sandbox, monkeypatch)
    result = run("check")
    assert result.exit_code == 1, result.output
    assert sorted(p.split(":")[0] for p in problems(result.output)) == [
        "PROBLEM    queue 'Customer Champion managers'",
        "PROBLEM    queue 'Senior Customer Champions'"]


def test_another_org_id_fails_the_check_naming_the_one_to_set(
        configured: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PREFIX + "ORGANIZATION_ID", "00D000000000001AAA")
    result = run("check")
    assert result.exit_code == 1, result.output
    [problem] = problems(result.output)
    assert problem.startswith(f"PROBLEM    org '{configured.organization_id}': the "
                              f"credentials belong to org {configured.organization_id}, not "
                              f"{PREFIX}ORGANIZATION_ID=00D000000000001AAA")
    assert "refuse every Outbound Message (401)" in problem


def test_an_api_version_the_org_does_not_serve_fails_the_check(
        configured: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PREFIX + "API_VERSION", "20.0")
    result = run("check")
    assert result.exit_code == 1, result.output
    assert problems(result.output) == [
        f"PROBLEM    API version '20.0': not served by this org (newest: 66.0): set "
        f"{PREFIX}API_VERSION to one it serves"]


@pytest.mark.parametrize("command", ["check", "setup"])
def test_a_refused_token_is_one_line_naming_the_setting(
        configured: Sandbox, monkeypatch: pytest.MonkeyPatch, command: str) -> None:
    monkeypatch.setenv(PREFIX + "ACCESS_TOKEN", "00Dx!not-a-token-of-this-org")
    result = run("check") if command == "check" else setup()
    assert result.exit_code == 2, result.output
    assert result.output.splitlines()[-1] == (
        f"sla-bridge salesforce {command}: Salesforce refused the credentials (401): check "
        f"{PREFIX}ACCESS_TOKEN (an access token cannot be renewed: configure password or JWT "
        "credentials instead)")
    assert "not-a-token" not in result.output
    assert "Traceback" not in result.output


def test_a_refused_password_login_names_the_settings(
        configured: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PREFIX + "ACCESS_TOKEN")
    for name, value in (("USERNAME", BRIDGE_USERNAME), ("PASSWORD", "wrong password"),
                        ("SECURITY_TOKEN", BRIDGE_SECURITY_TOKEN),
                        ("LOGIN_URL", configured.base_url)):
        monkeypatch.setenv(PREFIX + name, value)
    result = run("check")
    assert result.exit_code == 2, result.output
    last = result.output.splitlines()[-1]
    assert last.startswith("sla-bridge salesforce check: Salesforce refused the password login")
    assert (f"check {PREFIX}USERNAME and {PREFIX}PASSWORD and {PREFIX}SECURITY_TOKEN, and "
            f"{PREFIX}LOGIN_URL ({configured.base_url})") in last
    assert "wrong password" not in result.output
    assert BRIDGE_SECURITY_TOKEN not in result.output


def test_a_certificate_another_ca_signed_names_the_ca_file(
        configured: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    other = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(other))
    monkeypatch.setenv(PREFIX + "CA_BUNDLE", str(other))
    result = run("check")
    assert result.exit_code == 2, result.output
    last = result.output.splitlines()[-1]
    assert last.startswith(f"sla-bridge salesforce check: TLS failure at {configured.base_url}:"
                           f" its certificate does not verify with the CA file {other} "
                           f"({PREFIX}CA_BUNDLE)")
    assert last.endswith("(unable to get local issuer certificate)")


def test_an_unreachable_instance_names_the_setting(
        configured: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    monkeypatch.setenv(PREFIX + "INSTANCE_URL", f"https://127.0.0.1:{port}")
    result = run("setup", "--bridge-url", "https://bridge.example.test")
    assert result.exit_code == 2, result.output
    last = result.output.splitlines()[-1]
    assert last.startswith(f"sla-bridge salesforce setup: cannot reach https://127.0.0.1:{port} (")
    assert last.endswith(f"): check {PREFIX}INSTANCE_URL")


def test_a_missing_setting_is_named(configured: Sandbox,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PREFIX + "ORGANIZATION_ID")
    result = run("check")
    assert result.exit_code == 2, result.output
    assert f"set {PREFIX}ORGANIZATION_ID" in result.output
    assert "Traceback" not in result.output


def test_without_credentials_check_ends_with_status_2_naming_them(
        configured: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ACCESS_TOKEN", "USERNAME", "PASSWORD", "SECURITY_TOKEN", "CLIENT_ID",
                 "PRIVATE_KEY_FILE"):
        monkeypatch.delenv(PREFIX + name, raising=False)
    result = run("check")
    assert result.exit_code == 2, result.output
    assert f"{PREFIX}ACCESS_TOKEN" in result.output
    assert "Traceback" not in result.output
