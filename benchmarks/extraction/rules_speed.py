#!/usr/bin/env python3
"""Time dedupe's text rules (``dedupe.clean.rules.apply_rules``) over real text.

    python benchmarks/syndication/generate.py --base ../shared/data/bbc_news --out /tmp/synd_h1 --docs 2000 --seed 1
    python benchmarks/extraction/rules_speed.py /tmp/synd_h1/docs.jsonl
    python benchmarks/extraction/rules_speed.py DOCS.jsonl --rules audio_widget,paywall --repeat 5

Each text is line-normalised first (``normalize_whitespace``, as ``clean_text``
does), then every run applies the rules once to every text. Reported: the
median over ``--repeat`` runs of the whole ``apply_rules`` (rules plus the
recording of each removal) and of each rule function alone, fed the text that
rule sees in the chain, in ms per document. One process, one core.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from dedupe.clean.encoding import normalize_whitespace
from dedupe.clean.rules import DEFAULT_RULES, RULES, apply_rules


def _median_seconds(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("docs", type=Path, help="JSONL with a 'text' field per line")
    parser.add_argument("--rules", help="comma-separated rule names (default: the text rules of DEFAULT_RULES)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    names = args.rules.split(",") if args.rules else [n for n in DEFAULT_RULES if not RULES[n].needs_page]
    texts = []
    with args.docs.open(encoding="utf-8") as fh:
        for line in fh:
            texts.append(normalize_whitespace(json.loads(line)["text"]))
    n = len(texts)
    print(f"{n} documents, mean {sum(map(len, texts)) / n:.0f} characters; median of {args.repeat} runs")

    def run_all() -> None:
        for text in texts:
            apply_rules(text, names)

    total = _median_seconds(run_all, args.repeat)
    print(f"apply_rules ({len(names)} rules, with recording): {1000 * total / n:.3f} ms/doc")
    inputs = texts
    for name in names:
        func = RULES[name].func
        seen = inputs
        seconds = _median_seconds(lambda: [func(t) for t in seen], args.repeat)
        print(f"  {name:<20} {1000 * seconds / n:.3f} ms/doc")
        inputs = [func(t) for t in inputs]
    return 0


if __name__ == "__main__":
    sys.exit(main())
