#!/usr/bin/env python3
"""Article-extraction benchmark: score HTML-to-text extractors on news pages.

Runs several extractors (trafilatura option sets, trafilatura's fallbacks
and, when available, ``dedupe``) over the
article-extraction benchmark (181 real pages with a human-written article body,
MIT, from scrapinghub/article-extraction-benchmark) and prints one table::

    python benchmarks/extraction/bench.py --data ../shared/data/article_extraction_benchmark
    python benchmarks/extraction/bench.py --data DATA --only trafilatura no-comments --json out.json
    python benchmarks/extraction/bench.py --data DATA --analyze trafilatura
    python benchmarks/extraction/bench.py --list

The metric lives in ``metric.py`` (word 4-gram shingles, per-page normalised
tp/fp/fn, precision and recall averaged over pages, F1 of the two means).
The per-page error analysis lives in ``analysis.py``.

Reproducing the published figure: trafilatura 2.3.1 with default options
(``trafilatura.extract(html)``) scores P 0.928 / R 0.978 / F1 0.953 on this
set; the ``trafilatura`` row reproduces it.  The HTML is decoded as UTF-8
before extraction, as the reference runner does (every page in the set is
valid UTF-8; passing the raw bytes gives the same result, decoding as Latin-1
costs 0.17 F1).  Passing ``url=`` and folding the case of tokens change
nothing measurable.  Note that the reference runner in the upstream repository
calls ``extract(html, include_comments=False)``, which is the
``no-comments`` row here (F1 0.960), not the default.

Runs are deterministic: pages are processed in sorted id order, one process,
and extractors that keep state (trafilatura's ``deduplicate``) get a fresh
cache for every run.  Only the pages/s column depends on the machine.

The ``dedupe.clean_html`` row scores the project's own cleaning in the same
run as plain trafilatura (the baseline row, always run).  When it runs, the
script also prints its difference to the baseline and the removals of each
of dedupe's rules on the benchmark pages (lines, pages, and lines whose words
the gold body contains); ``--no-rule-counts`` skips that pass.
"""

from __future__ import annotations

import argparse
import gzip
import json
import platform
import random
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Optional

import trafilatura
from trafilatura.deduplication import LRUCache
from trafilatura.settings import LRU_SIZE

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # allow "python benchmarks/extraction/bench.py" from anywhere
    sys.path.insert(0, str(HERE))

import analysis  # noqa: E402
from metric import aggregate, page_precision, page_recall, score_page, tokenize  # noqa: E402

BASELINE = "trafilatura"

# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class Page:
    """One benchmark page: decoded HTML, gold article body and source URL."""

    id: str
    html: str
    gold: str
    url: str


def decode_html(raw: bytes) -> str:
    """Decode page bytes: strict UTF-8 (true for every page of this set),
    falling back to trafilatura's own charset detection for other data."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        from trafilatura.utils import decode_file

        return decode_file(raw)


def load_pages(data_dir: Path, limit: Optional[int] = None) -> list[Page]:
    """Load ``ground-truth.json`` and ``html/<id>.html.gz`` in sorted id order."""
    truth = json.loads((data_dir / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for page_id in sorted(truth)[:limit]:
        with gzip.open(data_dir / "html" / f"{page_id}.html.gz", "rb") as fh:
            html = decode_html(fh.read())
        item = truth[page_id]
        pages.append(Page(page_id, html, item.get("articleBody") or "", item.get("url") or ""))
    return pages


# --------------------------------------------------------------------------- extractors

# An extract function maps (html, url) to plain text (None = nothing found).
ExtractFn = Callable[[str, str], Optional[str]]


@dataclass(frozen=True)
class Extractor:
    """A named extractor.  ``factory`` is called once per run and returns the
    per-page function, so stateful extractors start every run fresh."""

    name: str
    description: str
    factory: Callable[[], ExtractFn]


def _extract(**options) -> Callable[[], ExtractFn]:
    """``trafilatura.extract(html, **options)``; ``deduplicate=True`` gets a
    run-scoped cache instead of trafilatura's process-global one."""

    def factory() -> ExtractFn:
        opts = dict(options)
        if opts.get("deduplicate") is True:
            opts["deduplicate"] = LRUCache(maxsize=LRU_SIZE)
        return lambda html, url: trafilatura.extract(html, **opts)

    return factory


