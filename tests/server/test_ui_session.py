"""The dashboard's sign-in over real HTTP: the login form sets a signed, HttpOnly,
SameSite=Strict cookie; a bearer header works too; everything else is sent to the form."""

from __future__ import annotations

from dashboard_story import TOKEN
from server_helpers import StartBridge


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
    attributes = {part.strip().lower() for part in cookie.split(";")}
    assert {"httponly", "samesite=strict", "path=/ui"} <= attributes
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
