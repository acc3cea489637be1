"""A line of an import file: read, checked, its references resolved, its errors in words.

A line is one record and its history::

    {"kind": "finding", "key": "F-2019-0031", "actor": "省督察组",
     "create": {"unit_id": "U-wuxi", "inspection_id": "I-2019-03", ...},
     "steps": [{"op": "rectification-plan", ...}, {"op": "verify", ...}]}

or steps that continue the record of an earlier line (history is in time order: an
inspection under way, its findings, then its closing)::

    {"kind": "inspection", "key": "I-2019-03/close", "of": "I-2019-03",
     "steps": [{"op": "feedback", ...}, {"op": "close", ...}]}

``create`` is the body of ``POST /v1/<resource>``; each step, the body of ``POST
/v1/<resource>/{id}/<op>`` with its ``op`` (and, where the API takes one from the path, that
field: a withdrawn attribution's ``person_id``, a sanction's ``sanction_id``). A field that
names a record (``unit_id``, ``reports_to``, ``finding_ids``, …) holds the ``key`` of an
earlier line or of an earlier import, or the id of a record in the ledger.
"""

from __future__ import annotations

import hashlib
import json
import types
import typing
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from ledger.application.commands import Body
from ledger.application.commands.types import Name, in_words
from ledger.application.imports.kinds import EXCLUDED, KINDS

MAX_STEPS = 500

Key = Annotated[
    str,
    StringConstraints(min_length=1, max_length=200, pattern=r"^[^\s\x00-\x1f\x7f]+$"),
]

KindName = Literal["unit", "person", "assignment", "inspection", "finding", "case"]


class Line(BaseModel):
    """A line's frame; ``create`` and each step are checked as their commands are."""

    model_config = ConfigDict(extra="forbid")

    kind: KindName
    key: Key = Field(
        description="Names the record within and across imports: unique, never reused."
    )
    actor: Name | None = Field(
        default=None, description="Who acted, as the record says (default: the importer)."
    )
    create: dict[str, Any] | None = Field(
        default=None, description="The new record (exactly one of create and of)."
    )
    of: Key | None = Field(
        default=None,
        description="Or the record of an earlier line (its key) or of the ledger (its id)"
        " that the steps continue.",
    )
    steps: list[dict[str, Any]] = Field(default_factory=list, max_length=MAX_STEPS)

    @model_validator(mode="after")
    def _create_or_of(self) -> Line:
        if (self.create is None) == (self.of is None):
            raise ValueError("a line holds exactly one of create (a new record) and of")
        if self.of is not None and not self.steps:
            raise ValueError("a line that continues a record (of) needs steps")
        return self


@dataclass
class LineError:
    line: int
    field: str | None
    rule: str
    message: str

    def as_json(self) -> dict[str, Any]:
        return {"line": self.line, "field": self.field, "rule": self.rule, "message": self.message}

    def __str__(self) -> str:
        where = f", {self.field}" if self.field else ""
        return f"line {self.line}{where}: {self.message}"


class Refused(Exception):
    """A line's error, raised while it is read or run."""

    def __init__(self, error: LineError) -> None:
        super().__init__(str(error))
        self.error = error


@dataclass
class Parsed:
    number: int
    line: Line
    content_hash: bytes
    errors: list[LineError] = field(default_factory=list)