def _extract_with_url(**options) -> Callable[[], ExtractFn]:
    """Like :func:`_extract` but passes the page URL."""
    return lambda: (lambda html, url: trafilatura.extract(html, url=url, **options))


def _markup_text(markup: Optional[str]) -> Optional[str]:
    """Text content of trafilatura's XML/HTML output, one line per block
    element (attributes such as metadata are not text and are dropped)."""
    if not markup:
        return None
    from lxml import etree

    root = etree.fromstring(markup.encode("utf-8"), etree.XMLParser(recover=True))
    if root is None:
        return None
    blocks = {"p", "head", "h1", "h2", "h3", "h4", "h5", "h6", "item", "li", "row", "tr",
              "quote", "blockquote", "lb", "br", "div", "main", "comments", "body"}
    for el in root.iter():
        if isinstance(el.tag, str) and etree.QName(el).localname in blocks:
            el.tail = "\n" + (el.tail or "")
    return "\n".join(line.strip() for line in "".join(root.itertext()).splitlines() if line.strip())


def _extract_markup(output_format: str, **options) -> Callable[[], ExtractFn]:
    """``extract(output_format=xml|html)``, converted back to plain text."""
    return lambda: (lambda html, url: _markup_text(
        trafilatura.extract(html, output_format=output_format, **options)))


def _extract_json(**options) -> Callable[[], ExtractFn]:
    """``extract(output_format="json")``: the ``text`` field."""

    def run(html: str, url: str) -> Optional[str]:
        out = trafilatura.extract(html, output_format="json", **options)
        return json.loads(out).get("text") if out else None

    return lambda: run


def _bare(with_comments: bool = False, **options) -> Callable[[], ExtractFn]:
    """``bare_extraction(html, url=url)``: ``Document.text`` (and comments)."""

    def run(html: str, url: str) -> Optional[str]:
        doc = trafilatura.bare_extraction(html, url=url, **options)
        if doc is None:
            return None
        parts = [doc.text] + ([doc.comments] if with_comments else [])
        return "\n".join(p for p in parts if p)

    return lambda: run


def _baseline() -> ExtractFn:
    return lambda html, url: trafilatura.baseline(html)[1]


def _html2txt() -> ExtractFn:
    return lambda html, url: trafilatura.html2txt(html)


# XPath expressions for news furniture that trafilatura's own cleaning keeps
# sometimes.  Deliberately generic (class/id substrings used across sites).
def _class_has(*words: str) -> str:
    tests = [f"contains(translate(@{attr}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), '{w}')"
             for w in words for attr in ("class", "id")]
    return "//*[" + " or ".join(tests) + "]"


PRUNE_CAPTIONS = ["//figcaption", _class_has("caption", "credit")]
PRUNE_FURNITURE = [
    "//aside",
    _class_has("related", "newsletter", "promo", "signup", "sign-up", "subscribe",
               "social", "share", "byline", "author", "recommend", "read-more", "readmore"),
]


def _dedupe_extractor() -> Optional[Extractor]:
    """The project's own pipeline, if ``dedupe.clean_html`` is importable
    (from the environment, else from ``<repo>/src``)."""
    try:
        import dedupe  # type: ignore
    except ImportError:
        src = HERE.parents[1] / "src"
        if not (src / "dedupe").is_dir():
            return None
        sys.path.insert(0, str(src))
        try:
            import dedupe  # type: ignore
        except Exception:
            return None
    except Exception:
        return None
    clean_html = getattr(dedupe, "clean_html", None)
    if not callable(clean_html):
        return None

    def factory() -> ExtractFn:
        def run(html: str, url: str) -> Optional[str]:
            result = clean_html(html, url=url)
            return getattr(result, "text", None) if result is not None else None

        return run

    return Extractor(DEDUPE, "dedupe.clean_html(html, url=url).text", factory)


DEDUPE = "dedupe.clean_html"


