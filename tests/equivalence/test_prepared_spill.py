"""Documents are prepared for verification once, packed to a temporary file and read back.

- ``unpack_prepared(pack_prepared(p))`` is ``p``: every array with the same values and
  dtype, the same analysis (tokens and sentences), whichever way ``p`` was prepared;
- verification of read-back documents gives the same links as of the originals;
- ``BlobSpill`` regions written from forked workers at once never overlap;
- ``PairVerifier`` takes what ``load`` has and prepares the rest from text.
"""

from __future__ import annotations

import multiprocessing
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedupe.config import DedupConfig
from dedupe._store import BlobSpill
from dedupe._text import analyze
from dedupe._verify import PairVerifier, pack_prepared, prepare, prepare_texts, unpack_prepared, verify_many

from test_verify_batch import ARRAYS, ODD, make_docs


def _same(p, q) -> None:
    assert q.id == p.id
    for name in ARRAYS:
        a, b = getattr(p, name), getattr(q, name)
        assert a.dtype == b.dtype, name
        assert np.array_equal(a, b), name
    assert q.analysis == p.analysis
    assert tuple(q.analysis.sentence_starts) == tuple(p.analysis.sentence_starts)
    assert q.tokens == p.tokens and q.comparable == p.comparable


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 8))
def test_pack_round_trip(seed, n_docs):
    config = DedupConfig()
    texts = make_docs(seed, n_docs) + ["", "   ", "one", " ".join(ODD)]
    ids = [f"d{k}" for k in range(len(texts))]
    for p in prepare_texts(ids, texts, config):
        _same(p, unpack_prepared(p.id, pack_prepared(p)))
    for i, t in zip(ids, texts):  # prepared from a plain Analysis (token strings)
        p = prepare(i, analyze(t), config)
        q = unpack_prepared(i, pack_prepared(p))
        _same(p, q)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_read_back_documents_verify_the_same(seed):
    config = DedupConfig()
    texts = make_docs(seed, 8)
    ids = [str(k) for k in range(len(texts))]
    prepared = prepare_texts(ids, texts, config)
    spill = BlobSpill()
    try:
        at = spill.append([pack_prepared(p) for p in prepared])
        sizes = [len(pack_prepared(p)) for p in prepared]
        back = [unpack_prepared(i, spill.read(int(o), n)) for i, o, n in zip(ids, at, sizes)]
    finally:
        spill.close()
    pairs = [(a, b) for a in range(len(texts)) for b in range(a + 1, len(texts))]
    expected = [x and x.to_dict() for x in verify_many(pairs, prepared, config)]
    assert [x and x.to_dict() for x in verify_many(pairs, back, config)] == expected
    assert any(expected)  # the generator makes links, so the comparison says something


def test_truncated_packed_document_is_an_error():
    p = prepare_texts(["a"], ["Enough words in this sentence to count. And one more sentence here."], DedupConfig())[0]
    data = pack_prepared(p)
    with pytest.raises(ValueError, match="'a'"):
        unpack_prepared("a", data[:-1])


def _append_many(spill: BlobSpill, worker: int, out) -> None:
    rng = random.Random(worker)
    blobs = [bytes([worker]) * rng.randint(0, 300) for _ in range(200)]
    at = spill.append(blobs)
    out.put([(int(o), len(b), worker) for o, b in zip(at, blobs)])


def test_blob_spill_regions_from_forked_workers_do_not_overlap():
    ctx = multiprocessing.get_context("fork")
    spill = BlobSpill()
    try:
        out = ctx.Queue()
        procs = [ctx.Process(target=_append_many, args=(spill, w, out)) for w in range(1, 5)]
        for proc in procs:
            proc.start()
        regions = [r for _ in procs for r in out.get(timeout=60)]
        for proc in procs:
            proc.join(60)
            assert proc.exitcode == 0
        regions.sort()
        for (o1, n1, _), (o2, _, _) in zip(regions, regions[1:]):
            assert o1 + n1 <= o2
        for offset, n, worker in regions:  # each read back as its writer wrote it
            assert spill.read(offset, n) == bytes([worker]) * n
    finally:
        spill.close()


def test_pair_verifier_loads_what_it_can_and_prepares_the_rest():
    config = DedupConfig()
    texts = make_docs(7, 6)
    ids = [str(k) for k in range(len(texts))]
    prepared = prepare_texts(ids, texts, config)
    fetched: list[int] = []

    def fetch(numbers):
        fetched.extend(numbers)
        return [ids[n] for n in numbers], [texts[n] for n in numbers]

    def load(numbers):  # only the even documents were prepared elsewhere
        return [unpack_prepared(ids[n], pack_prepared(prepared[n])) if n % 2 == 0 else None for n in numbers]

    pairs = [(a, b) for a in range(len(texts)) for b in range(a + 1, len(texts))]
    verifier = PairVerifier(fetch, config, load=load)
    got = [verifier.check(a, b) for a, b in pairs]
    assert sorted(set(fetched)) == [1, 3, 5]
    assert [x and x.to_dict() for x in got] == [x and x.to_dict() for x in verify_many(pairs, prepared, config)]
