"""Shared field types and the bases of every command."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationInfo,
)

_NO_CONTROL = r"^[^\x00-\x1f\x7f]*$"
_CODE = r"^[\w.\-/]+$"
# Free text may break lines (LF, CR, tab) but carries no other control characters.
_TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
_SHA256 = r"^[0-9a-f]{64}$"
_EXTERNAL_ID = r"^[^\s\x00-\x1f\x7f]+$"

# Each pattern in words: a refusal names the rule as a reader can follow it, never the
# expression. The second element: whether the rule is about single characters (then the
# refusal also names the first character that breaks it).
PATTERN_WORDS: dict[str, tuple[str, bool]] = {
    _NO_CONTROL: ("must be one line, without line breaks, tabs or other control characters", True),
    _CODE: ("may hold only letters, digits and . _ - / (no spaces)", True),
    _TEXT: ("must not contain control characters (line breaks and tabs are allowed)", True),
    _SHA256: ("must be a SHA-256 digest: 64 lowercase hexadecimal digits", False),
    _EXTERNAL_ID: ("must not contain spaces, line breaks or other control characters", True),
}


Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=_NO_CONTROL)
]


Code = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=_CODE),
]


Text = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000, pattern=_TEXT)
]


Basis = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=_NO_CONTROL)
]


def _plausible(day: date) -> date:
    if not date(1900, 1, 1) <= day <= date(2199, 12, 31):
        raise ValueError("date must be between 1900-01-01 and 2199-12-31")
    return day


# The bounds in the contract too, so that a client (or a generator of requests) knows them.
DAY_PATTERN = r"^(19|2[01])[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
Day = Annotated[date, AfterValidator(_plausible), Field(json_schema_extra={"pattern": DAY_PATTERN})]


Sha256 = Annotated[str, StringConstraints(pattern=_SHA256)]


# Other systems' ids take many shapes (a court case number is （2024）苏02行初1号): any
# printable characters but spaces and control characters.
ExternalId = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=128, pattern=_EXTERNAL_ID),
]


Year = Annotated[int, Field(ge=1900, le=2199)]


# Floats, not decimals, so that a number sent as a string is refused; the routes hand the
# domain a Decimal of the number's text.
Weight = Annotated[float, Field(gt=0, le=100, allow_inf_nan=False)]


Score = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]


def _plausible_instant(moment: datetime) -> datetime:
    # Bounded like Day, which also keeps a conversion to UTC from overflowing.
    if not date(1900, 1, 1) <= moment.date() <= date(2199, 12, 31):
        raise ValueError("time must be between 1900-01-01 and 2199-12-31")
    return moment


Instant = Annotated[
    AwareDatetime,
    AfterValidator(_plausible_instant),
    Field(json_schema_extra={"pattern": r"^(19|2[01])[0-9]{2}-"}),
]


_ACT = ("reason", "basis")


class Body(BaseModel):
    """Base of every command: unknown fields refused. A request body is validated strictly
    (``api.http.read_body``); a command built in Python (the demo, tests) converts as
    pydantic's lax mode does, a date from a date or a part from a dict."""

    model_config = ConfigDict(extra="forbid")

    basis: Basis | None = Field(
        default=None, description="Document the act rests on, e.g. 苏办厅字〔2019〕33号."
    )

    def fields(self) -> dict[str, Any]:
        """The command's fields as keyword arguments of the aggregate's method, by the same
        names: all but ``reason`` and ``basis``, which every event records through
        ``Context.meta``."""
        return {name: getattr(self, name) for name in type(self).model_fields if name not in _ACT}


class Command(Body):
    reason: Text | None = Field(default=None, description="Why (free text).")


class Part(BaseModel):
    """Base of objects nested in a command: unknown fields refused."""

    model_config = ConfigDict(extra="forbid")


def typed_as_field(types: Mapping[Any, TypeAdapter[Any]], value: Any, info: ValidationInfo) -> Any:
    """A correction's ``new`` value, validated as the field it corrects is typed."""
    corrected = info.data.get("field")
    if corrected is None:
        return value
    if info.mode == "json":
        return types[corrected].validate_json(json.dumps(value), strict=True)
    return types[corrected].validate_python(value)


# pydantic's messages that show an expression or a parser's internals, in words.
_WORDS = {
    "uuid_parsing": "Input should be a UUID, e.g. 3fa85f64-5717-4562-b3fc-2c963f66afa6",
    "uuid_type": "Input should be a UUID, e.g. 3fa85f64-5717-4562-b3fc-2c963f66afa6",
}
_CHARACTERS = {"\n": "a line break", "\r": "a carriage return", "\t": "a tab", " ": "a space"}


def in_words(item: Any) -> str:
    """The message of a validation error, as a user can act on it: a pattern (a regular
    expression) is said in words, with the first character that breaks it."""
    kind, value = item["type"], item.get("input")
    if kind == "string_pattern_mismatch":
        pattern = str(item.get("ctx", {}).get("pattern", ""))
        words, by_character = PATTERN_WORDS.get(pattern, ("contains characters not allowed", False))
        if by_character and isinstance(value, str):
            wrong = next((c for c in value if not re.fullmatch(pattern, c)), None)
            if wrong is not None:
                shown = _CHARACTERS.get(wrong, f"U+{ord(wrong):04X}")
                words += f"; found {shown} at character {value.index(wrong) + 1}"
        return words
    message = str(_WORDS.get(kind, item["msg"]))
    return message.removeprefix("Value error, ")