def rule_counts(pages: Iterable[Page]) -> dict[str, dict[str, int]]:
    """Per rule, what dedupe's cleaning removed on the benchmark pages: removed lines, pages
    touched, and removed lines whose words occur in the gold body (a recall cost, unless the
    gold itself kept furniture). Runs the two halves of ``clean_html`` (page rules inside
    ``extract_html``, text rules in ``clean_text``) so that page-rule removals are counted."""
    from dedupe.clean import clean_text
    from dedupe.clean.html import extract_html

    counts: dict[str, dict[str, int]] = {}
    for page in pages:
        extracted = extract_html(page.html, url=page.url)
        cleaned = clean_text(extracted.text)
        gold = " ".join(tokenize(page.gold))
        seen = set()
        for change in (*extracted.changes, *cleaned.changes):
            row = counts.setdefault(change.rule, {"lines": 0, "pages": 0, "lines_in_gold": 0})
            if change.rule not in seen:
                row["pages"] += 1
                seen.add(change.rule)
            for line in (change.removed or change.before).split("\n"):
                tokens = tokenize(line)
                row["lines"] += 1
                row["lines_in_gold"] += bool(tokens) and f" {' '.join(tokens)} " in f" {gold} "
    return dict(sorted(counts.items(), key=lambda kv: -kv[1]["lines"]))


def format_rule_counts(counts: dict[str, dict[str, int]]) -> str:
    width = max([len("rule")] + [len(r) for r in counts])
    head = f"{'rule':<{width}}  {'lines':>5} {'pages':>5} {'in gold':>7}"
    rows = [head, "-" * len(head)]
    rows += [f"{r:<{width}}  {c['lines']:5d} {c['pages']:5d} {c['lines_in_gold']:7d}" for r, c in counts.items()]
    return "\n".join(rows)


def build_extractors() -> list[Extractor]:
    """All extractors, baseline first, in table order."""
    nc = {"include_comments": False}
    ex = [
        Extractor(BASELINE, "trafilatura.extract(html), default options", _extract()),
        Extractor("url", "extract(html, url=url)", _extract_with_url()),
        Extractor("bytes-input", "extract(raw UTF-8 bytes) (trafilatura decodes)",
                  lambda: (lambda html, url: trafilatura.extract(html.encode("utf-8")))),
        # single options
        Extractor("no-comments", "include_comments=False", _extract(**nc)),
        Extractor("favor-precision", "favor_precision=True", _extract(favor_precision=True)),
        Extractor("favor-recall", "favor_recall=True", _extract(favor_recall=True)),
        Extractor("no-tables", "include_tables=False", _extract(include_tables=False)),
        Extractor("formatting", "include_formatting=True", _extract(include_formatting=True)),
        Extractor("images", "include_images=True", _extract(include_images=True)),
        Extractor("links", "include_links=True", _extract(include_links=True)),
        Extractor("deduplicate", "deduplicate=True (run-scoped cache)", _extract(deduplicate=True)),
        Extractor("fast", "fast=True (= deprecated no_fallback=True)", _extract(fast=True)),
        Extractor("prune-captions", "prune_xpath: figcaption, *caption*/*credit*",
                  _extract(prune_xpath=PRUNE_CAPTIONS)),
        Extractor("prune-furniture", "prune_xpath: aside, related/newsletter/share/byline/...",
                  _extract(prune_xpath=PRUNE_FURNITURE)),
        # output formats and APIs
        Extractor("markdown", "output_format='markdown'", _extract(output_format="markdown")),
        Extractor("json", "output_format='json', text field", _extract_json()),
        Extractor("xml", "output_format='xml', element text", _extract_markup("xml")),
        Extractor("html", "output_format='html', element text", _extract_markup("html")),
        Extractor("bare", "bare_extraction(html, url=url).text", _bare()),
        Extractor("bare+comments", "bare_extraction(...).text + .comments", _bare(with_comments=True)),
        # fallbacks
        Extractor("baseline", "trafilatura.baseline(html) text", _baseline),
        Extractor("html2txt", "trafilatura.html2txt(html)", _html2txt),
        # combinations
        Extractor("nc+precision", "include_comments=False, favor_precision=True",
                  _extract(favor_precision=True, **nc)),
        Extractor("nc+recall", "include_comments=False, favor_recall=True",
                  _extract(favor_recall=True, **nc)),
        Extractor("nc+dedup", "include_comments=False, deduplicate=True",
                  _extract(deduplicate=True, **nc)),
        Extractor("nc+fast", "include_comments=False, fast=True", _extract(fast=True, **nc)),
        Extractor("nc+fast+recall", "include_comments=False, fast=True, favor_recall=True",
                  _extract(fast=True, favor_recall=True, **nc)),
        Extractor("nc+fast+precision", "include_comments=False, fast=True, favor_precision=True",
                  _extract(fast=True, favor_precision=True, **nc)),
        Extractor("nc+prune-captions", "include_comments=False + prune-captions",
                  _extract(prune_xpath=PRUNE_CAPTIONS, **nc)),
        Extractor("nc+prune-furniture", "include_comments=False + prune-furniture",
                  _extract(prune_xpath=PRUNE_FURNITURE, **nc)),
        Extractor("nc+dedup+prune-captions", "include_comments=False, deduplicate, prune-captions",
                  _extract(deduplicate=True, prune_xpath=PRUNE_CAPTIONS, **nc)),
    ]
    dd = _dedupe_extractor()
    if dd is not None:
        ex.append(dd)
    return ex


