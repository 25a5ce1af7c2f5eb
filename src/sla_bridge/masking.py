"""Secrets out of sight: one walk over settings finds every secret, one function masks a URL.

Secrets are ``SecretStr`` settings at any depth, and the credentials inside anything that
reads as a URL: the password of ``user:password@host`` and query parameters such as
``?password=`` or ``?token=``. :func:`masked` is what ``sla-bridge config`` prints,
:func:`secret_values` what the log filter scrubs, :func:`mask_url` what errors and reprs
show of a database URL.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from pydantic import BaseModel, SecretStr

MASK = "**********"
# Query parameters that carry a credential (libpq's password, tokens, keys).
_CREDENTIAL_PARAMS = re.compile(r"pass(word)?|pwd|secret|token|api[_-]?key|key|auth",
                                re.IGNORECASE)
_MIN_SECRET = 4  # shorter values would mask ordinary words


def url_credentials(text: str) -> list[str]:
    """The credentials in ``text`` if it reads as a URL: its password and the values of
    credential query parameters; none for anything else."""
    if "://" not in text:
        return []
    try:
        parts = urlsplit(text)
        password = parts.password
    except ValueError:
        return []
    found = [password] if password else []
    found += [value for name, value in parse_qsl(parts.query, keep_blank_values=False)
              if _CREDENTIAL_PARAMS.fullmatch(name) and value]
    return found


def mask_url(url: str) -> str:
    """``url`` with its password and credential query parameters replaced by the mask."""
    return scrub(url, url_credentials(url))


def scrub(text: str, secrets: list[str]) -> str:
    """``text`` with each of ``secrets`` replaced by the mask (longest first)."""
    for secret in sorted(set(secrets), key=len, reverse=True):
        if secret:
            text = text.replace(secret, MASK)
    return text


def _walk(value: Any, on_secret: Callable[[str], None]) -> None:
    if isinstance(value, SecretStr):
        on_secret(value.get_secret_value())
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            _walk(getattr(value, name), on_secret)
    elif isinstance(value, Mapping):
        for item in value.values():
            _walk(item, on_secret)
    elif isinstance(value, list | tuple):
        for item in value:
            _walk(item, on_secret)
    elif isinstance(value, str):
        for secret in url_credentials(value):
            on_secret(secret)


def secret_values(*sources: BaseModel | Mapping[str, Any] | None) -> list[str]:
    """Every secret value in settings objects (see the module docstring), long enough to
    mask without masking ordinary words."""
    found: list[str] = []
    for source in sources:
        _walk(source, found.append)
    return [value for value in found if len(value) >= _MIN_SECRET]


def masked(settings: BaseModel) -> dict[str, Any]:
    """The settings as plain data, every secret and URL credential replaced by the mask."""
    result = _mask(settings)
    assert isinstance(result, dict)
    return result


def _mask(value: Any) -> Any:
    if isinstance(value, SecretStr):
        return MASK if value.get_secret_value() else ""
    if isinstance(value, BaseModel):
        return {name: _mask(getattr(value, name)) for name in type(value).model_fields}
    if isinstance(value, Mapping):
        return {k: _mask(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_mask(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, str):
        return mask_url(value)
    return value
