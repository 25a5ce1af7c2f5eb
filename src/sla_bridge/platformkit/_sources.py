"""The field mapping's *sources*: where on a helpdesk each neutral attribute lives.

A mapping value (``SLA_BRIDGE_<NAME>__FIELDS__<ATTRIBUTE>``) is one or more sources,
comma-separated, each a kind and maybe an argument (``priority``, ``field:Support plan``,
``tag:plan_``, ``none``); reading takes the first that has a value, writing goes to the
first that can be written. A plugin names its kinds, which of them it can write, and how
its users should spell them::

    class AcmeSource(Source):
        writable_kinds = frozenset({"priority", "field"})

    ACME_SOURCES = SourceSyntax(AcmeSource, {"priority": None, "none": None, "field": ".+"},
                                usage="priority, field:<id or name> or none",
                                unmapped=lambda name: AcmeSource("field", field_title(name)))

    class AcmeFieldMap(SourceMap[AcmeSource]):
        syntax = ACME_SOURCES

        plan: str = "field:Support plan"
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, field_validator, model_validator


@dataclass(frozen=True)
class Source:
    """One place a neutral attribute can live: a kind (``field``) and its argument.

    A plugin subclasses it to say which kinds it can write (``writable_kinds``) and to add
    what its own code needs to know about a source.
    """

    kind: str
    arg: str = ""

    writable_kinds: ClassVar[frozenset[str]] = frozenset()

    @property
    def writable(self) -> bool:
        """Whether the bridge can write the attribute here (a kind in ``writable_kinds``)."""
        return self.kind in self.writable_kinds

    def __str__(self) -> str:
        return self.kind if not self.arg else f"{self.kind}:{self.arg}"


_S = TypeVar("_S", bound=Source)


class SourceSyntax(Generic[_S]):
    """How a plugin's mapping values are spelled, and parsing them into its sources.

    ``kinds`` maps each kind to the regular expression its argument must match in full, or
    to ``None`` for a kind without an argument (``priority``, ``none``); ``usage`` lists the
    forms in the error a bad source raises (``"priority, field:<id or name> or none"``);
    ``unmapped`` says where an attribute the mapping does not name is looked for.
    """

    def __init__(self, source: type[_S], kinds: Mapping[str, str | None], *, usage: str,
                 unmapped: Callable[[str], _S]) -> None:
        self.source = source
        self.usage = usage
        self.unmapped = unmapped
        forms = [re.escape(kind) if argument is None else f"{re.escape(kind)}:{argument}"
                 for kind, argument in kinds.items()]
        self._pattern = re.compile("|".join(f"(?:{form})" for form in forms))

    def parse(self, spec: str) -> tuple[_S, ...]:
        """Parse ``"field:123, org:plan"`` into sources (``none`` when the spec is empty);
        :class:`ValueError` naming the bad source and the forms to use."""
        sources: list[_S] = []
        for part in (p.strip() for p in spec.split(",")):
            if not part:
                continue
            if not self._pattern.fullmatch(part):
                raise ValueError(f"{part!r} is not a source; use {self.usage}")
            kind, _, arg = part.partition(":")
            sources.append(self.source(kind, arg.strip()))
        return tuple(sources) or (self.source("none"),)


class SourceMap(BaseModel, Generic[_S]):
    """The base of a plugin's field mapping (``SLA_BRIDGE_<NAME>__FIELDS__<ATTRIBUTE>``).

    The subclass sets ``syntax`` (its :class:`SourceSyntax`) and declares the mapped
    attributes (string fields, their sources as defaults); any other attribute can be mapped
    the same way (extra names are kept). A bad declared mapping is refused at its own
    variable, a bad extra one with its name.
    """

    model_config = ConfigDict(extra="allow")
    syntax: ClassVar[SourceSyntax[Any]]

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        """Refuse a mapping without its syntax, when the class is defined."""
        super().__pydantic_init_subclass__(**kwargs)
        if cls.__pydantic_generic_metadata__["origin"] is None and not hasattr(cls, "syntax"):
            raise TypeError(f"{cls.__name__}: set syntax = SourceSyntax(...), the sources "
                            "its mapping values may name")

    @classmethod
    def parse(cls, spec: str) -> tuple[_S, ...]:
        """The sources of a mapping value; :class:`ValueError` on a bad one."""
        parsed: tuple[_S, ...] = cls.syntax.parse(spec)
        return parsed

    @field_validator("*")
    @classmethod
    def _check_declared(cls, spec: Any) -> Any:
        if isinstance(spec, str):
            cls.parse(spec)  # the error is then located at the variable itself
        return spec

    @model_validator(mode="after")
    def _check_sources(self) -> SourceMap[_S]:
        for name, spec in self.all().items():
            if not isinstance(spec, str):
                raise ValueError(f"{name}: a mapping is a string of sources")
            try:
                self.parse(spec)
            except ValueError as exc:
                raise ValueError(f"{name}: {exc}") from None
        return self

    def all(self) -> dict[str, str]:
        """Every mapping, the declared ones and the extra ones, by neutral name."""
        names = {**self.model_dump(), **(self.model_extra or {})}
        return {k.lower(): v for k, v in names.items()}

    def sources(self, name: str) -> tuple[_S, ...]:
        """The sources of ``name``; an unmapped name's is the syntax's ``unmapped``."""
        spec = self.all().get(name)
        if spec is None:
            unmapped: _S = self.syntax.unmapped(name)
            return (unmapped,)
        return self.parse(spec)

    def first_value(self, name: str, read: Callable[[_S], Any]) -> Any:
        """What reading ``name`` gives: the first value ``read`` finds in its sources, in
        order (``None`` and ``""`` are no value); ``None`` when none has one."""
        for source in self.sources(name):
            found = read(source)
            if found is not None and found != "":
                return found
        return None


def tag_text(value: Any) -> str:
    """A value as a tag or label holds it: lower case, whitespace as ``_`` (``"Backup
    Server"`` -> ``backup_server``)."""
    return re.sub(r"\s+", "_", str(value).strip().lower())


def prefixed_value(tags: Iterable[str], prefix: str) -> str | None:
    """What a prefix source (``tag:plan_``) reads: the rest of the first tag, in sorted
    order, that starts with ``prefix`` and is longer (``plan_gold`` -> ``gold``)."""
    matches = sorted(t[len(prefix):] for t in tags if t.startswith(prefix) and len(t) > len(prefix))
    return matches[0] if matches else None


def prefixed_tags(tags: Iterable[str], prefix: str, value: Any) -> tuple[str | None, list[str]]:
    """Writing ``value`` to a prefix source: the tag to have (``None`` for an empty value,
    which clears it) and the tags with the prefix to remove (sorted)."""
    wanted = prefix + tag_text(value) if value is not None and value != "" else None
    return wanted, sorted(t for t in tags if t.startswith(prefix) and t != wanted)


def field_title(name: str) -> str:
    """``sla_next_update_due`` -> ``SLA next update due``: the title of a field setup creates
    for a neutral attribute (and where an unmapped one is looked for)."""
    words = name.split("_")
    if words and words[0] == "sla":
        words[0] = "SLA"
    elif words:
        words[0] = words[0].capitalize()
    return " ".join(words)
