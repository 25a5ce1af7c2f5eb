"""The deployable metadata package ``sla-bridge salesforce setup`` writes (Metadata API format).

Outbound Messages, Flows and custom fields are *metadata*, not records the REST API creates, so
setup writes them as files for the Salesforce CLI to deploy
(``sf project deploy start --metadata-dir DIR``, see
https://developer.salesforce.com/docs/atlas.en-us.sfdx_cli_reference.meta/sfdx_cli_reference/cli_reference_project_commands_unified.htm).
Every file is in the namespace ``http://soap.sforce.com/2006/04/metadata``:

* ``package.xml``, the manifest naming each component by type
  (https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/manifest_samples.htm);
* ``objects/Case.object`` (and ``Account.object`` ...): a ``CustomObject`` holding the custom
  fields the settings name (``CustomField``: ``Text``, ``LongTextArea``, ``DateTime``,
  ``Checkbox``; the follow-up key ``externalId`` and ``unique``), see
  https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/customfield.htm;
* ``workflows/Case.workflow`` (and ``CaseComment``, ``EmailMessage``): a ``Workflow`` holding
  the ``WorkflowOutboundMessage`` ``SLA_Bridge`` (endpoint, fields sent, the user it is sent
  as), see https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_workflow.htm;
* ``flows/SLA_Bridge_<Object>.flow``: a record-triggered ``Flow`` (after save, on create and
  update) whose one action sends that Outbound Message, since Workflow Rules are retired
  (https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_visual_workflow.htm).
  ``outboundMessage`` is one of the WSDL's ``InvocableActionType`` values; [inferred] that the
  action (``actionName`` ``Case.SLA_Bridge``) needs no input parameters, the triggering record
  being sent, follows what Flow Builder saves: verify it on a real org before calling it fact;
* ``permissionsets/SLA_Bridge.permissionset``: read and edit access to the fields for the
  integration user (a deployed field is visible to no one until a permission grants it), see
  https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_permissionset.htm.

Every file validates against the WSDL's types trimmed into ``specs/metadata-api/`` (element
names and their order). The files are the same bytes for the same settings, so running setup
again changes nothing.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from .setup_fields import FieldSpec

__all__ = ["MESSAGE_FIELDS", "METADATA_NS", "OUTBOUND_NAME", "PERMISSION_SET", "Package",
           "build_package"]

METADATA_NS = "http://soap.sforce.com/2006/04/metadata"
OUTBOUND_NAME = "SLA_Bridge"
PERMISSION_SET = "SLA_Bridge"
#: The fields each Outbound Message sends: what the platform reads from a notification (it
#: reads the rest of the case again), ``LastModifiedById`` telling the bridge's own writes.
MESSAGE_FIELDS: Mapping[str, tuple[str, ...]] = {
    "Case": ("Id", "CaseNumber", "Status", "IsClosed", "Priority", "OwnerId", "CreatedDate",
             "LastModifiedDate", "LastModifiedById"),
    "CaseComment": ("Id", "ParentId", "IsPublished", "CreatedById", "CreatedDate",
                    "LastModifiedDate", "LastModifiedById"),
    "EmailMessage": ("Id", "ParentId", "Incoming", "CreatedById", "CreatedDate",
                     "LastModifiedDate", "LastModifiedById"),
}
_TEXT_LENGTH = 255
_LONG_TEXT_LENGTH = 32768


@dataclass(frozen=True)
class Package:
    """The files of the package, by path relative to its folder, and what each holds."""

    files: Mapping[str, bytes]
    summaries: Mapping[str, str]


def _element(parent: ET.Element, tag: str, text: object | None = None) -> ET.Element:
    child = ET.SubElement(parent, tag)
    if text is not None:
        child.text = str(text).lower() if isinstance(text, bool) else str(text)
    return child


def _document(root: ET.Element) -> bytes:
    ET.indent(root, space="    ")
    return (b'<?xml version="1.0" encoding="UTF-8"?>\n'
            + ET.tostring(root, encoding="unicode").encode() + b"\n")


def _root(tag: str) -> ET.Element:
    return ET.Element(tag, xmlns=METADATA_NS)


def custom_field(parent: ET.Element, spec: FieldSpec) -> None:
    """One ``<fields>`` element (a ``CustomField``) in its object's file."""
    field = _element(parent, "fields")
    _element(field, "fullName", spec.name)
    if spec.type == "Checkbox":
        _element(field, "defaultValue", False)
    _element(field, "description", spec.purpose)
    _element(field, "externalId", spec.external_id)
    _element(field, "inlineHelpText", spec.purpose)
    _element(field, "label", spec.label)
    if spec.type == "Text":
        _element(field, "length", spec.length or _TEXT_LENGTH)
    elif spec.type == "LongTextArea":
        _element(field, "length", spec.length or _LONG_TEXT_LENGTH)
    if spec.type != "Checkbox":
        _element(field, "required", False)
    _element(field, "trackHistory", False)
    _element(field, "type", spec.type)
    if spec.type == "Text":
        _element(field, "unique", spec.external_id)
    if spec.type == "LongTextArea":
        _element(field, "visibleLines", 3)


def object_file(specs: Sequence[FieldSpec]) -> bytes:
    """``objects/<Object>.object``: the object's custom fields setup creates."""
    root = _root("CustomObject")
    for spec in sorted(specs, key=lambda s: s.name):
        custom_field(root, spec)
    return _document(root)


