"""Check HTTP exchanges against a vendor's OpenAPI 3.0 document, for the tests of every
platform: the plugin's calls (method, path, query, JSON body, as a sandbox's request log
records them) and the sandbox's answers (status and JSON body).

::

    checker = OpenApiChecker.from_path(Path("specs/acme-openapi.json"),
                                       nullable={"TicketObject": ["assignee_id"]})
    checker.assert_request("PUT", "/api/v2/tickets/12", body={"ticket": {...}})
    checker.assert_response("GET", "/api/v2/tickets/12", 200, answer)
    assert not log_problems(sandbox.request_log(), [checker])

Where a vendor's document is narrower than what its API is documented (in prose) to send or
take, the relaxations are parameters, so that each is named where it is made: ``nullable``
(properties also sent as ``null``), ``corrections`` (schemas replaced by what the API
really takes or sends, ``{}`` for anything),
``common_query`` (query parameters every operation takes, pagination say) and
``request_bodies`` (bodies the document leaves out).

:func:`trim_document` keeps only some operations of a document and what they reference, to
vendor a small copy with the tests. Test-only: it needs ``jsonschema`` (the ``test`` extra),
and nothing the bridge runs imports it.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from jsonschema import Draft202012Validator  # type: ignore[import-untyped]
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

__all__ = ["OpenApiChecker", "Operation", "log_problems", "trim_document"]

_URN = "urn:sla-bridge:openapi"
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_JSON_MEDIA = re.compile(r"^application/([\w.+-]+\+)?json")


# -- JSON pointers -----------------------------------------------------------------------


def _pointer(*segments: str) -> str:
    return "".join("/" + s.replace("~", "~0").replace("/", "~1") for s in segments)


def _at(document: Any, pointer: str) -> Any:
    """The node ``pointer`` (``#/a/b`` or ``/a/b``) names; :class:`KeyError` if none."""
    node = document
    for raw in pointer.removeprefix("#").split("/")[1:]:
        segment = unquote(raw).replace("~1", "/").replace("~0", "~")
        try:
            node = node[int(segment)] if isinstance(node, list) else node[segment]
        except (KeyError, IndexError, ValueError, TypeError):
            raise KeyError(f"the document has nothing at {pointer}") from None
    return node


def _resolved(document: Mapping[str, Any], node: Any) -> Any:
    """``node``, or what its local ``$ref`` names (followed until it is no reference)."""
    seen = 0
    while isinstance(node, Mapping) and isinstance(node.get("$ref"), str) and seen < 32:
        node = _at(document, node["$ref"])
        seen += 1
    return node


# -- OpenAPI 3.0 schemas as JSON Schema ---------------------------------------------------


def _json_schema(node: Any) -> Any:
    """The document with its 3.0 dialect made JSON Schema 2020-12: ``nullable`` becomes a
    ``null`` type, boolean ``exclusiveMinimum``/``exclusiveMaximum`` become numbers."""
    if isinstance(node, list):
        return [_json_schema(v) for v in node]
    if not isinstance(node, dict):
        return node
    node = {k: _json_schema(v) for k, v in node.items()}
    for exclusive, bound in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        # A boolean is the 3.0 form: popped whatever its value, a true one takes the bound.
        if isinstance(node.get(exclusive), bool) and node.pop(exclusive) and bound in node:
            node[exclusive] = node.pop(bound)
    if isinstance(node.get("nullable"), bool) and node.pop("nullable"):
        node = _or_null(node)
    return node


def _or_null(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` that also takes ``null``."""
    if isinstance(schema.get("type"), str | list):
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        schema = {**schema, "type": [*types, "null"] if "null" not in types else types}
    elif any(k in schema for k in ("$ref", "allOf", "oneOf", "anyOf")):
        return {"anyOf": [schema, {"type": "null"}]}
    if isinstance(schema.get("enum"), list) and None not in schema["enum"]:
        schema = {**schema, "enum": [*schema["enum"], None]}
    return schema


@dataclass(frozen=True)
class Operation:
    """One operation of the document: its method, path template and definition."""

    method: str
    template: str
    definition: Mapping[str, Any]
    parameters: tuple[Mapping[str, Any], ...]
    path_values: Mapping[str, str]  # the request's path parameters

    @property
    def name(self) -> str:
        """``PUT /api/v2/tickets/{ticket_id}``."""
        return f"{self.method.upper()} {self.template}"


class OpenApiChecker:
    """Validates requests and answers against one OpenAPI 3.0 document.

    ``base_path`` is the prefix of the request paths that the document's paths leave out
    (by default the path of its first server's URL, e.g. ``/api/v2``). The relaxations
    (see the module's documentation): ``nullable`` maps a component schema's name (or a
    ``#/...`` pointer to a schema) to properties also sent as ``null``; ``corrections`` maps
    a ``#/...`` pointer to the JSON schema that replaces the document's there (``{}``: any
    value; ``$ref`` into the document allowed); ``common_query`` maps a query parameter every
    operation takes to its schema; ``request_bodies`` maps ``(method, template)`` to the
    JSON schema of a body the document leaves out (``$ref`` into the document allowed).
    A relaxation naming something the document does not have is a :class:`ValueError`.
    """

    def __init__(self, document: Mapping[str, Any], *, base_path: str | None = None,
                 nullable: Mapping[str, Iterable[str]] | None = None,
                 corrections: Mapping[str, Mapping[str, Any]] | None = None,
                 common_query: Mapping[str, Mapping[str, Any]] | None = None,
                 request_bodies: Mapping[tuple[str, str], Mapping[str, Any]] | None = None,
                 ) -> None:
        self.document: dict[str, Any] = _json_schema(copy.deepcopy(dict(document)))
        servers = self.document.get("servers") or [{}]
        self.base_path = (base_path if base_path is not None
                          else urlsplit(str(servers[0].get("url", ""))).path).rstrip("/")
        self.common_query = {k: dict(v) for k, v in (common_query or {}).items()}
        self._relax(nullable or {}, corrections or {}, request_bodies or {})
        resource = Resource.from_contents(self.document, default_specification=DRAFT202012)
        self._registry: Registry[Any] = Registry().with_resource(_URN, resource)
        self._validators: dict[str, Any] = {}
        self._templates = [(template, _template_pattern(template))
                           for template in self.document.get("paths", {})]

    @classmethod
    def from_path(cls, path: Path, **relaxations: Any) -> OpenApiChecker:
        """A checker for the JSON document at ``path``."""
        with path.open(encoding="utf-8") as handle:
            return cls(json.load(handle), **relaxations)

    # -- relaxations ---------------------------------------------------------------------

    def _relax(self, nullable: Mapping[str, Iterable[str]],
               corrections: Mapping[str, Mapping[str, Any]],
               request_bodies: Mapping[tuple[str, str], Mapping[str, Any]]) -> None:
        for where, names in nullable.items():
            pointer = where if where.startswith("#") else "#" + _pointer(
                "components", "schemas", where)
            schema = self._relaxation_target(pointer)
            parts = [schema, *(_resolved(self.document, p) for p in schema.get("allOf", []))]
            for name in names:
                holders = [p["properties"] for p in parts if name in p.get("properties", {})]
                if not holders:
                    raise ValueError(f"nullable: {where} has no property {name!r}")
                for properties in holders:
                    properties[name] = _or_null(properties[name])
        for pointer, replacement in corrections.items():
            parent, _, key = pointer.rpartition("/")
            self._relaxation_target(pointer)
            _at(self.document, parent)[unquote(key).replace("~1", "/").replace("~0", "~")] = (
                _json_schema(copy.deepcopy(dict(replacement))))
        for (method, template), body in request_bodies.items():
            operation = self.document.get("paths", {}).get(template, {}).get(method.lower())
            if operation is None:
                raise ValueError(f"request_bodies: the document has no {method} {template}")
            operation["requestBody"] = {"required": True, "content": {
                "application/json": {"schema": _json_schema(copy.deepcopy(dict(body)))}}}

    def _relaxation_target(self, pointer: str) -> dict[str, Any]:
        try:
            found = _at(self.document, pointer)
        except KeyError as exc:
            raise ValueError(f"relaxation: {exc.args[0]}") from None
        if not isinstance(found, dict):
            raise ValueError(f"relaxation: {pointer} is not a schema")
        return found

    # -- finding the operation -----------------------------------------------------------

    def match(self, path: str) -> tuple[str, dict[str, str]] | None:
        """The document's path template for a request path, and the path parameters'
        values; literal segments win over parameters (``/users/me`` over ``/users/{id}``)."""
        if not path.startswith(self.base_path + "/"):
            return None
        relative = path[len(self.base_path):]
        found = [(template, m.groupdict()) for template, pattern in self._templates
                 if (m := pattern.fullmatch(relative))]
        if not found:
            return None
        template, values = min(found, key=lambda hit: hit[0].count("{"))
        names = re.findall(r"\{([^}]+)\}", template)
        return template, {name: unquote(values[f"p{i}"]) for i, name in enumerate(names)}

    def operation(self, method: str, path: str) -> Operation | None:
        """The operation serving ``method path``, or ``None`` if the document has none."""
        matched = self.match(path)
        if matched is None:
            return None
        item = self.document["paths"][matched[0]]
        definition = item.get(method.lower())
        if definition is None:
            return None
        by_place: dict[tuple[str, str], Mapping[str, Any]] = {}
        for parameter in [*item.get("parameters", []), *definition.get("parameters", [])]:
            parameter = _resolved(self.document, parameter)
            by_place[(parameter["in"], parameter["name"])] = parameter
        return Operation(method.upper(), matched[0], definition, tuple(by_place.values()),
                         matched[1])

    # -- requests ------------------------------------------------------------------------

    def request_problems(self, method: str, path: str, query: str = "",
                         body: Any = None) -> list[str]:
        """Every way the request differs from the document (an empty list: none)."""
        operation = self.operation(method, path)
        if operation is None:
            return [f"{method.upper()} {path}: no such operation in the document"]
        problems: list[str] = []
        values = operation.path_values
        given: dict[str, list[str]] = {}
        for name, value in parse_qsl(query, keep_blank_values=True):
            given.setdefault(name, []).append(value)
        for parameter in operation.parameters:
            place, name = parameter["in"], parameter["name"]
            schema = parameter.get("schema") or {}
            if place == "path" and name in values:
                problems += self._value_problems(schema, [values[name]], f"path/{name}",
                                                 parameter)
            elif place == "query":
                if name in given:
                    problems += self._value_problems(schema, given.pop(name),
                                                     f"query/{name}", parameter)
                elif parameter.get("required"):
                    problems.append(f"query/{name}: required")
        for name, raw in given.items():
            if name in self.common_query:
                problems += self._value_problems(self.common_query[name], raw, f"query/{name}",
                                                 {})
            else:
                problems.append(f"query/{name}: not a parameter of this operation")
        problems += self._body_problems(operation, body)
        return [f"{operation.name}: request {p}" for p in problems]

    def _value_problems(self, schema: Mapping[str, Any], raw: list[str], where: str,
                        parameter: Mapping[str, Any]) -> list[str]:
        resolved = _resolved(self.document, schema)
        if "array" in _types(resolved):
            parts = raw if parameter.get("explode", True) else raw[-1].split(",")
            value: Any = [_coerce(p, _resolved(self.document, resolved.get("items") or {}))
                          for p in parts]
        else:
            value = _coerce(raw[-1], resolved)
        return self._schema_problems(dict(schema), value, where)

    def _body_problems(self, operation: Operation, body: Any) -> list[str]:
        request_body = _resolved(self.document, operation.definition.get("requestBody"))
        if not request_body:
            return [] if body is None else ["body: the operation takes no body"]
        schema = _json_content(self.document, request_body)
        if body is None:
            return ["body: required"] if request_body.get("required") else []
        if schema is None:
            return ["body: the operation takes no JSON body"]
        return self._schema_problems(schema, body, "body")

    # -- answers -------------------------------------------------------------------------

    def response_problems(self, method: str, path: str, status: int, body: Any, *,
                          undocumented_errors: bool = False) -> list[str]:
        """Every way the answer differs from the document. An error status (400 and up)
        the document does not list is no problem unless ``undocumented_errors``: documents
        list few of the errors an API gives."""
        operation = self.operation(method, path)
        if operation is None:
            return [f"{method.upper()} {path}: no such operation in the document"]
        responses = operation.definition.get("responses", {})
        response = next((responses[key] for key in (str(status), f"{status // 100}XX",
                                                    "default") if key in responses), None)
        if response is None:
            if status >= 400 and not undocumented_errors:
                return []
            return [f"{operation.name}: status {status} is not documented "
                    f"(only {', '.join(responses) or 'none'})"]
        schema = _json_content(self.document, _resolved(self.document, response))
        if schema is None:
            return [] if body is None else [
                f"{operation.name}: {status} body: the document describes no JSON body"]
        return [f"{operation.name}: {status} {p}" for p in
                self._schema_problems(schema, body, "body")]

    # -- both ----------------------------------------------------------------------------

    def exchange_problems(self, entry: Mapping[str, Any]) -> list[str]:
        """The problems of one request-log entry: its request, and its answer when the log
        kept it (``response``)."""
        problems = self.request_problems(entry["method"], entry["path"],
                                         entry.get("query") or "", entry.get("body"))
        if "response" in entry and entry.get("status") is not None:
            problems += self.response_problems(entry["method"], entry["path"],
                                               int(entry["status"]), entry["response"])
        return problems

    def assert_request(self, method: str, path: str, query: str = "",
                       body: Any = None) -> None:
        """:class:`AssertionError` listing the problems of a request, if any."""
        _fail_on(self.request_problems(method, path, query, body))

    def assert_response(self, method: str, path: str, status: int, body: Any) -> None:
        """:class:`AssertionError` listing the problems of an answer, if any."""
        _fail_on(self.response_problems(method, path, status, body))

    def _schema_problems(self, schema: dict[str, Any], value: Any, where: str) -> list[str]:
        validator = self._validator(schema)
        return [f"{'/'.join([where, *map(str, e.absolute_path)])}: {e.message[:300]}"
                for e in sorted(validator.iter_errors(value), key=lambda e: list(e.path))]

    def _validator(self, schema: dict[str, Any]) -> Any:
        key = json.dumps(schema, sort_keys=True)
        if key not in self._validators:
            self._validators[key] = Draft202012Validator(_rebased(schema),
                                                         registry=self._registry)
        return self._validators[key]


def log_problems(entries: Iterable[Mapping[str, Any]], checkers: Iterable[OpenApiChecker], *,
                 skip: Callable[[Mapping[str, Any]], bool] | None = None) -> list[str]:
    """The problems of every request-log entry, each checked by the first checker whose
    document has its operation. Entries with an injected fault, and those ``skip`` accepts
    (the sandbox's own routes, say), are left out; an entry no document describes is one
    problem."""
    checkers = list(checkers)
    problems: list[str] = []
    for entry in entries:
        if entry.get("fault") or (skip is not None and skip(entry)):
            continue
        checker = next((c for c in checkers if c.operation(entry["method"], entry["path"])),
                       None)
        if checker is None:
            problems.append(f"{entry['method']} {entry['path']}: no document describes it")
        else:
            problems += checker.exchange_problems(entry)
    return problems


def trim_document(document: Mapping[str, Any],
                  keep: Mapping[str, Iterable[str]]) -> dict[str, Any]:
    """A copy of ``document`` with only the operations ``keep`` names (path template ->
    methods) and the components they reference (the closure of ``$ref``), the security
    schemes and tags they use; examples are left out. :class:`KeyError` for an operation
    the document does not have."""
    paths: dict[str, Any] = {}
    for template, methods in keep.items():
        item = document["paths"][template]
        kept = {"parameters": item["parameters"]} if "parameters" in item else {}
        for method in methods:
            if method.lower() not in item:
                raise KeyError(f"the document has no {method.upper()} {template}")
            kept[method.lower()] = item[method.lower()]
        paths[template] = _without_examples(kept)
    components: dict[str, dict[str, Any]] = {}
    pending = _refs(paths)
    done: set[str] = set()
    while pending:
        ref = pending.pop()
        if ref in done or not ref.startswith("#/components/"):
            continue
        done.add(ref)
        section, name = ref.split("/")[2], ref.split("/", 3)[3]
        node = _without_examples(_at(document, ref))
        components.setdefault(section, {})[unquote(name).replace("~1", "/")] = node
        pending |= _refs(node)
    operations = [op for item in paths.values() for m, op in item.items() if m in _METHODS]
    schemes = {name for op in [document, *operations] for req in op.get("security") or []
               for name in req}
    all_schemes = document.get("components", {}).get("securitySchemes", {})
    if schemes:
        components["securitySchemes"] = {n: all_schemes[n] for n in sorted(schemes)
                                          if n in all_schemes}
    tags = {t for op in operations for t in op.get("tags", [])}
    trimmed: dict[str, Any] = {
        "openapi": document["openapi"], "info": copy.deepcopy(document.get("info", {})),
        **{k: document[k] for k in ("servers", "security") if k in document},
        "tags": [t for t in document.get("tags", []) if t.get("name") in tags],
        "paths": paths,
        "components": {k: dict(sorted(v.items())) for k, v in sorted(components.items())},
    }
    return copy.deepcopy(trimmed)


# -- helpers -----------------------------------------------------------------------------


def _template_pattern(template: str) -> re.Pattern[str]:
    parts, count = [], 0
    for piece in re.split(r"(\{[^}]+\})", template):
        if piece.startswith("{") and piece.endswith("}"):
            parts.append(f"(?P<p{count}>[^/]+)")
            count += 1
        else:
            parts.append(re.escape(piece))
    return re.compile("".join(parts))


def _types(schema: Mapping[str, Any]) -> list[str]:
    kind = schema.get("type")
    return [kind] if isinstance(kind, str) else list(kind or [])


def _coerce(raw: str, schema: Mapping[str, Any]) -> Any:
    """A parameter's text as the type its schema says, where it reads as one."""
    for kind in _types(schema):
        if kind == "integer" and re.fullmatch(r"-?\d+", raw):
            return int(raw)
        if kind == "number" and re.fullmatch(r"-?\d+(\.\d+)?([eE][-+]?\d+)?", raw):
            return float(raw)
        if kind == "boolean" and raw in ("true", "false"):
            return raw == "true"
    return raw


def _json_content(document: Mapping[str, Any], holder: Mapping[str, Any]) -> Any:
    for media, content in (holder.get("content") or {}).items():
        if _JSON_MEDIA.match(media) and "schema" in content:
            return dict(content["schema"])
    return None


def _rebased(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: (_URN + quote(v, safe="#/~{}[]") if k == "$ref" and isinstance(v, str)
                    and v.startswith("#") else _rebased(v)) for k, v in node.items()}
    if isinstance(node, list):
        return [_rebased(v) for v in node]
    return node


def _refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"]} if isinstance(node.get("$ref"), str) else set()
        for value in node.values():
            found |= _refs(value)
        return found
    if isinstance(node, list):
        return set().union(*(_refs(v) for v in node)) if node else set()
    return set()


def _without_examples(node: Any, in_properties: bool = False) -> Any:
    """``node`` without ``examples``/``example`` (a property of that name stays)."""
    if isinstance(node, dict):
        return {k: _without_examples(v, k == "properties" and not in_properties)
                for k, v in node.items()
                if in_properties or k not in ("examples", "example")}
    if isinstance(node, list):
        return [_without_examples(v) for v in node]
    return node


def _fail_on(problems: list[str]) -> None:
    if problems:
        raise AssertionError("differs from the OpenAPI document:\n" + "\n".join(problems))
