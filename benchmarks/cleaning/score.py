#!/usr/bin/env python3
"""Line-level cleaning score on a corpus from ``generate.py``: furniture removed, article lines kept, documents lost.

Usage::

    python benchmarks/cleaning/score.py --corpus /tmp/clean2 [--no-learn] [--rules none] [--show 20]

Cleans ``docs.jsonl`` as ``dedupe run`` does (per-document cleaning, then learned furniture:
:func:`dedupe.pipeline.clean_corpus`) and compares every document's kept lines with the gold
labels of ``gold.jsonl``:

- **furniture removed**: gold furniture lines absent from the cleaned text, over all gold
  furniture lines (furniture-only pages included);
- **article lines kept**: gold article lines present in the cleaned text, over all of them
  (lines compared with whitespace collapsed, as a multiset per document);
- **documents lost**: documents with an article that were rejected (nothing left) or lost
  every article line;
- **furniture-only flagged**: furniture-only pages rejected or flagged ``meta.furniture_only``,
  and articles wrongly flagged.

Per kind of line (by the first words of its template) the misses are listed with ``--show``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

from dedupe.config import CleanConfig, RunConfig
from dedupe.pipeline import clean_corpus


def _norm(line: str) -> str:
    return " ".join(line.split())


def score(corpus: Path, learn: bool, rules: tuple[str, ...] | None, workers: int, show: int) -> dict:
    gold = {}
    with open(corpus / "gold.jsonl", encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            gold[row["id"]] = row
    config = RunConfig(workers=workers, clean=CleanConfig(learn_furniture=learn, rules=rules))
    t0 = time.perf_counter()
    cleaned = clean_corpus([str(corpus / "docs.jsonl")], config)
    seconds = time.perf_counter() - t0
    rejected = {r.id for r in cleaned.rejected}
    furn_total = furn_removed = art_total = art_kept = 0
    lost: list[str] = []
    walls = walls_flagged = false_flags = 0
    left: Counter[str] = Counter()  # furniture lines left, by their first two words
    dropped: Counter[str] = Counter()  # article lines removed
    for doc_id, row in gold.items():
        doc = None if doc_id in rejected else cleaned.documents[doc_id]
        kept = Counter(_norm(x) for x in (doc.text.split("\n") if doc is not None else ()) if x.strip())
        flagged = doc is None or bool(doc.meta.get("furniture_only"))
        arts = 0
        for text, label in row["lines"]:
            key = _norm(text)
            present = kept[key] > 0
            if present:
                kept[key] -= 1
            if label == "furniture":
                furn_total += 1
                furn_removed += not present
                if present:
                    left[" ".join(key.split()[:2])] += 1
            else:
                art_total += 1
                art_kept += present
                arts += present
                if not present:
                    dropped[key[:60]] += 1
        if row["kind"] == "furniture-only":
            walls += 1
            walls_flagged += flagged
        else:
            if doc is None or arts == 0:
                lost.append(doc_id)
            false_flags += doc is not None and bool(doc.meta.get("furniture_only"))
    result = {
        "documents": len(gold),
        "furniture_lines": furn_total,
        "furniture_removed": furn_removed / max(furn_total, 1),
        "article_lines": art_total,
        "article_kept": art_kept / max(art_total, 1),
        "documents_lost": len(lost),
        "furniture_only_pages": walls,
        "furniture_only_flagged": walls_flagged,
        "articles_flagged": false_flags,
        "seconds": round(seconds, 1),
    }
    if show:
        result["furniture_left"] = left.most_common(show)
        result["article_dropped"] = dropped.most_common(show)
        result["lost_ids"] = lost[:show]
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", type=Path, required=True, help="a folder written by generate.py")
    ap.add_argument("--no-learn", action="store_true", help="no learned furniture")
    ap.add_argument("--rules", default=None, help="comma-separated rule names, or 'none'")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--show", type=int, default=0, help="list the most frequent misses")
    args = ap.parse_args(argv)
    rules = None if args.rules is None else tuple(r for r in args.rules.split(",") if r and r != "none")
    result = score(args.corpus, not args.no_learn, rules, args.workers, args.show)
    json.dump(result, sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
