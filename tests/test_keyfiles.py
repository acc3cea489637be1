"""The data directory's secret files when several processes start at once on an empty one
(N API processes and workers): one creates each key, every process uses the same one, and
none reads a file half-written."""

from __future__ import annotations

import multiprocessing
import stat
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization

from ledger.infra import keyfiles, pii
from ledger.infra.keyfiles import create_private, ed25519_key, write_private
from ledger.infra.pii import load_pii_key

PROCESSES = 8


def _start_together(barriers: list[Any], results: Any, folder: Path) -> None:
    """One process starting: every one has found no key and made its own before any
    creates the file (the race, forced), then each reads whichever was created."""
    for module, barrier in zip((keyfiles, pii), barriers, strict=True):
        create = module.create_private

        def together(path: Path, data: bytes, barrier: Any = barrier, create: Any = create) -> bool:
            barrier.wait(timeout=30)
            return bool(create(path, data))

        module.create_private = together  # type: ignore[attr-defined]
    key, created = ed25519_key(folder / "signing-key.pem", None)
    public = key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    results.put((public, created, load_pii_key(None, folder)))


def test_processes_starting_at_once_share_one_key_each(tmp_path: Path) -> None:
    context = multiprocessing.get_context("fork")
    barriers, results = [context.Barrier(PROCESSES) for _ in range(2)], context.Queue()
    processes = [
        context.Process(target=_start_together, args=(barriers, results, tmp_path))
        for _ in range(PROCESSES)
    ]
    for process in processes:
        process.start()
    answers = [results.get(timeout=30) for _ in processes]
    for process in processes:
        process.join(timeout=30)
        assert process.exitcode == 0
    assert len({public for public, _, _ in answers}) == 1
    assert sum(created for _, created, _ in answers) == 1  # the others read its key
    assert len({pii for _, _, pii in answers}) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pii-key", "signing-key.pem"]
    assert stat.S_IMODE((tmp_path / "pii-key").stat().st_mode) == 0o600


def test_a_private_file_is_never_replaced(tmp_path: Path) -> None:
    path = tmp_path / "secret"
    assert create_private(path, b"first")
    assert not create_private(path, b"second")
    with pytest.raises(FileExistsError):
        write_private(path, b"third")
    assert path.read_bytes() == b"first"
    assert [p.name for p in tmp_path.iterdir()] == ["secret"]  # no draft left behind
