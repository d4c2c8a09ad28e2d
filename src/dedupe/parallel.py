"""An ordered map over worker processes: results come back in input order, so
output never depends on the worker count."""

from __future__ import annotations

import multiprocessing
import signal
import sys
from concurrent.futures import ProcessPoolExecutor
from typing import Callable, Iterable, Iterator, Sequence, TypeVar

__all__ = ["ordered_map"]

T = TypeVar("T")
R = TypeVar("R")

# Below this many items a pool costs more than it saves.
_MIN_PARALLEL_ITEMS = 256


def ordered_map(func: Callable[[T], R], items: Sequence[T], workers: int, chunksize: int = 64,
                min_items: int = _MIN_PARALLEL_ITEMS, method: str | None = None) -> Iterator[R]:
    """``map(func, items)`` on ``workers`` processes (in this process when 1 worker or
    fewer than ``min_items`` items). ``method``: the start method (default: fork on
    Linux, spawn elsewhere)."""
    if workers <= 1 or len(items) < min_items:
        return map(func, items)
    method = method or ("fork" if sys.platform.startswith("linux") else "spawn")
    ctx = multiprocessing.get_context(method)
    return _pool_map(func, items, workers, chunksize, ctx)


def _worker_init() -> None:
    # Forked workers inherit the CLI's SIGTERM handler; the parent handles
    # termination and shuts the pool down, so a worker just ends.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _pool_map(func: Callable[[T], R], items: Iterable[T], workers: int, chunksize: int, ctx) -> Iterator[R]:
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_worker_init) as pool:
        yield from pool.map(func, items, chunksize=chunksize)
