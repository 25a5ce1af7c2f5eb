"""Structured logging: text or JSON lines on stderr, with context fields and no secrets.

Log calls pass context through ``extra`` (``platform``, ``delivery_id``, ``ticket_id``,
``remote``...); the text format appends them as ``key=value``, the JSON format
(``SLA_BRIDGE_LOG_FORMAT=json``) writes them as fields. Every line goes through a filter
that replaces the values of the bridge's secrets (admin token, plugin secrets, the
database password) with ``**********``, as a last line of defence.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, TextIO

from sla_bridge.masking import MASK, secret_values
from sla_bridge.settings import Settings

__all__ = ["JsonFormatter", "RedactSecrets", "TextFormatter", "configure_logging",
           "secret_values"]

# Loggers whose records go through the bridge's handler instead of their own.
_ADOPTED = ("uvicorn", "uvicorn.error", "uvicorn.access")
# Attributes every LogRecord has; anything else on a record came from ``extra``.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message", "asctime", "color_message", "taskName"}
_MIN_SECRET = 4  # shorter values would mask ordinary words (as sla_bridge.masking)


class _BridgeHandler(logging.StreamHandler[TextIO]):
    """The one handler :func:`configure_logging` installs (replaced when called again)."""


def configure_logging(settings: Settings, extra_secrets: Iterable[str] = (),
                      stream: TextIO | None = None) -> logging.Handler:
    """Send all logging to ``stream`` (stderr) as text or JSON lines per the settings.

    Installs one handler on the root logger (replacing one installed earlier), routes
    uvicorn's loggers through it, and masks the settings' secrets plus ``extra_secrets``
    (plugin secrets) in every line. Returns the handler.
    """
    handler = _BridgeHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if settings.log_format == "json" else TextFormatter())
    handler.addFilter(RedactSecrets([*secret_values(settings), *extra_secrets]))
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _BridgeHandler)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(settings.log_level)
    for name in _ADOPTED:
        adopted = logging.getLogger(name)
        adopted.handlers.clear()
        adopted.propagate = True
        adopted.setLevel(settings.log_level)
    return handler


class RedactSecrets(logging.Filter):
    """Replace known secret values in a record's message, arguments, extras and traceback."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = sorted({s for s in secrets if len(s) >= _MIN_SECRET}, key=len,
                              reverse=True)

    def scrub(self, text: str) -> str:
        """Return ``text`` with every secret masked."""
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        """Mask secrets in place; never drops a record."""
        if not self.secrets:
            return True
        message = record.getMessage()
        scrubbed = self.scrub(message)
        if scrubbed != message:
            record.msg, record.args = scrubbed, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.scrub(record.exc_text)
        for key, value in _extras(record).items():
            if isinstance(value, str):
                setattr(record, key, self.scrub(value))
        return True


def _extras(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")}


def _timestamp(record: logging.LogRecord) -> str:
    instant = datetime.fromtimestamp(record.created, UTC)
    return instant.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class TextFormatter(logging.Formatter):
    """``2026-11-25T16:00:00.000Z INFO logger message key=value ...``"""

    def format(self, record: logging.LogRecord) -> str:
        """Format one record as a text line (plus the traceback, if any)."""
        line = f"{_timestamp(record)} {record.levelname:<7} {record.name} {record.getMessage()}"
        fields = " ".join(f"{k}={_text_value(v)}" for k, v in _extras(record).items())
        if fields:
            line = f"{line} {fields}"
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line = f"{line}\n{record.exc_text}"
        return line


def _text_value(value: Any) -> str:
    text = str(value)
    return json.dumps(text) if (not text or any(c in text for c in ' "=\n')) else text


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ``time``, ``level``, ``logger``, ``message``, extras,
    and ``exception`` when there is a traceback."""

    def format(self, record: logging.LogRecord) -> str:
        """Format one record as a JSON line."""
        data: dict[str, Any] = {"time": _timestamp(record), "level": record.levelname,
                                "logger": record.name, "message": record.getMessage()}
        data.update(_extras(record))
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            data["exception"] = record.exc_text
        return json.dumps(data, default=str, ensure_ascii=False)
