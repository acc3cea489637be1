"""Vocabularies: every code the API takes or answers, with its Chinese label, so a client
shows 纪检监察机关 where the ledger stores ``discipline_body``."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from pydantic import Field, create_model

from ledger.api.http import json_response
from ledger.api.routing import RouteTable
from ledger.api.schemas import View
from ledger.domain.labels import LABELS, vocabulary_name
from ledger.domain.vocab import ALL

routes = RouteTable("vocabularies")


class Term(View):
    code: str = Field(description="The code, as commands take it and answers give it.")
    label: str = Field(description="Its Chinese label.")


# One field per vocabulary, named as ``labels.vocabulary_name`` names it.
_FIELDS: dict[str, Any] = {
    vocabulary_name(vocabulary): (
        list[Term],
        Field(description=(vocabulary.__doc__ or vocabulary.__name__).strip().splitlines()[0]),
    )
    for vocabulary in ALL
}
Vocabularies = create_model("Vocabularies", __base__=View, **_FIELDS)

_ANSWER = {
    vocabulary_name(vocabulary): [
        {"code": member.value, "label": LABELS[vocabulary][member.value]} for member in vocabulary
    ]
    for vocabulary in ALL
}


@routes.route(
    "GET",
    "/v1/vocabularies",
    "Every code of every vocabulary, with its Chinese label",
    response=Vocabularies,
)
async def list_vocabularies(request: web.Request) -> web.Response:
    return json_response(_ANSWER)
