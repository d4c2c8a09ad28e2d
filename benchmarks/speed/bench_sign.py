#!/usr/bin/env python3
"""Signature speed on one core: dedupe against datasketch, rensa and plain tokenisation.

Usage::

    python benchmarks/speed/bench_sign.py --base ../shared/data/bbc_news [--docs 2000] [--words 600] \
        [--old /tmp/old-src]

Every method runs on the same documents in the same process, one core, from raw
text to a 128-permutation signature (word 5-gram shingles); each is timed
``--repeat`` times, interleaved, and its best time kept. Times are the
process's CPU time (``time.process_time``), so that time spent waiting for a
core on a shared machine does not count (a method running threads would be
charged for all of them); still, on a shared machine the ratios are what to
compare.

Documents: the bbc_news articles in sorted path order, concatenated (blank line
between articles) until a document reaches ``--words`` words, then cut there.

Methods:

- ``dedupe sign_texts``: :func:`dedupe._sign.sign_texts`, batches of 256; the
  full analysis (normalisation, sentences) plus document and sentence signatures;
- ``dedupe analyze+sign``: one document at a time, as the pipeline calls it today;
- ``datasketch update``: ``MinHash.update`` per shingle (SHA-1), on a subset;
- ``datasketch update_batch``: SHA-1 (the default) and xxh32;
- ``rensa``: ``RMinHash.update`` with the shingle strings (skipped when not installed);
- ``regex tokenise``: ``re.findall(r"\\w+", text.lower())`` alone, no hashing;
- ``old sign_texts`` (with ``--old DIR``): ``sign_texts`` of another copy of the
  package, imported from ``DIR/dedupe_old/_sign.py`` or ``sign.py`` (copy ``_sign.py`` and
  ``_text.py`` of the version to compare there, ``sign.py`` and ``text.py`` before issue 19, with an
  empty ``__init__.py``).

Parameters are the pipeline's defaults (:class:`dedupe.config.DedupConfig`):
5-word shingles, 128 permutations, seed 1, 48 sentence values (24 bands x 2
rows), sentences of at least 4 shingles.

The baselines tokenise with that regex and join 5 tokens per shingle. Memory:
bytes of the arrays a dedupe signature keeps per document, and the peak traced
allocation of signing one batch, per document.
"""

from __future__ import annotations

import argparse
import gc
import re
import sys
import time
import tracemalloc
from pathlib import Path

import xxhash
from datasketch import MinHash

from dedupe.config import DedupConfig
from dedupe._sign import BATCH, sign, sign_texts
from dedupe._text import analyze

_CONFIG = DedupConfig()
N, PERM, SEED = _CONFIG.shingle_size, _CONFIG.num_perm, _CONFIG.seed
SENT_PERM, MIN_SH = _CONFIG.sentence_bands * _CONFIG.sentence_rows, _CONFIG.sentence_min_shingles
_TOKEN = re.compile(r"\w+")


def load_documents(base: Path, count: int, words: int) -> list[str]:
    root = base / "bbc" if (base / "bbc").is_dir() else base
    texts = []
    for path in sorted(root.glob("*/*.txt")):
        raw = path.read_bytes()
        try:
            texts.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            texts.append(raw.decode("cp1252"))
    if not texts:
        raise SystemExit(f"no bbc_news articles under {base} (expected <topic>/NNN.txt)")
    docs, k = [], 0
    while len(docs) < count:
        parts, have = [], 0
        while have < words:
            t = texts[k % len(texts)].strip()
            k += 1
            parts.append(t)
            have += len(t.split())
        text = "\n\n".join(parts)
        # Cut after the words-th word, keeping the layout before it.
        m = list(re.finditer(r"\S+", text))
        docs.append(text[: m[words - 1].end()] if len(m) >= words else text)
    return docs


def shingles(text: str) -> list[str]:
    toks = _TOKEN.findall(text.lower())
    return [" ".join(toks[i : i + N]) for i in range(max(len(toks) - N + 1, 1))]


def m_dedupe_batch(docs):
    sign_texts(docs, N, PERM, SEED, SENT_PERM, MIN_SH)


def m_dedupe_single(docs):
    for d in docs:
        sign(analyze(d), N, PERM, SEED, SENT_PERM, MIN_SH)


def m_ds_update(docs):
    for d in docs:
        m = MinHash(num_perm=PERM, seed=SEED)
        for s in shingles(d):
            m.update(s.encode("utf-8"))


