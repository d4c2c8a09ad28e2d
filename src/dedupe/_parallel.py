"""An ordered map over worker processes: results come back in input order, so
output never depends on the worker count."""

from __future__ import annotations

import multiprocessing
import signal
import sys
from concurrent.futures import ProcessPoolExecutor
from collections import deque
from itertools import islice
from typing import Callable, Iterable, Iterator, Sequence, TypeVar

__all__ = ["ordered_map", "ordered_imap"]

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
    return pool_map(func, items, workers, chunksize, ctx)


def _worker_init() -> None:
    # Forked workers inherit the CLI's SIGTERM handler; the parent handles
    # termination and shuts the pool down, so a worker just ends.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def pool_map(func: Callable[[T], R], items: Iterable[T], workers: int, chunksize: int, ctx) -> Iterator[R]:
    """``map(func, items)`` on a pool of ``workers`` processes of the multiprocessing context ``ctx``,
    in input order: what :func:`ordered_map` runs when it uses workers."""
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_worker_init) as pool:
        yield from pool.map(func, items, chunksize=chunksize)


def _apply(func: Callable[[T], R], items: list[T]) -> list[R]:
    return [func(item) for item in items]


def ordered_imap(func: Callable[[T], R], items: Iterable[T], workers: int, chunksize: int = 64,
                 window: int = 4, method: str | None = None) -> Iterator[R]:
    """``map(func, items)`` over a stream: like :func:`ordered_map`, but ``items`` is read
    lazily and at most ``window`` chunks per worker are in flight, so memory stays
    bounded however long the stream. Results come back in input order."""
    it = iter(items)
    if workers <= 1:
        yield from map(func, it)
        return
    first = list(islice(it, chunksize))
    second = list(islice(it, chunksize)) if len(first) == chunksize else []
    if not second:  # one chunk: a pool costs more than it saves
        yield from map(func, first)
        return
    method = method or ("fork" if sys.platform.startswith("linux") else "spawn")
    ctx = multiprocessing.get_context(method)
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_worker_init) as pool:
        pending: deque = deque([pool.submit(_apply, func, first), pool.submit(_apply, func, second)])
        exhausted = False
        while pending:
            while not exhausted and len(pending) < workers * window:
                chunk = list(islice(it, chunksize))
                if not chunk:
                    exhausted = True
                    break
                pending.append(pool.submit(_apply, func, chunk))
            yield from pending.popleft().result()
