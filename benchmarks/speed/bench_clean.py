#!/usr/bin/env python3
"""Text cleaning speed on one core, stage by stage, optionally against an older copy of ``dedupe.clean``.

Usage::

    python benchmarks/syndication/generate.py --base ../shared/data/bbc_news --out /tmp/synd3 --docs 5000 --seed 3
    python benchmarks/speed/bench_clean.py --corpus /tmp/synd3/docs.jsonl --docs 2000
    cp -r src/dedupe/clean /tmp/B-orig/clean   # before a change: keep the old package
    python benchmarks/speed/bench_clean.py --corpus /tmp/synd3/docs.jsonl --baseline /tmp/B-orig/clean

Stages, each fed what it sees inside ``clean_text`` (one process, one core):

- ``encoding``: :func:`~dedupe.clean.encoding.fix_encoding` on the raw text (line breaks normalised);
- ``whitespace``: :func:`~dedupe.clean.encoding.normalize_whitespace` on the repaired text;
- ``rules``: the default rules applied until nothing changes, removals recorded, as ``clean_text``
  does (``apply_rules_until_stable``, or a loop over ``apply_rules`` in a package without it);
  what the rules remember about lines from text to text is forgotten before each timing
  (``rules.shared_memo().clear()``, or ``rules._clear_caches`` in an older package), so every
  repeat starts cold, as a run does;
- ``furniture``: :class:`~dedupe.clean.FurnitureLearner` over the cleaned texts (with
  ``line_keys_batch`` over chunks of 64, as the cleaning workers do, or ``line_keys`` in a
  package without it), the model, and :meth:`~dedupe.clean.FurnitureModel.strip` of every text,
  as :func:`dedupe.pipeline.clean_corpus` does;
- ``clean_document``: the whole per-document cleaning from the raw document.

``--baseline DIR`` loads the package folder DIR (a copy of ``src/dedupe/clean``) as a second
implementation; both run in this process, interleaved, and each keeps the best of ``--repeat``
timings, so the ratio column is meaningful on a shared machine even when the absolute numbers
are not. Times are CPU seconds of this process (``time.process_time``): on a loaded machine
they leave out the time spent waiting for a core, which wall-clock time does not. The run also checks that both implementations give the same output, stage by stage.
docs/s and MB/s count the corpus's raw documents (UTF-8 megabytes of their text).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

import dedupe.clean as current
from dedupe.records import Document

sys.path.insert(0, str(Path(__file__).resolve().parent))
from old_names import alias_old_names  # noqa: E402


def load_package(path: Path, name: str = "dedupe._clean_baseline") -> ModuleType:
    """Import the folder ``path`` (a copy of ``dedupe/clean``) as the subpackage ``name`` of dedupe."""
    init = path / "__init__.py"
    if not init.is_file():
        raise SystemExit(f"--baseline {path}: no __init__.py there (expected a copy of src/dedupe/clean)")
    alias_old_names()  # an older copy imports the package's other modules by the names they had then
    spec = importlib.util.spec_from_file_location(name, init, submodule_search_locations=[str(path)])
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def load_corpus(path: Path, count: int) -> list[Document]:
    docs = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if len(docs) == count:
                break
            d = json.loads(line)
            docs.append(Document(str(d["id"]), text=d.get("text") or "", url=d.get("url"),
                                 source=d.get("source"), title=d.get("title")))
    if not docs:
        raise SystemExit(f"--corpus {path}: no documents")
    return docs


def stages(pkg: ModuleType, docs: list[Document]) -> dict[str, Callable[[], Any]]:
    """Each stage as a function that runs it over the corpus (inputs prepared by this package)."""
    enc = sys.modules[pkg.__name__ + ".encoding"]
    rules = sys.modules[pkg.__name__ + ".rules"]
    furn = sys.modules[pkg.__name__ + ".furniture"]
    raw = [d.text.replace("\r\n", "\n").replace("\r", "\n") for d in docs]
    fixed = [enc.fix_encoding(t)[0] for t in raw]
    spaced = [enc.normalize_whitespace(t) for t in fixed]

    # A repeat must not find the lines of the last one: empty the memo that the rules keep across texts
    # (the process's shared one, which clean_text uses too; _clear_caches in a package from before it).
    shared = getattr(rules, "shared_memo", None)
    clear = (lambda: shared().clear()) if shared is not None else getattr(rules, "_clear_caches", lambda: None)

    def run_rules() -> list:
        clear()
        until_stable = getattr(rules, "apply_rules_until_stable", None)  # what clean_text calls, where it exists
        if until_stable is not None:
            return [until_stable(text, rules.DEFAULT_RULES) for text in spaced]
        out = []
        for text in spaced:
            changes = []
            while True:
                new, removed = rules.apply_rules(text, rules.DEFAULT_RULES)
                changes.extend(removed)
                if new == text:
                    break
                text = new
            out.append((text, changes))
        return out

    cleaned = [d for d in (pkg.clean_document(d) for d in docs) if isinstance(d, Document)]

    def run_furniture() -> list:
        learner = furn.FurnitureLearner()
        batch = getattr(furn, "line_keys_batch", None)
        for lo in range(0, len(cleaned), 64):  # the pipeline's cleaning chunks
            chunk = cleaned[lo : lo + 64]
            keys = batch([d.text for d in chunk]) if batch else [furn.line_keys(d.text) for d in chunk]
            for d, doc_keys in zip(chunk, keys):
                learner.add(d.outlet, d.text, doc_keys)
        model = learner.model()
        return [model.strip(d.outlet, d.text) for d in cleaned]

    return {
        "encoding": lambda: [enc.fix_encoding(t) for t in raw],
        "whitespace": lambda: [enc.normalize_whitespace(t) for t in fixed],
        "rules": run_rules,
        "furniture": run_furniture,
        "clean_document": lambda: clear() or [pkg.clean_document(d) for d in docs],
    }


def comparable(result: Any) -> Any:
    """Stage output in a form equal across implementations (Change objects of two packages differ in class only)."""
    if isinstance(result, list):
        return [comparable(r) for r in result]
    if isinstance(result, tuple):
        return tuple(comparable(r) for r in result)
    if isinstance(result, Document):
        return (result.text, tuple(c.to_dict() for c in result.changes))
    if hasattr(result, "to_dict"):
        return result.to_dict()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, required=True, help="JSONL with a 'text' field per line")
    parser.add_argument("--docs", type=int, default=2000, help="documents to read from the corpus (default 2000)")
    parser.add_argument("--repeat", type=int, default=3, help="timings per stage; the best is kept (default 3)")
    parser.add_argument("--baseline", type=Path, help="a copy of an older src/dedupe/clean to compare against")
    args = parser.parse_args(argv)
    docs = load_corpus(args.corpus, args.docs)
    n = len(docs)
    mb = sum(len(d.text.encode("utf-8")) for d in docs) / 1e6
    impls = {"current": current}
    if args.baseline:
        impls["baseline"] = load_package(args.baseline)
    prepared = {name: stages(pkg, docs) for name, pkg in impls.items()}
    best: dict[tuple[str, str], float] = {}
    outputs: dict[tuple[str, str], Any] = {}
    for stage in prepared["current"]:
        for _ in range(args.repeat):
            for name in impls:  # interleaved: both implementations see the same machine load
                fn = prepared[name][stage]
                start = time.process_time()
                out = fn()
                seconds = time.process_time() - start
                best[name, stage] = min(seconds, best.get((name, stage), float("inf")))
                outputs.setdefault((name, stage), out)
    load = os.getloadavg()[0]
    print(f"{args.corpus} : {n} documents, {mb:.2f} MB; best of {args.repeat}; one core; load average {load:.2f}")
    print(f"{'stage':<16}{'impl':<10}{'ms/doc':>9}{'docs/s':>10}{'MB/s':>8}{'speed-up':>10}{'same output':>13}")
    for stage in prepared["current"]:
        for name in impls:
            s = best[name, stage]
            ratio = best.get(("baseline", stage), s) / s if name == "current" and "baseline" in impls else None
            same = ""
            if name == "current" and "baseline" in impls:
                same = "yes" if comparable(outputs["current", stage]) == comparable(outputs["baseline", stage]) else "NO"
            print(f"{stage:<16}{name:<10}{1000 * s / n:>9.3f}{n / s:>10.0f}{mb / s:>8.2f}"
                  f"{(f'{ratio:.2f}x' if ratio else ''):>10}{same:>13}")
    mismatched = [s for s in prepared["current"] if "baseline" in impls
                  and comparable(outputs["current", s]) != comparable(outputs["baseline", s])]
    return 1 if mismatched else 0


if __name__ == "__main__":
    sys.exit(main())
