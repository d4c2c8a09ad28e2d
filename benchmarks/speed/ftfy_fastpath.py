#!/usr/bin/env python3
"""ftfy's fix_text against dedupe's fix_encoding (fast path first) on real news text.

Usage::

    python benchmarks/syndication/generate.py --base ../shared/data/bbc_news --out /tmp/synd --docs 2000 --seed 1
    python benchmarks/speed/ftfy_fastpath.py /tmp/synd/docs.jsonl ../shared/data/bbc_news

Each argument is a ``docs.jsonl`` file (the ``text`` field) or a folder of
``*.txt`` files (UTF-8, falling back to cp1252, as the generator reads them).
For each input it prints documents/s and MB/s (UTF-8 megabytes) of
``ftfy.fix_text(text, FTFY_CONFIG)`` and of :func:`dedupe.clean.encoding.fix_encoding`,
the fraction of documents the fast path skips, and checks that both give the
same text for every document. Line breaks are normalised first, as
:func:`dedupe.clean_text` does before repairing the encoding. The best of
``--repeat`` timings is reported.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Callable

import ftfy

from dedupe.clean.encoding import ASCII_TRIGGERS, FTFY_CONFIG, fix_encoding, needs_ftfy


def load(path: Path) -> list[str]:
    if path.is_dir():
        texts = []
        for p in sorted(path.rglob("*.txt")):
            data = p.read_bytes()
            try:
                texts.append(data.decode("utf-8"))
            except UnicodeDecodeError:
                texts.append(data.decode("cp1252"))
    else:
        with path.open(encoding="utf-8") as f:
            texts = [json.loads(line).get("text") or "" for line in f if line.strip()]
    return [t.replace("\r\n", "\n").replace("\r", "\n") for t in texts]


def best_time(func: Callable[[str], object], texts: list[str], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        for text in texts:
            func(text)
        best = min(best, time.perf_counter() - t0)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("inputs", nargs="+", type=Path, help="docs.jsonl files or folders of .txt files")
    parser.add_argument("--repeat", type=int, default=3, help="timings per variant; the best is kept (default 3)")
    args = parser.parse_args(argv)
    print(f"ftfy {ftfy.__version__}, Python {sys.version.split()[0]}")
    for path in args.inputs:
        texts = load(path)
        if not texts:
            print(f"{path}: no documents")
            continue
        mb = sum(len(t.encode("utf-8", "surrogatepass")) for t in texts) / 1e6
        skipped = sum(not needs_ftfy(t) for t in texts)
        ascii_only = sum(t.isascii() and ASCII_TRIGGERS.search(t) is None for t in texts)
        mismatches = sum(fix_encoding(t)[0] != ftfy.fix_text(t, FTFY_CONFIG) for t in texts)
        t_ftfy = best_time(lambda t: ftfy.fix_text(t, FTFY_CONFIG), texts, args.repeat)
        t_fast = best_time(fix_encoding, texts, args.repeat)
        n = len(texts)
        print(f"{path}: {n} docs, {mb:.2f} MB, {sum(not t.isascii() for t in texts) / n:.1%} non-ASCII")
        print(f"  ftfy.fix_text        {n / t_ftfy:9.0f} docs/s {mb / t_ftfy:8.2f} MB/s")
        print(f"  dedupe fix_encoding  {n / t_fast:9.0f} docs/s {mb / t_fast:8.2f} MB/s"
              f"  ({t_ftfy / t_fast:.1f}x)")
        print(f"  skipped by the fast path: {skipped / n:.1%} ({skipped} docs); "
              f"outputs differing from ftfy: {mismatches}")
        print(f"  (a pure-ASCII check alone, the fast path before, skips {ascii_only / n:.1%})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