def parse(number: int, text: str | bytes) -> Parsed:
    """Read one line; raises ``Refused`` when it is not JSON or its frame is wrong."""
    try:
        raw = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise Refused(LineError(number, None, "json", f"not valid JSON: {error}")) from None
    if not isinstance(raw, dict):
        raise Refused(LineError(number, None, "json", "a line must be a JSON object"))
    try:
        line = Line.model_validate(raw)
    except ValidationError as error:
        raise Refused(_first(number, error, "")) from None
    canonical = json.dumps(raw, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return Parsed(number, line, hashlib.sha256(canonical.encode()).digest())


def command(
    number: int, model: type[Body], body: dict[str, Any], where: str, resolve: Resolver
) -> Body:
    """``body`` as ``model``, its reference fields resolved to ids first."""
    resolved = dict(body)
    for name, many in references(model).items():
        if name in resolved and resolved[name] is not None:
            value = resolved[name]
            if many and isinstance(value, list):
                resolved[name] = [resolve(v, f"{where}{name}.{i}") for i, v in enumerate(value)]
            elif not many:
                resolved[name] = resolve(value, f"{where}{name}")
    try:
        return model.model_validate(resolved)
    except ValidationError as error:
        raise Refused(_first(number, error, where)) from None


class Resolver:
    """Turns a reference (a key, or a record's id) into an id, or refuses it in words."""

    def __init__(
        self,
        number: int,
        ids: dict[str, UUID],
        seen: dict[str, int],
        failed: dict[str, int],
        missing: list[tuple[LineError, str]],
    ) -> None:
        self.number = number
        self.ids = ids  # the records made so far, by key
        self.seen = seen  # every key read so far: its line
        self.failed = failed  # the keys of refused lines: their line
        self.missing = missing  # references to a key no line has had (yet)

    def __call__(self, value: Any, where: str) -> Any:
        if not isinstance(value, str):
            return value  # the command's own check names the type
        found = self.ids.get(value)
        if found is not None:
            return found
        if value in self.failed:
            message = f"{value!r} is the record of line {self.failed[value]}, which is refused"
            raise Refused(LineError(self.number, where, "reference", message))
        if self.seen.get(value, 0) > self.number:
            raise Refused(_later(self.number, where, value, self.seen[value]))
        try:
            return UUID(value)
        except ValueError:
            message = f"no record has the key {value!r} in this file or an earlier import"
            error = LineError(self.number, where, "reference", message)
            self.missing.append((error, value))
            raise Refused(error) from None


def later_defined(missing: list[tuple[LineError, str]], seen: dict[str, int]) -> None:
    """Say so of a reference to a key a later line defines (read after the reference)."""
    for error, key in missing:
        if seen.get(key, 0) > error.line:
            error.message = _later(error.line, error.field, key, seen[key]).message


def _later(number: int, where: str | None, key: str, line: int) -> LineError:
    message = (
        f"{key!r} is defined later, on line {line}: a record must come before the lines"
        " that refer to it"
    )
    return LineError(number, where, "reference", message)


def excluded(number: int, kind: str, body: dict[str, Any]) -> None:
    for name in EXCLUDED.get(kind, frozenset()):
        if body.get(name) is not None:
            message = f"a {kind} is not imported with {name}: it is recorded through the API"
            raise Refused(LineError(number, f"create.{name}", "not_imported", message))


def step_op(number: int, kind: str, index: int, step: dict[str, Any]) -> str:
    op = step.get("op")
    allowed = sorted(KINDS[kind].steps)
    if op not in KINDS[kind].steps:
        message = f"a {kind}'s step is one of {', '.join(allowed)}, not {op!r}"
        raise Refused(LineError(number, f"steps.{index}.op", "step", message))
    return str(op)


def _first(number: int, error: ValidationError, where: str) -> LineError:
    item = error.errors(include_url=False)[0]
    path = where + ".".join(str(p) for p in item["loc"])
    return LineError(number, path or None, item["type"], in_words(item))


_REFERENCE_FIELDS: dict[type[BaseModel], dict[str, bool]] = {}


def references(model: type[BaseModel]) -> dict[str, bool]:
    """The model's fields that hold ids: name → whether it is a list of them."""
    if model not in _REFERENCE_FIELDS:
        found = {}
        for name, info in model.model_fields.items():
            kind = _uuid_kind(info.annotation)
            if kind is not None:
                found[name] = kind
        _REFERENCE_FIELDS[model] = found
    return _REFERENCE_FIELDS[model]


def _uuid_kind(annotation: Any) -> bool | None:
    if annotation is UUID:
        return False
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is list and args and args[0] is UUID:
        return True
    if origin in (typing.Union, types.UnionType):
        kinds = [k for k in (_uuid_kind(a) for a in args) if k is not None]
        return kinds[0] if kinds else None
    return None
