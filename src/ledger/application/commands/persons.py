"""Commands on persons: register, correct details."""

from __future__ import annotations

from pydantic import Field

from ledger.application.commands.types import Code, Command, Name, Part, Text

_NUMBER = (
    "Identity number (e.g. 居民身份证号码); stored only as a keyed hash, never returned,"
    " unique among persons."
)


class RegisterPerson(Command):
    name: Name
    person_no: Code | None = Field(default=None, description=_NUMBER)


class CorrectPerson(Command):
    name: Name | None = None
    person_no: Code | None = Field(default=None, description=_NUMBER)
    reason: Text


class FindPerson(Part):
    """The number travels in a body, not a URL, to stay out of access logs."""

    person_no: Code = Field(description="The identity number to look up.")
