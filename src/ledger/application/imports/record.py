"""One line's record, run: its create (or the record it continues) and each of its steps,
through the API's own handlers; a refusal named with the line, the field and the rule."""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from uuid import UUID

from pydantic import TypeAdapter, ValidationError

from ledger.application import Ledger
from ledger.application.commands.types import Name
from ledger.application.imports.kinds import KINDS
from ledger.application.imports.lines import (
    LineError,
    Parsed,
    Refused,
    Resolver,
    command,
    excluded,
    step_op,
)
from ledger.application.imports.staging import StagedStore
from ledger.application.service import Context
from ledger.domain.errors import DomainError

SANCTION_STEPS = {"appeal", "uphold", "modify", "revoke"}
_ACTOR: TypeAdapter[str] = TypeAdapter(Name)


class Records:
    def __init__(
        self,
        ledger: Ledger,
        store: StagedStore,
        actor: str,
        today: date,
        jurisdiction: UUID | None,
    ) -> None:
        self.ledger = ledger
        self.store = store
        self.actor = actor
        self.today = today
        self.jurisdiction = jurisdiction

    async def run(self, item: Parsed, resolve: Resolver) -> UUID:
        """Run the line's create (or take up its record) and its steps; its record's id."""
        ledger, store = self.ledger, self.store
        line, number = item.line, item.number
        kind = KINDS[line.kind]
        if line.create is not None:
            excluded(number, line.kind, line.create)
            create = command(number, kind.create, line.create, "create.", resolve)
            made = await self._command(
                number, "create.", lambda ctx: kind.run(ledger, ctx, create), line.actor
            )
            record: UUID = made.id
        else:
            record = _path_id(resolve(line.of, "of"), number, "of.")
            await self._command(
                number, "of.", lambda ctx: store.take_up(kind.aggregate, record), line.actor
            )
        sanctions: dict[str, UUID] = {}
        last_sanction: UUID | None = None
        for index, raw in enumerate(line.steps):
            where = f"steps.{index}."
            op_name = step_op(number, line.kind, index, raw)
            op = kind.steps[op_name]
            body = {k: v for k, v in raw.items() if k not in ("op", "actor", "key", *op.path)}
            path: dict[str, UUID] = {}
            if op_name in SANCTION_STEPS:
                named = raw.get("sanction_id")
                sanction = sanctions.get(named) if isinstance(named, str) else last_sanction
                if sanction is None:
                    message = f"no sanction {'named ' + repr(named) if named else ''} imposed"
                    raise Refused(LineError(number, f"{where}sanction_id", "reference", message))
                body.pop("sanction_id", None)
                path["sanction_id"] = sanction
                if "sanction_id" not in op.path:
                    body["sanction_id"] = str(sanction)
            for name in op.path:
                if name not in path:
                    path[name] = _path_id(resolve(raw.get(name), f"{where}{name}"), number, where)
            cmd = command(number, op.command, body, where, resolve)
            actor = _actor(number, raw.get("actor"), where) or line.actor
            result = await self._command(
                number,
                where,
                lambda ctx, op=op, cmd=cmd, path=path: op.run(ledger, ctx, record, cmd, path),
                actor,
            )
            if "sanction_id" in result.detail:
                last_sanction = UUID(result.detail["sanction_id"])
                if isinstance(raw.get("key"), str):
                    sanctions[raw["key"]] = last_sanction
        return record

    async def _command(self, number: int, where: str, run: Any, actor: str | None) -> Any:
        ctx = Context(
            actor=actor or self.actor,
            source="import",
            jurisdiction=self.jurisdiction,
            today=self.today,
        )
        try:
            return await run(ctx)
        except DomainError as error:
            field_name = f"{where}{error.field}" if error.field else where.rstrip(".")
            rule = re.sub(r"(?<!^)(?=[A-Z])", "_", type(error).__name__).lower()
            raise Refused(LineError(number, field_name, rule, error.message)) from None


def _actor(number: int, value: Any, where: str) -> str | None:
    if value is None:
        return None
    try:
        return _ACTOR.validate_python(value)
    except ValidationError:
        message = "an actor is one line of 1 to 200 characters"
        raise Refused(LineError(number, f"{where}actor", "actor", message)) from None


def _path_id(value: Any, number: int, where: str) -> UUID:
    if isinstance(value, UUID):
        return value
    raise Refused(LineError(number, where.rstrip("."), "reference", "names no record"))