# --------------------------------------------------------------------------- running


@dataclass
class RunResult:
    """Scores of one extractor over the pages."""

    name: str
    description: str
    precision: float
    recall: float
    f1: float
    pages: int
    seconds: float
    errors: int
    predictions: dict[str, str] = field(repr=False)
    per_page: dict[str, tuple[float, float, float]] = field(repr=False)

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.seconds if self.seconds > 0 else float("inf")


def run_extractor(extractor: Extractor, pages: Iterable[Page]) -> RunResult:
    """Extract every page (timed), then score (untimed).  An exception on a
    page counts as an empty prediction and is reported in ``errors``."""
    pages = list(pages)
    fn = extractor.factory()
    predictions: dict[str, str] = {}
    errors = 0
    start = time.perf_counter()
    for page in pages:
        try:
            predictions[page.id] = fn(page.html, page.url) or ""
        except Exception as exc:  # keep going: one bad page must not kill the run
            errors += 1
            predictions[page.id] = ""
            print(f"warning: {extractor.name} failed on {page.id}: {exc!r}", file=sys.stderr)
    seconds = time.perf_counter() - start
    per_page = {p.id: score_page(predictions[p.id], p.gold) for p in pages}
    metrics = aggregate(per_page.values())
    return RunResult(extractor.name, extractor.description, metrics["precision"],
                     metrics["recall"], metrics["f1"], int(metrics["pages"]), seconds,
                     errors, predictions, per_page)


def bootstrap_delta_f1(result: RunResult, baseline: RunResult, n: int, seed: int = 0) -> float:
    """Half-width of the 95% interval (1.96 standard deviations) of the
    paired bootstrap difference F1(result) - F1(baseline), resampling pages
    with a fixed seed, as the upstream evaluate.py does for its +- figures."""
    ids = sorted(result.per_page)
    rng = random.Random(seed)
    deltas = []
    for _ in range(n):
        sample = [ids[rng.randrange(len(ids))] for _ in ids]
        deltas.append(aggregate(result.per_page[i] for i in sample)["f1"]
                      - aggregate(baseline.per_page[i] for i in sample)["f1"])
    return 1.96 * statistics.stdev(deltas)


def format_table(results: list[RunResult], baseline_f1: float,
                 ci: Optional[dict[str, float]] = None) -> str:
    """Render results as a fixed-width table (with a +-95% column for the
    F1 difference to the baseline when ``ci`` is given)."""
    width = max(len("extractor"), *(len(r.name) for r in results))
    head = f"{'extractor':<{width}}  {'P':>6} {'R':>6} {'F1':>6}  {'pages/s':>8}  {'F1/base':>7}"
    if ci is not None:
        head += f"  {'dF1 +-95%':>15}"
    lines = [head, "-" * len(head)]
    for r in results:
        ratio = r.f1 / baseline_f1 if baseline_f1 else float("nan")
        row = (f"{r.name:<{width}}  {r.precision:6.3f} {r.recall:6.3f} {r.f1:6.3f}  "
               f"{r.pages_per_s:8.1f}  {ratio:7.3f}")
        if ci is not None:
            row += f"  {r.f1 - baseline_f1:+7.3f} +-{ci[r.name]:.3f}"
        if r.errors:
            row += f"  ({r.errors} errors)"
        lines.append(row)
    return "\n".join(lines)