def m_ds_batch_sha1(docs):
    for d in docs:
        m = MinHash(num_perm=PERM, seed=SEED)
        m.update_batch([s.encode("utf-8") for s in shingles(d)])


def m_ds_batch_xxh(docs):
    for d in docs:
        m = MinHash(num_perm=PERM, seed=SEED, hashfunc=xxhash.xxh32_intdigest)
        m.update_batch([s.encode("utf-8") for s in shingles(d)])


def m_rensa(docs):
    import rensa

    for d in docs:
        m = rensa.RMinHash(num_perm=PERM, seed=SEED)
        m.update(shingles(d))
        m.digest()


def m_regex(docs):
    for d in docs:
        _TOKEN.findall(d.lower())


def old_method(folder: Path):
    sys.path.insert(0, str(folder))
    try:  # _sign.py since issue 19 made the module private, sign.py before
        from dedupe_old._sign import sign_texts as old_sign_texts  # type: ignore[import-not-found]
    except ModuleNotFoundError:
        from dedupe_old.sign import sign_texts as old_sign_texts  # type: ignore[import-not-found]

    def m_old(docs):
        old_sign_texts(docs, N, PERM, SEED, SENT_PERM, MIN_SH)

    return m_old


def methods(n_docs: int, old: Path | None = None):
    # (name, function, number of documents it runs on)
    out = [
        ("dedupe sign_texts", m_dedupe_batch, n_docs),
    ]
    if old is not None:
        out.append(("old sign_texts (--old)", old_method(old), n_docs))
    out += [
        ("dedupe analyze+sign", m_dedupe_single, n_docs),
        ("datasketch update (SHA-1)", m_ds_update, max(n_docs // 10, 50)),
        ("datasketch update_batch (SHA-1)", m_ds_batch_sha1, max(n_docs // 4, 100)),
        ("datasketch update_batch (xxh32)", m_ds_batch_xxh, max(n_docs // 4, 100)),
    ]
    try:
        import rensa  # noqa: F401

        out.append(("rensa RMinHash", m_rensa, n_docs))
    except ImportError:
        print("note: rensa is not installed; its row is skipped (pip install rensa)", file=sys.stderr)
    out.append(("regex tokenise only", m_regex, n_docs))
    return out


def memory(docs: list[str]) -> tuple[float, float]:
    sigs = sign_texts(docs, N, PERM, SEED, SENT_PERM, MIN_SH)
    kept = sum(s.values.nbytes + s.sentences.nbytes + s.sentence_ids.nbytes + len(s.digest) for s in sigs) / len(sigs)
    batch = docs[:BATCH]
    gc.collect()
    tracemalloc.start()
    sign_texts(batch, N, PERM, SEED, SENT_PERM, MIN_SH)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return kept, peak / len(batch)


def _load() -> str:
    try:
        return "load average " + Path("/proc/loadavg").read_text().split(" ", 1)[0]
    except OSError:
        return "load average unknown"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--base", type=Path, required=True, help="the bbc_news folder")
    ap.add_argument("--docs", type=int, default=2000)
    ap.add_argument("--words", type=int, default=600)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--old", type=Path, help="a folder holding dedupe_old/{__init__,sign,text}.py to compare")
    args = ap.parse_args(argv)

    docs = load_documents(args.base, args.docs, args.words)
    mb = sum(len(d.encode("utf-8")) for d in docs) / len(docs) / 1e6
    print(f"{len(docs)} documents of {args.words} words, {mb * 1e6:.0f} bytes each on average; {_load()}")
    table = methods(len(docs), args.old)
    best = {name: float("inf") for name, _, _ in table}
    for _ in range(args.repeat):
        for name, fn, count in table:
            gc.collect()
            t0 = time.process_time()
            fn(docs[:count])
            best[name] = min(best[name], (time.process_time() - t0) / count)
    ours = 1 / best["dedupe sign_texts"]
    print()
    print("| method | docs/s | MB/s | dedupe sign_texts is x faster |")
    print("|---|---:|---:|---:|")
    for name, _, _ in table:
        rate = 1 / best[name]
        print(f"| {name} | {rate:,.0f} | {rate * mb:.1f} | {ours / rate:.2f} |")
    kept, peak = memory(docs)
    print()
    print(f"after the runs: {_load()}")
    print(f"signature arrays kept per document: {kept:,.0f} bytes; "
          f"peak traced memory while signing a batch of {BATCH}: {peak:,.0f} bytes per document")
    return 0


if __name__ == "__main__":
    sys.exit(main())
