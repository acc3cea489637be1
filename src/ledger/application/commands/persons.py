"""Commands on persons: register, correct details."""

from __future__ import annotations

from ledger.application.commands.types import Code, Command, Name, Text


class RegisterPerson(Command):
    name: Name
    person_no: Code | None = None


class CorrectPerson(Command):
    name: Name | None = None
    person_no: Code | None = None
    reason: Text
