#!/usr/bin/env python3
"""What compiled kernels would buy: numba versions of the three numeric hot spots of signing,
checked bit for bit against dedupe's numpy code, timed on the same documents.

This is a measurement for a decision, not part of the package: dedupe depends on numpy only,
and the question is whether a compiled dependency (numba here; a C or Rust extension would be
comparable) is worth what it costs users. Needs numba (``pip install numba``); not run in CI.

Usage::

    python benchmarks/speed/compiled_probe.py --base ../shared/data/bbc_news [--docs 2000] [--repeat 5]
    python benchmarks/speed/compiled_probe.py --corpus /tmp/scale.jsonl --run 100000 [--workers 2]

Kernels (each the same definition as the numpy function it replaces, see ``dedupe._sign``):

- ``hash_spans``: token hashes from the folded bytes (tokens of 1-16 bytes; others keep
  the numpy path's xxh3 fallback);
- ``batch_document_values``: one-permutation hashing, the second round and the min-hash
  completion of empty bins, per document;
- ``run_minima``: the 48 per-sentence min-hash values, per sentence.

Folding (``dedupe._text.fold_batch``) stays numpy in both columns.

Rows: one core, CPU time, best of ``--repeat``: ``sign_texts`` (and band keys) with the numpy
kernels and with the compiled ones, the furniture line keys, verification's preparation of
texts, and rensa and the regex yardstick of ``bench_sign.py`` for scale. ``--run N`` also runs
the whole pipeline on the first N documents of ``--corpus`` twice, numpy then compiled
kernels (patched in before the workers fork), and prints both totals; the outputs must be
byte-identical (checked).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

try:
    import numba
except ImportError:  # pragma: no cover - an optional measurement
    raise SystemExit("compiled_probe.py needs numba: pip install numba") from None

import dedupe.clean.furniture as furniture
import dedupe._sign as sign
import dedupe._verify as verify
from dedupe._candidates import signature_keys
from dedupe.config import DedupConfig

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_sign  # noqa: E402

_M1 = np.uint64(0xFF51AFD7ED558CCD)
_M2 = np.uint64(0xC4CEB9FE1A85EC53)
_LOW32 = np.uint64(0xFFFFFFFF)


@numba.njit(cache=True, inline="always")
def _fmix64(h):
    h ^= h >> np.uint64(33)
    h *= _M1
    h ^= h >> np.uint64(33)
    h *= _M2
    h ^= h >> np.uint64(33)
    return h


@numba.njit(cache=True)
def _hash_spans_kernel(buf, starts, lengths, len_key, out):
    for t in range(len(starts)):
        s, m = starts[t], lengths[t]
        if m < 1 or m > 16:
            continue
        lo = np.uint64(0)
        for b in range(min(m, 8)):
            lo |= np.uint64(buf[s + b]) << np.uint64(8 * b)
        h = _fmix64(lo ^ (np.uint64(m) * len_key))
        if m > 8:
            hi = np.uint64(0)
            for b in range(m - 8):
                hi |= np.uint64(buf[s + 8 + b]) << np.uint64(8 * b)
            h = _fmix64(hi ^ h)
        out[t] = h


def hash_spans(buf: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    out = np.empty(len(starts), dtype=np.uint64)
    if not len(starts):
        return out
    n = lengths.astype(np.int64, copy=False)
    _hash_spans_kernel(buf, starts.astype(np.int64, copy=False), n, sign.LEN_KEY, out)
    rest = np.flatnonzero((n < 1) | (n > 16))
    if len(rest):
        import xxhash

        raw = buf.tobytes()
        out[rest] = [xxhash.xxh3_64_intdigest(raw[a : a + b]) for a, b in zip(starts[rest].tolist(), n[rest].tolist())]
    return out


@numba.njit(cache=True)
def _document_values_kernel(sh, fm, sh_off, a, b, round_keys, k, shift, pow2, values):
    filled = np.zeros(k, dtype=np.bool_)
    before = np.zeros(k, dtype=np.bool_)
    for d in range(len(sh_off) - 1):
        lo, hi = sh_off[d], sh_off[d + 1]
        if hi == lo:
            continue
        filled[:] = False
        left = k
        for r in range(len(round_keys)):
            before[:] = filled
            key = round_keys[r]
            for i in range(lo, hi):
                z = np.uint64(sh[i]) * key
                if pow2:
                    j = np.int64(z >> shift)
                else:
                    j = np.int64(((z >> np.uint64(32)) * np.uint64(k)) >> np.uint64(32))
                if before[j]:
                    continue
                v = np.uint32(z & _LOW32)
                if not filled[j]:
                    filled[j] = True
                    left -= 1
                    values[d, j] = v
                elif v < values[d, j]:
                    values[d, j] = v
            if left == 0:
                break
        if left:
            for j in range(k):
                if filled[j]:
                    continue
                best = np.uint64(0xFFFFFFFF)
                aj, bj = np.uint64(a[j]), np.uint64(b[j])
                for i in range(lo, hi):
                    v = (aj * np.uint64(fm[i]) + bj) & _LOW32
                    if v < best:
                        best = v
                values[d, j] = np.uint32(best)


def document_values(sh: np.ndarray, fm: np.ndarray, sh_off: np.ndarray, perms: sign.Permutations) -> np.ndarray:
    k = perms.num_perm
    values = np.full((len(sh_off) - 1, k), 0xFFFFFFFF, dtype=np.uint32)
    keys = np.array([sign.round_key(perms.seed, r) for r in range(sign.ROUNDS)], dtype=np.uint64)
    if k < 2:
        raise SystemExit("compiled_probe.py: num_perm must be at least 2")  # a shift by 64 is undefined in LLVM
    pow2 = k & (k - 1) == 0
    shift = np.uint64(64 - k.bit_length() + 1) if pow2 else np.uint64(0)
    _document_values_kernel(sh, fm, sh_off.astype(np.int64), perms.a, perms.b, keys, k, shift, pow2, values)
    return values


@numba.njit(cache=True)
def _run_minima_kernel(fm, starts, lengths, a, b, k, out):
    best = np.empty(k, dtype=np.uint64)
    for r in range(len(starts)):
        best[:] = 0xFFFFFFFF
        for i in range(starts[r], starts[r] + lengths[r]):
            x = np.uint64(fm[i])
            for j in range(k):
                v = (np.uint64(a[j]) * x + np.uint64(b[j])) & _LOW32
                if v < best[j]:
                    best[j] = v
        for j in range(k):
            out[r, j] = np.uint32(best[j])


def run_minima(fm: np.ndarray, starts: np.ndarray, lengths: np.ndarray, perms: sign.Permutations, k: int) -> np.ndarray:
    out = np.empty((len(starts), k), dtype=np.uint32)
    if len(starts):
        _run_minima_kernel(fm, starts.astype(np.int64), lengths.astype(np.int64), perms.a[:k].copy(),
                           perms.b[:k].copy(), k, out)
    return out


_NUMPY = {"hash_spans": sign.hash_spans, "document_values": sign.batch_document_values, "run_minima": sign.run_minima}


def use(compiled: bool) -> None:
    """Point dedupe's modules at the compiled kernels (or back at numpy's)."""
    hs = hash_spans if compiled else _NUMPY["hash_spans"]
    sign.hash_spans = furniture.hash_spans = hs  # verify reads them through sign.FoldedBatch
    sign.batch_document_values = document_values if compiled else _NUMPY["document_values"]
    sign.run_minima = run_minima if compiled else _NUMPY["run_minima"]


def _cpu(func, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.process_time()
        func()
        best = min(best, time.process_time() - t)
    return best


def probe(docs: list[str], repeat: int) -> None:
    config = DedupConfig()
    params = (config.shingle_size, config.num_perm, config.seed, config.sentence_bands * config.sentence_rows,
              config.sentence_min_shingles)

    def signed():
        sigs = sign.sign_texts(docs, *params)
        signature_keys(sigs, config)
        return sigs

    # Same results, bit for bit (and the kernels compiled before timing).
    use(False)
    want = signed()
    want_lines = furniture.line_keys_batch(docs[:256])
    use(True)
    got = signed()
    for x, y in zip(want, got):
        assert (x.values == y.values).all() and (x.sentences == y.sentences).all() and x.digest == y.digest
    assert furniture.line_keys_batch(docs[:256]) == want_lines
    rows = []
    for name, func in (
        ("sign_texts + band keys", signed),
        ("furniture line keys", lambda: [furniture.line_keys_batch(docs[i:i + 64]) for i in range(0, len(docs), 64)]),
        ("verify prepare_texts", lambda: verify.prepare_texts([str(i) for i in range(len(docs))], docs, config)),
    ):
        times = {}
        for compiled in (False, True, False, True):
            use(compiled)
            times[compiled] = min(times.get(compiled, float("inf")), _cpu(func, repeat))
        rows.append((name, times[False], times[True]))
    use(False)
    peers = [("rensa", bench_sign.m_rensa), ("regex tokenise (yardstick)", bench_sign.m_regex)]
    n = len(docs)
    print(f"{n} documents; one core, CPU time, best of {repeat}; numba {numba.__version__}")
    print(f"{'method':28} {'numpy docs/s':>13} {'compiled docs/s':>16} {'speed-up':>9}")
    for name, slow, fast in rows:
        print(f"{name:28} {n / slow:13,.0f} {n / fast:16,.0f} {slow / fast:8.2f}x")
    for name, func in peers:
        try:
            t = _cpu(lambda: func(docs), repeat)
        except ImportError:
            continue
        print(f"{name:28} {n / t:13,.0f}")


def whole_run(corpus: Path, limit: int, workers: int) -> None:
    from dedupe.config import RunConfig
    from dedupe.pipeline import run
    from dedupe.writers import write_outputs

    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.jsonl"
        with open(corpus, "rb") as f, open(src, "wb") as g:
            for k, line in enumerate(f):
                if k >= limit:
                    break
                g.write(line)
        outs = {}
        for compiled in (False, True):
            use(compiled)
            t = time.perf_counter()
            before = os.times()
            result = run([str(src)], RunConfig(workers=workers))
            out = Path(tmp) / f"out-{compiled}"
            write_outputs(result, out, workers=workers)
            after = os.times()
            wall = time.perf_counter() - t
            cpu = (after.user + after.system + after.children_user + after.children_system
                   - before.user - before.system - before.children_user - before.children_system)
            outs[compiled] = [(out / name).read_bytes() for name in ("canonical.jsonl", "clusters.jsonl")]
            label = "compiled" if compiled else "numpy"
            print(f"run {label:9} {limit:,} docs: wall {wall:7.2f} s  {limit / wall:7,.0f} docs/s  "
                  f"CPU {cpu:7.2f} s ({cpu * 1000 / limit:.3f} ms/doc)  "
                  + "  ".join(f"{k} {v:.2f}" for k, v in result.timings.items()))
        use(False)
        assert outs[False] == outs[True], "the compiled kernels changed the output"
        print("outputs byte-identical")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--base", type=Path, help="bbc_news folder: 600-word documents as bench_sign.py makes them")
    ap.add_argument("--corpus", type=Path, help="text JSONL instead (its first --docs texts)")
    ap.add_argument("--docs", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--run", type=int, default=0, help="also run the pipeline on the first N documents of --corpus")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args(argv)
    if args.corpus:
        with open(args.corpus, encoding="utf-8") as f:
            docs = [json.loads(line)["text"] for line, _ in zip(f, range(args.docs))]
    elif args.base:
        docs = bench_sign.load_documents(args.base, args.docs, 600)
    else:
        ap.error("--base or --corpus")
    probe(docs, args.repeat)
    if args.run:
        if not args.corpus:
            ap.error("--run needs --corpus")
        whole_run(args.corpus, args.run, args.workers)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
