"""The index's packed band key rows (dedupe._index_store): removing the entries of some documents
from many rows at once (``without_entries``, one sort) gives what removing them row by row gives,
and packing then unpacking keeps every entry."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dedupe._index_store import ENTRY, pack_entries, unpack_entries, without_entries

KEYS = st.sampled_from([-(2**63), -5, 0, 3, 2**40, 2**63 - 1])


@st.composite
def stored_and_dropped(draw: st.DrawFn) -> tuple[list[tuple[int, int, int]], list[tuple[int, int]]]:
    entries = draw(st.lists(st.tuples(KEYS, st.integers(0, 6), st.integers(0, 3)), max_size=40))
    drops = draw(st.lists(st.tuples(KEYS, st.integers(0, 6)), max_size=12))
    return entries, drops


@settings(max_examples=200, deadline=None)
@given(stored_and_dropped())
def test_without_entries_is_removal_row_by_row(case) -> None:
    entries, drops = case
    keys = np.array([k for k, _, _ in entries], dtype=np.int64).view(np.uint64)
    nums = np.array([n for _, n, _ in entries], dtype=np.int64)
    aux = np.array([a for _, _, a in entries], dtype=np.uint64)
    uniq, blobs = pack_entries(keys, nums, aux)
    row_keys = uniq.tolist()
    k, n, a = unpack_entries(row_keys, blobs)
    assert list(zip(k.view(np.int64).tolist(), n.tolist(), a.tolist())) == sorted(set(entries))
    expected = []
    for key, blob in zip(row_keys, blobs):
        arr = np.frombuffer(blob, dtype=ENTRY)
        gone = {num for dk, num in drops if dk == key}
        kept = arr[~np.isin(arr["num"], list(gone))]
        if len(kept) != len(arr):
            expected.append((key, kept.tobytes() if len(kept) else None))
    got = without_entries(row_keys, blobs, np.array([d[0] for d in drops], dtype=np.int64).view(np.uint64),
                          np.array([d[1] for d in drops], dtype=np.int64))
    assert got == expected
