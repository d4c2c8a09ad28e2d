"""The document store: the same documents back whether kept in memory or spilled, in insertion order."""

from __future__ import annotations

import os

from hypothesis import given, settings
from hypothesis import strategies as st

from dedupe.records import Change, Document
from dedupe._store import DocumentStore

_docs = st.lists(
    st.tuples(st.sampled_from("abcdefgh"), st.text(max_size=40), st.sampled_from([None, "cp1252", "utf-8"]),
              st.lists(st.sampled_from(["paywall", "share_bar"]), max_size=2), st.booleans()),
    max_size=30,
)


@settings(max_examples=60, deadline=None)
@given(_docs, st.integers(0, 120))
def test_store_behaves_like_an_insertion_ordered_dict(ops, memory: int) -> None:
    store = DocumentStore(memory_bytes=memory)
    model: dict[str, Document] = {}
    try:
        for doc_id, text, enc, rules, delete in ops:
            if delete and doc_id in model:
                del store[doc_id]
                del model[doc_id]
                continue
            doc = Document(doc_id, text=text, meta={"input_encoding": enc} if enc else {},
                           changes=tuple(Change(r, removed="x") for r in rules))
            store.put(doc)
            model[doc_id] = doc
        assert list(store) == list(model)
        assert {k: store[k] for k in store} == model
        assert len(store) == len(model)
        encodings = {}
        rules_ = {}
        for d in model.values():
            if d.meta.get("input_encoding"):
                encodings[d.meta["input_encoding"]] = encodings.get(d.meta["input_encoding"], 0) + 1
            for c in d.changes:
                rules_[c.rule] = rules_.get(c.rule, 0) + 1
        assert dict(store.encodings) == encodings and dict(store.rules) == rules_
    finally:
        store.close()


def test_a_spilled_store_is_readable_from_forked_workers() -> None:
    store = DocumentStore(memory_bytes=0)
    for i in range(50):
        store.put(Document(f"d{i}", text=f"text {i} " * i))
    assert store.spilled
    # Forked workers inherit the store (its descriptor); each reads with pread, which
    # leaves the shared file offset alone.
    pids = []
    for i in (7, 31):
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(r)
            os.write(w, store[f"d{i}"].text.encode())
            os._exit(0)
        os.close(w)
        data = b""
        while chunk := os.read(r, 65536):
            data += chunk
        os.close(r)
        pids.append(pid)
        assert data.decode() == f"text {i} " * i
    for pid in pids:
        os.waitpid(pid, 0)
    assert store["d49"].text == "text 49 " * 49  # the parent still reads correctly
    store.close()


def test_key_spill_reports_a_failed_background_write(monkeypatch) -> None:
    import numpy as np
    import pytest

    from dedupe import _store as store
    def full_disk(fd: int, data: bytes, offset: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store, "write_all", full_disk)
    spill = store.KeySpill(memory_bytes=0)  # every flush goes to the file, through the writer thread
    spill.add(np.arange(1000, dtype=np.uint64) << np.uint64(40), np.arange(1000))
    with pytest.raises(OSError, match="No space left"):
        spill.flush()
    spill.close()


def test_key_spill_written_in_the_background_reads_back_every_pair() -> None:
    import numpy as np

    from dedupe._store import KeySpill

    rng = np.random.default_rng(5)
    keys = rng.integers(0, 2**63, size=50_000, dtype=np.uint64)
    owners = rng.integers(0, 2**31, size=50_000)
    aux = rng.integers(0, 2**64, size=50_000, dtype=np.uint64)
    spill = KeySpill(memory_bytes=0)
    for lo in range(0, len(keys), 700):  # many small batches, many background writes
        spill.add(keys[lo:lo + 700], owners[lo:lo + 700], aux[lo:lo + 700])
    got = list(spill.partitions())
    spill.close()
    back_keys = np.concatenate([k for k, _, _ in got])
    back_owners = np.concatenate([o for _, o, _ in got])
    back_aux = np.concatenate([a for _, _, a in got])
    order, back = np.lexsort((aux, owners, keys)), np.lexsort((back_aux, back_owners, back_keys))
    assert np.array_equal(keys[order], back_keys[back]) and np.array_equal(owners[order], back_owners[back])
    assert np.array_equal(aux[order], back_aux[back])
