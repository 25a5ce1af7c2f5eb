"""Logging in: the OAuth 2.0 token endpoint (JWT bearer, username-password) and the SOAP
``login`` call, each answering a session for the REST API.

- ``POST /services/oauth2/token`` with ``grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer``
  and an RS256 ``assertion`` (``iss`` the connected app's consumer key, ``sub`` the
  username, ``aud`` the login host, ``exp`` within minutes), checked with the certificate
  uploaded to the connected app
  (https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_jwt_flow.htm&type=5);
  or ``grant_type=password`` (``client_id``, ``client_secret``, ``username``, ``password`` =
  password + security token). Answers ``{"access_token", "instance_url", "id",
  "token_type", "issued_at"}`` or 400 ``{"error": "invalid_grant", ...}``.
- ``POST /services/Soap/u/{version}``: the partner API's ``login(username, password)``
  (password + security token), answering ``sessionId`` and ``serverUrl``
  (https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_login.htm).
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

import jwt
from defusedxml import ElementTree  # type: ignore[import-untyped]
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sla_bridge.sandbox import json_response

from ._http import Call, endpoint, org_of

_SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
_PARTNER = "urn:partner.soap.sforce.com"


def _instance(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _refused(description: str = "authentication failure") -> Response:
    return json_response({"error": "invalid_grant", "error_description": description}, 400)


async def token(request: Request) -> Response:
    """``POST /services/oauth2/token``."""
    org = org_of(request)
    # A form body (parsed here: Starlette's form parser needs python-multipart).
    form = {k: v[0] for k, v in parse_qs((await request.body()).decode("utf-8", "replace"),
                                         keep_blank_values=True).items()}
    grant = form.get("grant_type", "")
    user_id: str | None = None
    if grant == "urn:ietf:params:oauth:grant-type:jwt-bearer":
        user_id = org.user_for_assertion(form.get("assertion", ""))
    elif grant == "password":
        app_ok = org.check_client(form.get("client_id", ""), form.get("client_secret", ""))
        user_id = org.check_password(form.get("username", ""),
                                     form.get("password", "")) if app_ok else None
    else:
        return json_response({"error": "unsupported_grant_type",
                              "error_description": "grant type not supported"}, 400)
    if user_id is None:
        return _refused()
    issued = str(int(time.time() * 1000))
    body: dict[str, Any] = {
        "access_token": org.issue_token(user_id), "instance_url": _instance(request),
        "id": f"{_instance(request)}/id/{org.organization_id}/{user_id}",
        "token_type": "Bearer", "issued_at": issued, "scope": "api"}
    return json_response(body)


def _soap_fault(code: str, message: str) -> Response:
    body = (f'<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv='
            f'"{_SOAP_ENV}" xmlns:sf="urn:fault.partner.soap.sforce.com"><soapenv:Body>'
            f'<soapenv:Fault><faultcode>sf:{code}</faultcode><faultstring>{escape(message)}'
            f'</faultstring><detail><sf:LoginFault><sf:exceptionCode>{code}'
            f'</sf:exceptionCode><sf:exceptionMessage>{escape(message)}'
            f'</sf:exceptionMessage></sf:LoginFault></detail></soapenv:Fault>'
            f'</soapenv:Body></soapenv:Envelope>')
    return Response(body, 500, media_type="text/xml")


async def soap_login(request: Request) -> Response:
    """``POST /services/Soap/u/{version}`` with a ``login`` call."""
    org = org_of(request)
    try:
        root = ElementTree.fromstring(await request.body())
    except Exception:  # defusedxml's refusals and parse errors alike
        return _soap_fault("INVALID_LOGIN", "the login request is not a SOAP envelope")
    username = root.findtext(f".//{{{_PARTNER}}}username") or ""
    password = root.findtext(f".//{{{_PARTNER}}}password") or ""
    user_id = org.check_password(username, password)
    if user_id is None:
        return _soap_fault("INVALID_LOGIN",
                           "INVALID_LOGIN: Invalid username, password, security token; or"
                           " user locked out.")
    version = request.path_params["version"]
    server = f"{_instance(request)}/services/Soap/u/{version}/{org.organization_id[:15]}"
    body = (f'<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv='
            f'"{_SOAP_ENV}" xmlns="{_PARTNER}"><soapenv:Body><loginResponse><result>'
            f'<metadataServerUrl>{server}</metadataServerUrl>'
            f'<passwordExpired>false</passwordExpired><sandbox>true</sandbox>'
            f'<serverUrl>{server}</serverUrl><sessionId>{org.issue_token(user_id)}'
            f'</sessionId><userId>{user_id}</userId><userInfo><organizationId>'
            f'{org.organization_id}</organizationId><userId>{user_id}</userId></userInfo>'
            f'</result></loginResponse></soapenv:Body></soapenv:Envelope>')
    return Response(body, 200, media_type="text/xml")


def verify_assertion(assertion: str, public_keys: dict[str, str],
                     audiences: list[str]) -> tuple[str, str] | None:
    """``(consumer key, username)`` of a valid JWT bearer assertion, or ``None``."""
    try:
        claims = jwt.decode(assertion, options={"verify_signature": False})
        key = public_keys.get(str(claims.get("iss")))
        if key is None:
            return None
        checked = jwt.decode(assertion, key, algorithms=["RS256"], audience=audiences,
                             options={"require": ["exp", "iss", "sub", "aud"]})
    except jwt.PyJWTError:
        return None
    return str(checked["iss"]), str(checked["sub"])


async def userinfo(request: Request, call: Call) -> Response:
    """``GET /services/oauth2/userinfo``: who the token is
    (https://help.salesforce.com/s/articleView?id=sf.remoteaccess_using_userinfo_endpoint.htm&type=5)."""
    user = call.org.store.get("User", call.user_id)
    return json_response({"sub": f"{_instance(request)}/id/{call.org.organization_id}/"
                                 f"{user['Id']}", "user_id": user["Id"],
                          "organization_id": call.org.organization_id,
                          "preferred_username": user["Username"], "name": user["Name"],
                          "email": user["Email"], "user_type": user["UserType"].upper()})


ROUTES = [
    Route("/services/oauth2/token", token, methods=["POST"]),
    Route("/services/oauth2/userinfo", endpoint(userinfo, versioned=False), methods=["GET"]),
    Route("/services/Soap/u/{version}", soap_login, methods=["POST"]),
]
