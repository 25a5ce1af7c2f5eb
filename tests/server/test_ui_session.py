"""The dashboard's sign-in over real HTTP: the login form sets a signed, HttpOnly,
SameSite=Strict cookie, Secure unless the page came over plain HTTP on loopback
(SLA_BRIDGE_UI__COOKIE_SECURE); a bearer header works too; everything else is sent to the
form."""

from __future__ import annotations

import pytest
from dashboard_story import TOKEN
from server_helpers import StartBridge

# What a reverse proxy terminating TLS in front of the bridge sends (uvicorn trusts it from
# 127.0.0.1, FORWARDED_ALLOW_IPS's default).
BEHIND_TLS = {"Host": "support.acme.test", "X-Forwarded-Proto": "https"}
PLAIN_PUBLIC = {"Host": "support.acme.test"}


def _attributes(cookie: str) -> set[str]:
    return {part.strip().lower() for part in cookie.split(";")}


def test_pages_redirect_to_the_login_form_until_signed_in(start_bridge: StartBridge) -> None:
    bridge = start_bridge(admin_token=TOKEN)
    for path in ("/ui/", "/ui/compliance", "/ui/tickets/testdesk/1"):
        response = bridge.client.get(path)
        assert response.status_code == 303, path
        assert response.headers["location"].endswith("/ui/login")


def test_the_right_token_sets_a_strict_httponly_session_cookie(start_bridge: StartBridge) -> None:
    bridge = start_bridge(admin_token=TOKEN)
    response = bridge.client.post("/ui/login", data={"token": TOKEN})
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("sla_bridge_ui=")
    attributes = _attributes(cookie)
    assert {"httponly", "samesite=strict", "path=/ui"} <= attributes
    assert "secure" not in attributes  # plain HTTP on loopback: a local trial
    assert TOKEN not in cookie
    assert bridge.client.get("/ui/").status_code == 200  # httpx keeps the cookie


def test_a_wrong_token_is_refused_on_the_form(start_bridge: StartBridge) -> None:
    bridge = start_bridge(admin_token=TOKEN)
    response = bridge.client.post("/ui/login", data={"token": TOKEN + "x"})
    assert response.status_code == 401
    assert "not the admin token" in response.text
    assert "set-cookie" not in response.headers
    assert bridge.client.get("/ui/").status_code == 303


def test_a_forged_cookie_is_not_a_session(start_bridge: StartBridge) -> None:
    bridge = start_bridge(admin_token=TOKEN)
    bridge.client.cookies.set("sla_bridge_ui", "eyJhZG1pbiI6ICJ4In0=.forged.sig", path="/ui")
    assert bridge.client.get("/ui/").status_code == 303


def test_a_bearer_header_opens_the_pages_without_a_session(start_bridge: StartBridge) -> None:
    bridge = start_bridge(admin_token=TOKEN)
    response = bridge.client.get("/ui/", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    assert "Breached" in response.text


def test_signing_out_ends_the_session(start_bridge: StartBridge) -> None:
    bridge = start_bridge(admin_token=TOKEN)
    bridge.client.post("/ui/login", data={"token": TOKEN})
    assert bridge.client.post("/ui/logout").status_code == 303
    assert bridge.client.get("/ui/").status_code == 303


def test_without_an_admin_token_the_dashboard_says_how_to_enable_it(
        start_bridge: StartBridge) -> None:
    bridge = start_bridge()
    response = bridge.client.get("/ui/login")
    assert response.status_code == 404
    assert "SLA_BRIDGE_ADMIN_TOKEN" in response.text


def test_a_ticket_id_is_shown_escaped_and_an_impossible_one_is_404(
        start_bridge: StartBridge) -> None:
    bridge = start_bridge(admin_token=TOKEN)
    bearer = {"Authorization": f"Bearer {TOKEN}"}
    response = bridge.client.get("/ui/tickets/testdesk/<script>alert(1)</script>",
                                 headers=bearer)
    assert response.status_code == 404
    assert "<script>alert(1)" not in response.text
    assert "&lt;script&gt;alert(1)" in response.text
    assert bridge.client.get("/ui/tickets/testdesk/1%00", headers=bearer).status_code == 404


def test_behind_a_tls_proxy_the_cookie_is_secure_by_default(start_bridge: StartBridge) -> None:
    bridge = start_bridge(admin_token=TOKEN)
    response = bridge.client.post("/ui/login", data={"token": TOKEN}, headers=BEHIND_TLS)
    assert response.status_code == 303
    assert {"secure", "httponly", "samesite=strict"} <= _attributes(
        response.headers["set-cookie"])


def test_a_sign_in_over_plain_http_on_a_public_name_is_refused_saying_why(
        start_bridge: StartBridge) -> None:
    bridge = start_bridge(admin_token=TOKEN)
    response = bridge.client.post("/ui/login", data={"token": TOKEN}, headers=PLAIN_PUBLIC)
    assert response.status_code == 400
    assert "set-cookie" not in response.headers
    message = " ".join(response.text.split())
    assert "plain HTTP" in message
    assert "SLA_BRIDGE_UI__COOKIE_SECURE=auto" in message
    assert "X-Forwarded-Proto: https" in message


@pytest.mark.parametrize(("setting", "headers", "status", "secure"), [
    ("true", {}, 400, None),  # always Secure: even a loopback sign-in needs HTTPS
    ("true", BEHIND_TLS, 303, True),
    ("false", PLAIN_PUBLIC, 303, False),
    ("false", BEHIND_TLS, 303, False),
], ids=["true-loopback", "true-tls", "false-plain", "false-tls"])
def test_the_setting_forces_the_secure_attribute_either_way(
        start_bridge: StartBridge, monkeypatch: pytest.MonkeyPatch, setting: str,
        headers: dict[str, str], status: int, secure: bool | None) -> None:
    monkeypatch.setenv("SLA_BRIDGE_UI__COOKIE_SECURE", setting)
    bridge = start_bridge(admin_token=TOKEN)
    response = bridge.client.post("/ui/login", data={"token": TOKEN}, headers=headers)
    assert response.status_code == status
    if secure is None:
        assert f"SLA_BRIDGE_UI__COOKIE_SECURE={setting}" in " ".join(response.text.split())
    else:
        assert ("secure" in _attributes(response.headers["set-cookie"])) is secure
