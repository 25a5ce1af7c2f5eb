"""The custom fields ``sla-bridge jira setup`` creates and ``check`` looks for.

The field mapping names custom fields by name (``field:SLA first response due``) or by id
(``field:customfield_10050``). Setup creates each one named by name that the site does not
have, with ``POST /rest/api/2/field`` (createCustomField, which needs the *Administer Jira*
permission), see
https://developer.atlassian.com/cloud/jira/platform/rest/v2/api-group-issue-fields/#api-rest-api-2-field-post:
a date-time field for the times the bridge keeps (``sla_*_due``), a group picker for the
ticket's group (``FIELDS__GROUP``), a one-line text field for the others. A field named by
id is never created (an id cannot be chosen); a missing one is reported. Fields are found
as the platform finds them (:meth:`.lookups.Lookups.field`): by id, else by exact name in
any case, the first of several with the same name.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sla_bridge.platformkit import Finding, Plan

from .client import JiraClient
from .mapping import JiraField
from .settings import JiraSettings

__all__ = ["CUSTOM_TYPES", "WantedField", "field_report", "plan_fields", "site_fields",
           "wanted_fields"]

_TYPES = "com.atlassian.jira.plugin.system.customfieldtypes:"
#: What setup creates for each kind: the custom field type and its searcher.
CUSTOM_TYPES = {
    "datetime": (_TYPES + "datetime", _TYPES + "datetimerange"),
    "text": (_TYPES + "textfield", _TYPES + "textsearcher"),
    "group": (_TYPES + "grouppicker", _TYPES + "grouppickersearcher"),
}
_DESCRIPTION = "Kept by sla-bridge ({readers}); managed by `sla-bridge jira setup`."
_ID = "customfield_"


@dataclass(frozen=True)
class WantedField:
    """A custom field the mapping names: by ``ref`` (a name or an id), read as ``readers``."""

    ref: str
    readers: tuple[str, ...]

    @property
    def by_id(self) -> bool:
        """Whether the mapping names the field by its id (``customfield_10050``)."""
        return self.ref.startswith(_ID) and self.ref[len(_ID):].isdigit()

    @property
    def kind(self) -> str:
        """``datetime`` for the times the bridge keeps (``sla_first_response_due``), ``group``
        (a group picker) for the ticket's group, else ``text``."""
        if all(r.endswith("_due") for r in self.readers):
            return "datetime"
        return "group" if self.readers == ("group",) else "text"


def wanted_fields(settings: JiraSettings) -> list[WantedField]:
    """Each custom field the field mapping names, in the mapping's order."""
    readers: dict[str, list[str]] = {}
    for name in settings.fields.all():
        for source in settings.fields.sources(name):
            if source.kind == "field" and source.arg:
                readers.setdefault(source.arg, []).append(name)
    return [WantedField(ref, tuple(names)) for ref, names in readers.items()]


def site_fields(client: JiraClient) -> list[JiraField]:
    """Every field of the site (``GET /rest/api/2/field``)."""
    found = []
    for raw in client.jira.fields():
        schema = raw.get("schema") or {}
        found.append(JiraField(id=str(raw["id"]), name=str(raw.get("name") or ""),
                               type=str(schema.get("type") or ""),
                               items=str(schema.get("items") or ""),
                               custom=str(schema.get("custom") or "")))
    return found


def _matches(have: Sequence[JiraField], wanted: WantedField) -> list[JiraField]:
    if wanted.by_id:
        return [f for f in have if f.id == wanted.ref]
    return [f for f in have if f.name.strip().casefold() == wanted.ref.strip().casefold()]


def _shown(field: JiraField) -> str:
    return f"{field.id} ({field.type or 'no type'})"


def _uses(wanted: WantedField) -> str:
    return "read as " + ", ".join(wanted.readers)


def plan_fields(plan: Plan, client: JiraClient, settings: JiraSettings,
                have: Sequence[JiraField]) -> None:
    """Plan the mapping's custom fields: ``unchanged`` where the site has them, ``create``
    where it has none of that name, a ``note`` for a missing id or an ambiguous name."""
    for wanted in wanted_fields(settings):
        found = _matches(have, wanted)
        if wanted.by_id and not found:
            plan.add("field", wanted.ref, "note",
                     f"missing: no field has this id ({_uses(wanted)}); create the field in "
                     "Jira settings > Work items > Fields, then map its id, or map a field "
                     f"by name in {_variable(settings, wanted)}")
            continue
        if not found:
            custom_type, searcher = CUSTOM_TYPES[wanted.kind]
            plan.add("field", wanted.ref, "create", f"{wanted.kind}, {_uses(wanted)}",
                     _create(client, {"name": wanted.ref, "type": custom_type,
                                      "searcherKey": searcher,
                                      "description": _DESCRIPTION.format(
                                          readers=", ".join(wanted.readers))}))
            continue
        detail = f"{_shown(found[0])}, {_uses(wanted)}"
        if len(found) > 1:
            others = ", ".join(f.id for f in found[1:])
            detail += (f"; {len(found)} fields have this name, the bridge uses the first: "
                       f"rename {others} or map the field by id")
        plan.add("field", found[0].name, "unchanged", detail)


def field_report(settings: JiraSettings, have: Sequence[JiraField]) -> list[Finding]:
    """``check``'s findings: for each mapped custom field, which it is, or what to do."""
    findings = []
    for wanted in wanted_fields(settings):
        found = _matches(have, wanted)
        if found:
            findings.append(Finding(True, "field", wanted.ref,
                                    f"{_shown(found[0])}, {_uses(wanted)}"))
        elif wanted.by_id:
            findings.append(Finding(False, "field", wanted.ref,
                                    f"missing ({_uses(wanted)}): no field has this id; map "
                                    f"another in {_variable(settings, wanted)}"))
        else:
            findings.append(Finding(False, "field", wanted.ref,
                                    f"missing ({_uses(wanted)}): run `sla-bridge jira setup` "
                                    "to create it"))
    return findings


def _variable(settings: JiraSettings, wanted: WantedField) -> str:
    return ", ".join(f"{settings.env_prefix()}FIELDS__{r.upper()}" for r in wanted.readers)


def _create(client: JiraClient, body: dict[str, str]) -> Callable[[], None]:
    def run() -> None:
        client.send("POST", "/rest/api/2/field", body)
    return run
