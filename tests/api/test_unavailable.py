"""A database that does not answer is a 503 with Retry-After, never a 500."""

from __future__ import annotations

import asyncpg
import pytest

from ledger.api.errors import from_exception


@pytest.mark.parametrize(
    "error",
    [
        ConnectionRefusedError(111, "Connect call failed"),
        TimeoutError(),
        asyncpg.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
        asyncpg.CannotConnectNowError("the database system is starting up"),
        asyncpg.AdminShutdownError("terminating connection due to administrator command"),
        asyncpg.TooManyConnectionsError("sorry, too many clients already"),
    ],
)
def test_a_lost_database_answers_503(error: Exception) -> None:
    problem = from_exception(error)
    assert problem is not None
    assert problem.status == 503 and problem.headers["Retry-After"] == "5"
    assert problem.response().content_type == "application/problem+json"


def test_an_unexpected_error_is_left_to_the_middleware() -> None:
    assert from_exception(RuntimeError("a bug")) is None
