"""The OpenAPI checker of sla_bridge.testing: requests and answers against an OpenAPI 3.0
document, its relaxations, the request-log check, and trimming a document."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from sla_bridge.testing import OpenApiChecker, log_problems, trim_document

TICKET = {
    "type": "object", "required": ["id", "status"],
    "properties": {
        "id": {"type": "integer"},
        "status": {"type": "string", "enum": ["open", "closed"]},
        "assignee": {"type": "string", "nullable": True},
        "group": {"type": "string"},
        "fields": {"type": "array", "items": {"$ref": "#/components/schemas/Definition"}},
        "score": {"type": "number", "minimum": 0, "exclusiveMinimum": True},
        "example": {"type": "string"},  # a property that happens to be named "example"
    },
    "example": {"id": 1, "status": "open"},
}
DOCUMENT: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "Acme desk", "version": "1"},
    "servers": [{"url": "https://{tenant}.acme.test/rest/v1"}],
    "security": [{"basic": []}],
    "tags": [{"name": "Tickets"}, {"name": "Unused"}],
    "paths": {
        "/tickets": {"get": {
            "tags": ["Tickets"],
            "parameters": [{"name": "status", "in": "query",
                            "schema": {"type": "string", "enum": ["open", "closed"]}},
                           {"name": "ids", "in": "query", "explode": False,
                            "schema": {"type": "array", "items": {"type": "integer"}}}],
            "responses": {"200": {"description": "ok", "content": {"application/json": {
                "schema": {"type": "object", "required": ["tickets"], "properties": {
                    "tickets": {"type": "array",
                                "items": {"$ref": "#/components/schemas/Ticket"}}}}}}}}}},
        "/tickets/count": {"get": {"responses": {"200": {"description": "ok", "content": {
            "application/json": {"schema": {"type": "object", "required": ["count"],
                                            "properties": {"count": {"type": "integer"}}}}}}}}},
        "/tickets/{ticket_id}": {
            "parameters": [{"$ref": "#/components/parameters/TicketId"}],
            "get": {"responses": {"200": {"$ref": "#/components/responses/OneTicket"}}},
            "put": {
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"type": "object", "properties": {
                        "ticket": {"$ref": "#/components/schemas/Ticket"}}},
                    "examples": {"default": {"$ref": "#/components/examples/Put"}}}}},
                "responses": {"200": {"$ref": "#/components/responses/OneTicket"},
                              "422": {"description": "invalid", "content": {
                                  "application/json": {"schema": {
                                      "$ref": "#/components/schemas/Error"}}}}}},
            "delete": {"responses": {"204": {"description": "gone"}}}},
        "/tickets/{ticket_id}/tags": {"put": {"responses": {"200": {"description": "ok"}}}},
        "/search": {"get": {
            "parameters": [{"name": "query", "in": "query", "required": True,
                            "schema": {"type": "string"}}],
            "responses": {"200": {"description": "ok"}}}},
    },
    "components": {
        "schemas": {
            "Ticket": TICKET,
            "Definition": {"type": "object", "required": ["key", "title"],
                           "properties": {"key": {"type": "string"},
                                          "title": {"type": "string"}}},
            "Error": {"type": "object", "required": ["error"],
                      "properties": {"error": {"type": "string"}}},
            "Unused": {"type": "object"},
        },
        "parameters": {"TicketId": {"name": "ticket_id", "in": "path", "required": True,
                                    "schema": {"type": "integer"}}},
        "responses": {"OneTicket": {"description": "a ticket", "content": {
            "application/json": {"schema": {"type": "object", "required": ["ticket"],
                                            "properties": {"ticket": {
                                                "$ref": "#/components/schemas/Ticket"}}}}}}},
        "examples": {"Put": {"value": {"ticket": {"id": 1}}}},
        "securitySchemes": {"basic": {"type": "http", "scheme": "basic"},
                            "oauth": {"type": "oauth2"}},
    },
}
GOOD_TICKET = {"id": 7, "status": "open", "assignee": None, "fields": []}


@pytest.fixture(scope="module")
def checker() -> OpenApiChecker:
    return OpenApiChecker(DOCUMENT)


# -- requests ----------------------------------------------------------------------------


def test_a_request_with_a_wrong_type_is_reported_with_its_path(checker: OpenApiChecker) -> None:
    problems = checker.request_problems("PUT", "/rest/v1/tickets/7", "", {"ticket": {
        "id": "seven", "status": "open"}})
    assert problems == ["PUT /tickets/{ticket_id}: request body/ticket/id: "
                        "'seven' is not of type 'integer'"]
    assert checker.request_problems("PUT", "/rest/v1/tickets/7", "",
                                    {"ticket": GOOD_TICKET}) == []


def test_path_and_query_parameters_are_read_as_their_types(checker: OpenApiChecker) -> None:
    assert checker.request_problems("GET", "/rest/v1/tickets", "status=open&ids=1,2") == []
    problems = checker.request_problems("GET", "/rest/v1/tickets", "status=pending&ids=1,x")
    assert "GET /tickets: request query/status: 'pending' is not one of ['open', 'closed']" in (
        problems)
    assert "GET /tickets: request query/ids/1: 'x' is not of type 'integer'" in problems
    assert checker.request_problems("GET", "/rest/v1/tickets/seven") == [
        "GET /tickets/{ticket_id}: request path/ticket_id: 'seven' is not of type 'integer'"]


def test_unknown_and_missing_query_parameters_are_reported(checker: OpenApiChecker) -> None:
    assert checker.request_problems("GET", "/rest/v1/tickets", "colour=red") == [
        "GET /tickets: request query/colour: not a parameter of this operation"]
    assert checker.request_problems("GET", "/rest/v1/search") == [
        "GET /search: request query/query: required"]


def test_a_body_the_operation_does_not_take_and_a_missing_one(checker: OpenApiChecker) -> None:
    assert checker.request_problems("PUT", "/rest/v1/tickets/7/tags", "", {"tags": []}) == [
        "PUT /tickets/{ticket_id}/tags: request body: the operation takes no body"]
    assert checker.request_problems("PUT", "/rest/v1/tickets/7") == [
        "PUT /tickets/{ticket_id}: request body: required"]


def test_an_operation_the_document_does_not_have(checker: OpenApiChecker) -> None:
    assert checker.operation("GET", "/rest/v1/views") is None
    assert checker.operation("POST", "/rest/v1/tickets") is None
    assert checker.operation("GET", "/elsewhere/tickets") is None
    assert checker.request_problems("POST", "/rest/v1/tickets") == [
        "POST /rest/v1/tickets: no such operation in the document"]


def test_literal_segments_win_over_parameters(checker: OpenApiChecker) -> None:
    count = checker.operation("GET", "/rest/v1/tickets/count")
    one = checker.operation("GET", "/rest/v1/tickets/12")
    assert count is not None
    assert count.template == "/tickets/count"
    assert one is not None
    assert one.template == "/tickets/{ticket_id}"
    assert one.path_values == {"ticket_id": "12"}
    assert one.name == "GET /tickets/{ticket_id}"


def test_the_base_path_comes_from_the_server_url_or_is_given() -> None:
    assert OpenApiChecker(DOCUMENT).base_path == "/rest/v1"
    assert OpenApiChecker(DOCUMENT, base_path="/v2").operation("GET", "/v2/tickets")


# -- answers -----------------------------------------------------------------------------


def test_an_answer_missing_a_required_key_is_reported(checker: OpenApiChecker) -> None:
    problems = checker.response_problems("GET", "/rest/v1/tickets/7", 200,
                                         {"ticket": {"id": 7}})
    assert problems == ["GET /tickets/{ticket_id}: 200 body/ticket: "
                        "'status' is a required property"]
    assert checker.response_problems("GET", "/rest/v1/tickets/7", 200,
                                     {"ticket": GOOD_TICKET}) == []
    with pytest.raises(AssertionError, match="'tickets' is a required property"):
        checker.assert_response("GET", "/rest/v1/tickets", 200, {})


def test_nullable_and_boolean_exclusive_bounds_are_read_as_openapi_3_0(
        checker: OpenApiChecker) -> None:
    answer = {"ticket": {**GOOD_TICKET, "assignee": None, "score": 0}}
    assert checker.response_problems("GET", "/rest/v1/tickets/7", 200, answer) == [
        "GET /tickets/{ticket_id}: 200 body/ticket/score: 0 is less than or equal to the "
        "minimum of 0"]
    answer["ticket"]["score"] = 0.5
    assert checker.response_problems("GET", "/rest/v1/tickets/7", 200, answer) == []


def test_statuses_the_document_does_not_list(checker: OpenApiChecker) -> None:
    assert checker.response_problems("GET", "/rest/v1/tickets/7", 201, {}) == [
        "GET /tickets/{ticket_id}: status 201 is not documented (only 200)"]
    assert checker.response_problems("GET", "/rest/v1/tickets/7", 404, {"x": 1}) == []
    assert checker.response_problems("GET", "/rest/v1/tickets/7", 404, {},
                                     undocumented_errors=True)
    assert checker.response_problems("PUT", "/rest/v1/tickets/7", 422, {}) == [
        "PUT /tickets/{ticket_id}: 422 body: 'error' is a required property"]
    assert checker.response_problems("DELETE", "/rest/v1/tickets/7", 204, None) == []
    assert checker.response_problems("DELETE", "/rest/v1/tickets/7", 204, {"gone": 1}) == [
        "DELETE /tickets/{ticket_id}: 204 body: the document describes no JSON body"]


# -- relaxations -------------------------------------------------------------------------


def test_relaxations_are_given_by_the_platforms_tests() -> None:
    relaxed = OpenApiChecker(
        DOCUMENT,
        nullable={"Ticket": ["group"]},
        corrections={"#/components/schemas/Ticket/properties/fields/items": {
            "type": "object", "required": ["id"], "properties": {"id": {"type": "integer"},
                                                                 "value": {}}}},
        common_query={"page[size]": {"type": "integer"}},
        request_bodies={("PUT", "/tickets/{ticket_id}/tags"): {
            "type": "object", "required": ["tags"],
            "properties": {"tags": {"type": "array", "items": {"type": "string"}}}}})
    ticket = {**GOOD_TICKET, "group": None, "fields": [{"id": 1, "value": ["any", 1]}]}
    assert relaxed.request_problems("PUT", "/rest/v1/tickets/7", "page[size]=100",
                                    {"ticket": ticket}) == []
    assert relaxed.request_problems("GET", "/rest/v1/tickets", "page[size]=many") == [
        "GET /tickets: request query/page[size]: 'many' is not of type 'integer'"]
    assert relaxed.request_problems("PUT", "/rest/v1/tickets/7/tags", "", {"tags": ["a"]}) == []
    assert relaxed.request_problems("PUT", "/rest/v1/tickets/7/tags", "", {"tags": "a"}) == [
        "PUT /tickets/{ticket_id}/tags: request body/tags: 'a' is not of type 'array'"]
    strict = OpenApiChecker(DOCUMENT)
    assert strict.request_problems("PUT", "/rest/v1/tickets/7", "", {"ticket": ticket}) == [
        "PUT /tickets/{ticket_id}: request body/ticket/fields/0: 'key' is a required property",
        "PUT /tickets/{ticket_id}: request body/ticket/fields/0: "
        "'title' is a required property",
        "PUT /tickets/{ticket_id}: request body/ticket/group: None is not of type 'string'"]


@pytest.mark.parametrize("relaxation", [
    {"nullable": {"Nothing": ["x"]}},
    {"nullable": {"Ticket": ["nothing"]}},
    {"corrections": {"#/components/schemas/Ticket/properties/nothing": {}}},
    {"request_bodies": {("POST", "/tickets"): {}}},
])
def test_a_relaxation_naming_what_the_document_lacks_is_refused(
        relaxation: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=r"nothing|Nothing|POST /tickets"):
        OpenApiChecker(DOCUMENT, **relaxation)


# -- the request log ---------------------------------------------------------------------


def test_a_request_log_is_checked_by_the_document_that_has_each_operation(
        tmp_path: Path) -> None:
    other = {"openapi": "3.0.3", "info": {"title": "hooks", "version": "1"},
             "paths": {"/rest/v1/hooks": {"post": {"responses": {"201": {
                 "description": "made", "content": {"application/json": {"schema": {
                     "type": "object", "required": ["id"]}}}}}}}}}
    (tmp_path / "hooks.json").write_text(json.dumps(other))
    checkers = [OpenApiChecker.from_path(tmp_path / "hooks.json"), OpenApiChecker(DOCUMENT)]
    log = [
        {"method": "GET", "path": "/rest/v1/tickets/7", "query": "", "body": None,
         "status": 200, "fault": None, "response": {"ticket": GOOD_TICKET}},
        {"method": "POST", "path": "/rest/v1/hooks", "query": "", "body": None,
         "status": 201, "fault": None, "response": {}},
        {"method": "PUT", "path": "/rest/v1/tickets/7", "query": "", "body": {"ticket": 1},
         "status": 503, "fault": "503", "response": None},
        {"method": "GET", "path": "/_sandbox/requests", "query": "", "body": None,
         "status": 200, "fault": None},
        {"method": "GET", "path": "/rest/v1/views", "query": "", "body": None,
         "status": 404, "fault": None},
    ]
    problems = log_problems(log, checkers,
                            skip=lambda entry: entry["path"].startswith("/_sandbox/"))
    assert problems == ["POST /rest/v1/hooks: 201 body: 'id' is a required property",
                        "GET /rest/v1/views: no document describes it"]


# -- trimming ----------------------------------------------------------------------------


def test_trimming_keeps_the_operations_and_what_they_reference() -> None:
    trimmed = trim_document(DOCUMENT, {"/tickets/{ticket_id}": ["get", "put"]})
    assert list(trimmed["paths"]) == ["/tickets/{ticket_id}"]
    assert set(trimmed["paths"]["/tickets/{ticket_id}"]) == {"parameters", "get", "put"}
    assert trimmed["components"] == {
        "parameters": {"TicketId": DOCUMENT["components"]["parameters"]["TicketId"]},
        "responses": {"OneTicket": DOCUMENT["components"]["responses"]["OneTicket"]},
        "schemas": {"Definition": DOCUMENT["components"]["schemas"]["Definition"],
                    "Error": DOCUMENT["components"]["schemas"]["Error"],
                    "Ticket": {k: v for k, v in TICKET.items() if k != "example"}},
        "securitySchemes": {"basic": {"type": "http", "scheme": "basic"}},
    }
    assert "examples" not in json.dumps(trimmed["paths"])
    assert "example" in trimmed["components"]["schemas"]["Ticket"]["properties"]
    assert trimmed["tags"] == []
    assert trimmed["servers"] == DOCUMENT["servers"]
    checker = OpenApiChecker(trimmed)
    assert checker.request_problems("PUT", "/rest/v1/tickets/7", "",
                                    {"ticket": GOOD_TICKET}) == []


def test_trimming_an_operation_the_document_lacks_is_an_error() -> None:
    with pytest.raises(KeyError):
        trim_document(DOCUMENT, {"/tickets": ["post"]})
    with pytest.raises(KeyError):
        trim_document(DOCUMENT, {"/views": ["get"]})


def test_the_bridge_never_imports_the_checker() -> None:
    script = ("import sys\n"
              "from sla_bridge.cli import main\n"
              "import sla_bridge.sandbox, sla_bridge.server, sla_bridge.testing\n"
              "try:\n    main(['plugins'])\nexcept SystemExit:\n    pass\n"
              "loaded = [m for m in ('jsonschema', 'sla_bridge.testing._openapi')"
              " if m in sys.modules]\n"
              "print(loaded)\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=60, check=True)
    assert result.stdout.strip().splitlines()[-1] == "[]", result.stderr