def workflow_file(object_name: str, endpoint: str, integration_user: str,
                  api_version: str) -> bytes:
    """``workflows/<Object>.workflow``: the Outbound Message calling the bridge."""
    root = _root("Workflow")
    message = _element(root, "outboundMessages")
    _element(message, "fullName", OUTBOUND_NAME)
    _element(message, "apiVersion", api_version)
    _element(message, "description", f"Tells sla-bridge that a {object_name} changed "
             "(managed by `sla-bridge salesforce setup`).")
    _element(message, "endpointUrl", endpoint)
    for name in MESSAGE_FIELDS[object_name]:
        _element(message, "fields", name)
    _element(message, "includeSessionId", False)
    _element(message, "integrationUser", integration_user)
    _element(message, "name", f"SLA Bridge {object_name}")
    _element(message, "protected", False)
    _element(message, "useDeadLetterQueue", False)
    return _document(root)


def flow_name(object_name: str) -> str:
    """The API name of the Flow that sends ``object_name``'s Outbound Message."""
    return f"SLA_Bridge_{object_name}"


def flow_file(object_name: str, api_version: str) -> bytes:
    """``flows/SLA_Bridge_<Object>.flow``: after every create and update of the object, send
    its Outbound Message."""
    root = _root("Flow")
    action = _element(root, "actionCalls")
    _element(action, "name", "Send_to_SLA_Bridge")
    _element(action, "label", "Send to SLA Bridge")
    _element(action, "locationX", 176)
    _element(action, "locationY", 323)
    _element(action, "actionName", f"{object_name}.{OUTBOUND_NAME}")
    _element(action, "actionType", "outboundMessage")
    _element(action, "flowTransactionModel", "CurrentTransaction")
    _element(root, "apiVersion", api_version)
    _element(root, "description", f"Sends the Outbound Message {OUTBOUND_NAME} to sla-bridge "
             f"when a {object_name} is created or changed (managed by `sla-bridge salesforce "
             "setup`).")
    _element(root, "label", f"SLA Bridge: {object_name} changed")
    _element(root, "processType", "AutoLaunchedFlow")
    start = _element(root, "start")
    _element(start, "locationX", 50)
    _element(start, "locationY", 0)
    connector = _element(start, "connector")
    _element(connector, "targetReference", "Send_to_SLA_Bridge")
    _element(start, "object", object_name)
    _element(start, "recordTriggerType", "CreateAndUpdate")
    _element(start, "triggerType", "RecordAfterSave")
    _element(root, "status", "Active")
    return _document(root)


def permission_set_file(specs: Iterable[FieldSpec]) -> bytes:
    """``permissionsets/SLA_Bridge.permissionset``: read and edit on the custom fields."""
    root = _root("PermissionSet")
    _element(root, "description", "What sla-bridge's integration user needs of its fields "
             "(managed by `sla-bridge salesforce setup`).")
    for spec in sorted(specs, key=lambda s: s.full_name):
        grant = _element(root, "fieldPermissions")
        _element(grant, "editable", spec.written)
        _element(grant, "field", spec.full_name)
        _element(grant, "readable", True)
    _element(root, "hasActivationRequired", False)
    _element(root, "label", "SLA Bridge")
    return _document(root)


def manifest(members: Mapping[str, Iterable[str]], api_version: str) -> bytes:
    """``package.xml``: each component by its metadata type (types in name order)."""
    root = _root("Package")
    for type_name in sorted(members):
        names = sorted(members[type_name])
        if not names:
            continue
        types = _element(root, "types")
        for name in names:
            _element(types, "members", name)
        _element(types, "name", type_name)
    _element(root, "version", api_version)
    return _document(root)


def build_package(specs: Sequence[FieldSpec], *, endpoint: str, integration_user: str,
                  api_version: str, objects: Sequence[str] = tuple(MESSAGE_FIELDS)) -> Package:
    """Every file of the package: the custom fields of ``specs``, the permission set granting
    them, and an Outbound Message with its Flow for each of ``objects``."""
    custom = [s for s in specs if s.custom]
    files: dict[str, bytes] = {}
    summaries: dict[str, str] = {}
    by_object: dict[str, list[FieldSpec]] = {}
    for spec in custom:
        by_object.setdefault(spec.object_name, []).append(spec)
    for object_name, fields in by_object.items():
        path = f"objects/{object_name}.object"
        files[path] = object_file(fields)
        summaries[path] = f"{len(fields)} custom field(s): " + ", ".join(
            f"{s.name} ({s.type}{', External ID' if s.external_id else ''})"
            for s in sorted(fields, key=lambda s: s.name))
    for object_name in objects:
        workflow, flow = f"workflows/{object_name}.workflow", f"flows/{flow_name(object_name)}.flow"
        files[workflow] = workflow_file(object_name, endpoint, integration_user, api_version)
        summaries[workflow] = (f"Outbound Message {object_name}.{OUTBOUND_NAME}, sent as "
                               f"{integration_user}, fields "
                               f"{', '.join(MESSAGE_FIELDS[object_name])}")
        files[flow] = flow_file(object_name, api_version)
        summaries[flow] = (f"record-triggered Flow on {object_name} (create and update, after "
                           f"save) sending {object_name}.{OUTBOUND_NAME}")
    if custom:
        path = f"permissionsets/{PERMISSION_SET}.permissionset"
        files[path] = permission_set_file(custom)
        summaries[path] = f"read (and edit where the bridge writes) on the {len(custom)} fields"
    files["package.xml"] = manifest({
        "CustomField": [s.full_name for s in custom],
        "Flow": [flow_name(o) for o in objects],
        "PermissionSet": [PERMISSION_SET] if custom else [],
        "WorkflowOutboundMessage": [f"{o}.{OUTBOUND_NAME}" for o in objects],
    }, api_version)
    summaries["package.xml"] = "the manifest naming every component above"
    return Package(files, summaries)
