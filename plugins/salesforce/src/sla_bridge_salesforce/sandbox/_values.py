"""Field values in and out: the JSON a client sends, checked against the field's type, and
the way REST answers and Outbound Messages show them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sla_bridge.sandbox import ApiError

from ._errors import sf_error
from ._ids import object_of, to_18
from ._schema import TEXT_TYPES, Field


def rest_datetime(instant: datetime) -> str:
    """``2026-12-01T09:30:00.000+0000``, as REST answers show datetimes."""
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + \
        f"{instant.microsecond // 1000:03d}+0000"


def soap_datetime(instant: datetime) -> str:
    """``2026-12-01T09:30:00.000Z``, as SOAP messages show datetimes."""
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + \
        f"{instant.microsecond // 1000:03d}Z"


def parse_datetime(text: str) -> datetime:
    """A datetime a client sent (``Z``, ``+0000`` or ``+00:00``; naive is UTC)."""
    cleaned = text.replace("Z", "+00:00")
    if len(cleaned) > 5 and cleaned[-5] in "+-" and cleaned[-3] != ":":
        cleaned = cleaned[:-2] + ":" + cleaned[-2:]
    value = datetime.fromisoformat(cleaned)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def to_json(value: Any) -> Any:
    """A stored value as REST shows it."""
    if isinstance(value, datetime):
        return rest_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def to_soap(value: Any) -> str:
    """A stored value as an Outbound Message shows it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return soap_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _wrong_type(spec: Field, value: Any) -> ApiError:
    return sf_error(400, "JSON_PARSER_ERROR",
                    f"Cannot deserialize instance of {spec.type} from {type(value).__name__}"
                    f" value {value!r} for field {spec.name}", [spec.name])


def coerce(spec: Field, value: Any) -> Any:
    """``value`` as stored for the field; :class:`ApiError` in Salesforce's shape when it
    does not fit (wrong type, too long, not in a restricted picklist, malformed id)."""
    if value is None:
        if not spec.nillable or spec.required:
            raise sf_error(400, "REQUIRED_FIELD_MISSING",
                           f"Required fields are missing: [{spec.name}]", [spec.name])
        return None
    if spec.type == "boolean":
        if not isinstance(value, bool):
            raise _wrong_type(spec, value)
        return value
    if spec.type in ("int", "double", "currency"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _wrong_type(spec, value)
        return value
    if spec.type == "datetime" and isinstance(value, datetime):
        return value.astimezone(UTC)
    if not isinstance(value, str):
        raise _wrong_type(spec, value)
    if spec.type in ("reference", "id"):
        try:
            record_id = to_18(value)
        except ValueError:
            raise sf_error(400, "MALFORMED_ID",
                           f"{spec.name}: id value of incorrect type: {value}",
                           [spec.name]) from None
        if spec.reference_to and object_of(record_id) not in spec.reference_to:
            raise sf_error(400, "FIELD_INTEGRITY_EXCEPTION",
                           f"{spec.name}: id value of incorrect type: {value}", [spec.name])
        return record_id
    if spec.type == "datetime":
        try:
            return parse_datetime(value)
        except ValueError:
            raise _wrong_type(spec, value) from None
    if spec.type == "date":
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise _wrong_type(spec, value) from None
    if spec.type in TEXT_TYPES and len(value) > spec.length:
        raise sf_error(400, "STRING_TOO_LONG",
                       f"{spec.name}: data value too large: {value[:40]}... "
                       f"(max length={spec.length})", [spec.name])
    if spec.type == "picklist" and spec.restricted and value not in spec.picklist:
        raise sf_error(400, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                       f"{spec.name}: bad value for restricted picklist field: {value}",
                       [spec.name])
    return value