def results_json(results: list[RunResult], baseline_f1: float, data_dir: Path,
                 ci: Optional[dict[str, float]] = None) -> dict:
    """JSON-serialisable summary (metrics plus per-page precision/recall)."""
    out = {
        "data": str(data_dir),
        "trafilatura_version": trafilatura.__version__,
        "python": platform.python_version(),
        "baseline": BASELINE,
        "results": {},
    }
    for r in results:
        out["results"][r.name] = {
            "description": r.description,
            "precision": round(r.precision, 6),
            "recall": round(r.recall, 6),
            "f1": round(r.f1, 6),
            "f1_ratio": round(r.f1 / baseline_f1, 6) if baseline_f1 else None,
            "pages": r.pages,
            "errors": r.errors,
            "pages_per_s": round(r.pages_per_s, 2),
            "delta_f1_ci95": round(ci[r.name], 6) if ci else None,
            "per_page": {pid: [round(page_precision(*t), 6), round(page_recall(*t), 6)]
                         for pid, t in sorted(r.per_page.items())},
        }
    return out


# --------------------------------------------------------------------------- CLI


def parse_args(argv: Optional[list[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path,
                        help="article_extraction_benchmark folder (ground-truth.json, html/)")
    parser.add_argument("--only", nargs="+", metavar="NAME",
                        help="run only these extractors (the baseline always runs)")
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write results as JSON")
    parser.add_argument("--analyze", metavar="NAME",
                        help="per-page error analysis of one extractor instead of the table")
    parser.add_argument("--bootstrap", type=int, default=0, metavar="N",
                        help="add a paired-bootstrap 95%% interval of dF1 vs the baseline (N resamples)")
    parser.add_argument("--top", type=int, default=15, help="rows per analysis section")
    parser.add_argument("--limit", type=int, help="use only the first N pages (smoke tests)")
    parser.add_argument("--list", action="store_true", help="list extractor names and exit")
    parser.add_argument("--no-rule-counts", action="store_true",
                        help="skip the per-rule removal counts of dedupe's cleaning")
    args = parser.parse_args(argv)
    if not args.list and args.data is None:
        parser.error("--data is required")
    return args


def main(argv: Optional[list[str]] = None) -> int:
    args = parse_args(argv)
    extractors = build_extractors()
    by_name = {e.name: e for e in extractors}
    if args.list:
        for e in extractors:
            print(f"{e.name:<32} {e.description}")
        return 0

    wanted = [args.analyze] if args.analyze else (args.only or [])
    unknown = [n for n in wanted if n not in by_name]
    if unknown:
        print(f"unknown extractor(s): {', '.join(unknown)}; see --list", file=sys.stderr)
        return 2

    pages = load_pages(args.data, args.limit)
    if args.analyze:
        result = run_extractor(by_name[args.analyze], pages)
        print(analysis.report(result, pages, top=args.top))
        return 0

    selected = [e for e in extractors if not args.only or e.name in args.only or e.name == BASELINE]
    results = []
    for extractor in selected:
        results.append(run_extractor(extractor, pages))
        print(f"  {extractor.name}: F1 {results[-1].f1:.3f}", file=sys.stderr, flush=True)
    baseline_f1 = results[0].f1
    ci = ({r.name: bootstrap_delta_f1(r, results[0], args.bootstrap) for r in results}
          if args.bootstrap > 1 else None)
    print(f"{len(pages)} pages, trafilatura {trafilatura.__version__}")
    print(format_table(results, baseline_f1, ci))
    out = results_json(results, baseline_f1, args.data, ci)
    ran = {r.name: r for r in results}
    if DEDUPE in ran:
        d, base = ran[DEDUPE], results[0]
        print(f"\n{DEDUPE} vs {BASELINE}: dP {d.precision - base.precision:+.4f}  "
              f"dR {d.recall - base.recall:+.4f}  dF1 {d.f1 - base.f1:+.4f}")
        if not args.no_rule_counts:
            counts = rule_counts(pages)
            print(f"\nremovals by rule on the {len(pages)} pages ('in gold': the removed line's words "
                  f"occur in the gold body)")
            print(format_rule_counts(counts))
            out["rule_counts"] = counts
    if args.json:
        args.json.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
