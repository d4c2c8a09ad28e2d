"""Shared fixtures. Tests never read ../shared: everything they need is in the repo."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Iterator

import pytest
from hypothesis import settings

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
DATA = Path(__file__).resolve().parent / "data"

settings.register_profile("ci", deadline=None, max_examples=60, derandomize=True)
settings.register_profile("dev", deadline=None, max_examples=60)
settings.load_profile("ci")


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return SEEDS


@pytest.fixture(scope="session")
def seeds_expected() -> dict:
    return json.loads((DATA / "seeds_expected.json").read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def _restore_dedupe_logger() -> Iterator[None]:
    """``main`` reconfigures the ``dedupe`` logger; put it back for the other test modules."""
    log = logging.getLogger("dedupe")
    saved = (log.handlers[:], log.level, log.propagate)
    yield
    log.handlers[:], log.level, log.propagate = saved[0], saved[1], saved[2]


@pytest.fixture
def pool_spy(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The worker counts of the process pools dedupe starts while the test runs (a list it appends to)."""
    import dedupe.parallel

    pools: list[int] = []
    real_pool_map = dedupe.parallel._pool_map

    def spy(func, items, workers, chunksize, ctx):  # type: ignore[no-untyped-def]
        pools.append(workers)
        return real_pool_map(func, items, workers, chunksize, ctx)

    monkeypatch.setattr(dedupe.parallel, "_pool_map", spy)
    return pools

