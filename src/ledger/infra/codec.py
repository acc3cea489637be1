"""Events to stored bytes and back, with eventsourcing's mapper and JSON transcoder."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Any

from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    JSONTranscoder,
    Mapper,
    Transcoding,
    UUIDAsHex,
)

from ledger.domain import vocab


class DateAsISO(Transcoding):
    """``datetime.date`` as ``YYYY-MM-DD`` (eventsourcing has none built in)."""

    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class EnumAsValue(Transcoding):
    """A vocabulary enum as its code; one transcoding per enum class."""

    def __init__(self, enum_type: type[Enum]) -> None:
        self.type = enum_type
        self.name = enum_type.__name__

    def encode(self, obj: Enum) -> Any:
        return obj.value

    def decode(self, data: Any) -> Enum:
        decoded: Enum = self.type(data)
        return decoded


def make_mapper() -> Mapper[Any]:
    transcoder = JSONTranscoder()
    for transcoding in (UUIDAsHex(), DatetimeAsISO(), DecimalAsStr(), DateAsISO()):
        transcoder.register(transcoding)
    for enum_type in vocab.ALL:
        transcoder.register(EnumAsValue(enum_type))
    return Mapper(transcoder=transcoder)
