"""``report.html``: one self-contained page that shows a person what a run did.

The page holds the run at a glance (counts, rejections by reason, time per
stage), plots drawn here as inline SVG, the clusters (largest first, searched
in the browser by id, url and title words; each opens to its members, the
canonical's reason and its links, every link with the two texts side by side
and the shared passages highlighted), a sample of what cleaning removed, and
the rejected inputs. Nothing is fetched: no network, no CDN, no font; the page
opens from disk on an offline machine.

Where the data comes from
-------------------------
:func:`write_report` takes either a finished output folder or the result of a
run still in memory:

- an output folder (``dedupe report OUTDIR``): ``summary.json``,
  ``clusters.jsonl``, ``canonical.jsonl`` and ``rejected.jsonl``. Only the
  canonical documents' texts are in those files, so a link to a non-canonical
  member shows the canonical's side, the scores and the shared passages'
  words, and says the other text is not in the folder; the cleaning sample
  needs the ``changes`` that ``dedupe run --explain`` writes.
- a :class:`~dedupe.pipeline.DedupResult` or :class:`~dedupe.pipeline.RunResult`
  (``dedupe run --report``): every member's cleaned text and every document's
  changes are at hand, so every link shows both texts and the cleaning sample
  and the learned-furniture plot cover all documents (one more pass over the
  documents; a spilled store is read back from its temporary file). Given
  the run's ``inputs``, the cleaning sample's documents are read again (the
  run keeps no raw text) and their removed lines shown in place.

No extra output file is written: the outputs' contract stays what DESIGN.md
says, and a report built later from a folder says what it could not show.

Bounds
------
Counts and plots cover every cluster, link and rejection; full details
(texts, highlighted passages) are kept for the largest clusters and a
deterministic sample (the clusters with the smallest xxh3 hash of their id,
never Python's salted ``hash()``), within byte budgets, so a million-document
run gives a page of a few MB that opens in a few seconds (tested with a
generated million-document ``clusters.jsonl``). Every omission is counted on
the page.

Escaping
--------
Everything from the corpus is data, never markup: text placed in HTML goes
through :func:`html.escape`; the JSON the page's script reads sits in a
``<script type="application/json">`` with every ``<``, ``>`` and ``&``
written as a ``\\u`` escape (so neither ``</script>`` nor ``<!--`` can occur
in it), and the script builds the page with ``textContent``, never
``innerHTML``. The same run gives the same bytes except for the timings.
"""

from __future__ import annotations

import difflib
import heapq
import html
import json
import logging
import os
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Sequence

import xxhash

from .config import CleanConfig
from .records import Document, source_of
from .errors import InputError
from .pipeline import DedupResult, RunResult
from .readers import read_inputs
from ._text import LINE_BREAKS, SENTENCE_MARK, mark_sentences, tokenize
from .writers import atomic_write, summary_of

__all__ = ["write_report", "REPORT_FILE", "sentence_spans"]

logger = logging.getLogger(__name__)

REPORT_FILE = "report.html"

# The bounds. The page's size is at most the two budgets plus the bounded fixed
# parts (plots, cleaning sample, rejected list: under 2 MB), so under the 25 MB
# issue #18 asks of a million-document run; what the budgets leave out is counted.
#: Clusters listed by size: enough to browse the biggest groups, where wrong merges show first.
LIST_LARGEST = 2000
#: Further clusters listed as a deterministic sample (smallest xxh3 of the id), singletons included.
LIST_SAMPLE = 2000
#: Bytes of cluster index (ids, urls, titles, links, scores) in the page: about 4,000 clusters of 10 members.
INDEX_BUDGET = 8_000_000
#: Clusters with copies whose texts are in the page: the largest ...
DETAIL_LARGEST = 100
#: ... and a deterministic sample of the others (smallest xxh3 of the id).
DETAIL_SAMPLE = 100
#: Bytes of document text in the page: 200 clusters of 5 members of a 10 KB article.
TEXT_BUDGET = 10_000_000
#: Characters of one text shown (a 2,000-word article is about 12,000); the rest is cut, with a note.
MAX_TEXT_CHARS = 12_000
#: Member ids listed per cluster; a 10,000-copy cluster would otherwise fill the page alone.
MAX_MEMBERS = 50
#: Links listed per cluster (in clusters.jsonl order).
MAX_LINKS = 25
#: Passages kept per link (their sentence ranges and words).
MAX_PASSAGES = 12
#: Documents in the cleaning sample (smallest xxh3 of the id among documents with changes).
CLEAN_SAMPLE = 30
#: Changes shown per sampled document, and characters per change.
MAX_CHANGES = 40
MAX_CHANGE_CHARS = 2_000
#: Lines of a sampled document shown in place (kept and removed); a news page has well under 300.
MAX_IN_PLACE_LINES = 300
#: Rejected inputs listed (in order); the counts by reason cover all.
MAX_REJECTED = 500
#: Characters of a rejected input's id, origin or message.
MAX_FIELD_CHARS = 300
#: Bars in the learned-furniture-per-source plot (sources with most documents changed).
MAX_SOURCES = 20

_SIZE_BINS = ((1, 1), (2, 2), (3, 3), (4, 5), (6, 10), (11, 20), (21, 50), (51, 100), (101, 1000), (1001, None))
_SCORE_BINS = 20
_KINDS = ("syndicated", "near-duplicate", "exact copy")
_SPLIT_RE = re.compile("[" + re.escape(SENTENCE_MARK + LINE_BREAKS) + "]")


def id_hash(value: str) -> int:
    """A stable 64-bit hash of an id (xxh3; never Python's salted ``hash``): the order in which
    the report samples clusters and documents, the same in every run."""
    return xxhash.xxh3_64_intdigest(value.encode("utf-8", "surrogatepass"))


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences verification numbers (``Passage.a``/``b`` index them).

    The sentences are those of :func:`dedupe._text.analyze`: line breaks and
    sentence ends split, and a piece without a word is no sentence. Spans
    exclude the surrounding whitespace.

    >>> t = "Mr. Smith left. He said no.\\n\\n--\\nThen"
    >>> [t[a:b] for a, b in sentence_spans(t)]
    ['Mr. Smith left.', 'He said no.', 'Then']
    """
    marked = mark_sentences(text)
    spans = []
    pos = 0  # in marked
    shift = 0  # marks inserted before pos
    for m in _SPLIT_RE.finditer(marked + "\n"):
        piece = marked[pos:m.start()]
        if tokenize(piece):
            lead = len(piece) - len(piece.lstrip())
            spans.append((pos - shift + lead, pos - shift + len(piece.rstrip())))
        if m.group() == SENTENCE_MARK:
            shift += 1
        pos = m.end()
    return spans


class _Rev:
    """Reverses the order of a key, for a bounded max-heap on heapq's min-heap."""

    __slots__ = ("key", "item")

    def __init__(self, key: Any, item: Any) -> None:
        self.key, self.item = key, item

    def __lt__(self, other: "_Rev") -> bool:
        return self.key > other.key


class _Smallest:
    """The ``k`` items with the smallest keys seen so far (keys unique, so the result is deterministic).

    The report's sample is the ids with the smallest xxh3, whatever the order they come in:

    >>> ids = [f"id{k}" for k in range(50)]
    >>> for order in (ids, ids[::-1]):
    ...     keep = _Smallest(3)
    ...     for i in order:
    ...         keep.add((id_hash(i), i), i)
    ...     assert [i for _, i in keep.items()] == sorted(ids, key=id_hash)[:3]
    """

    def __init__(self, k: int) -> None:
        self.k = k
        self.heap: list[_Rev] = []

    def add(self, key: Any, item: Any) -> None:
        if self.k <= 0:
            return
        if len(self.heap) < self.k:
            heapq.heappush(self.heap, _Rev(key, item))
        elif key < self.heap[0].key:
            heapq.heapreplace(self.heap, _Rev(key, item))

    def items(self) -> list[tuple[Any, Any]]:
        return sorted(((r.key, r.item) for r in self.heap), key=lambda p: p[0])


def _kind(link: Mapping[str, Any]) -> str:
    return "exact copy" if link.get("exact") else str(link.get("kind", "?"))


@dataclass
class _Stats:
    """What the page counts over every cluster."""

    clusters: int = 0
    documents: int = 0
    sizes: list[int] = field(default_factory=lambda: [0] * len(_SIZE_BINS))
    scores: dict[str, list[int]] = field(default_factory=dict)
    links: Counter[str] = field(default_factory=Counter)
    largest: _Smallest = field(default_factory=lambda: _Smallest(LIST_LARGEST))
    sample: _Smallest = field(default_factory=lambda: _Smallest(LIST_SAMPLE))
    detail_sample: _Smallest = field(default_factory=lambda: _Smallest(DETAIL_SAMPLE))

    def add(self, c: dict[str, Any]) -> None:
        n = len(c["members"])
        self.clusters += 1
        self.documents += n
        for k, (lo, hi) in enumerate(_SIZE_BINS):
            if n >= lo and (hi is None or n <= hi):
                self.sizes[k] += 1
                break
        for link in c.get("links", ()):
            kind = _kind(link)
            self.links[kind] += 1
            bins = self.scores.setdefault(kind, [0] * _SCORE_BINS)
            bins[min(_SCORE_BINS - 1, max(0, int(float(link.get("score", 0)) * _SCORE_BINS)))] += 1
        cid = str(c["cluster"])
        h = id_hash(cid)
        self.largest.add((-n, cid), c)
        self.sample.add((h, cid), c)
        if n > 1:
            self.detail_sample.add((h, cid), c)


# --- the two sources ------------------------------------------------------------------------------


class _Source:
    """What the report reads: the summary, clusters, documents, rejections."""

    summary: dict[str, Any]
    complete_texts: bool  # every member's text (not only the canonical's)

    def clusters(self) -> Iterator[dict[str, Any]]:
        raise NotImplementedError

    def documents(self, ids: set[str], scan: "_Scan") -> dict[str, dict[str, Any]]:
        """The documents with these ids (as ``Document.to_dict(explain=True)`` gives them), while
        ``scan`` sees every document the source has."""
        raise NotImplementedError

    def rejected(self) -> Iterator[dict[str, Any]]:
        raise NotImplementedError

    def in_place(self, docs: list[dict[str, Any]]) -> dict[str, list[tuple[str, str | None]]]:
        """For cleaned documents: each line before the rules ran, with the rule that removed it
        (None: kept); only where the original input can be read again."""
        return {}


class _FolderSource(_Source):
    complete_texts = False

    def __init__(self, outdir: Path) -> None:
        self.outdir = outdir
        missing = [n for n in ("summary.json", "clusters.jsonl", "canonical.jsonl")
                   if not (outdir / n).is_file()]
        if missing:
            raise InputError(f"{outdir}: not a finished dedupe output folder ({', '.join(missing)} missing); "
                             f"run 'dedupe run INPUT... -o {outdir}' first")
        with open(outdir / "summary.json", encoding="utf-8") as fh:
            self.summary = json.load(fh)

    def _lines(self, name: str) -> Iterator[dict[str, Any]]:
        path = self.outdir / name
        if not path.is_file():
            return
        with open(path, encoding="utf-8") as fh:
            for number, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    yield json.loads(line)
                except ValueError as exc:
                    raise InputError(f"{path}:{number}: not a JSON line ({exc}); was the folder written by "
                                     "dedupe run?") from None

    def clusters(self) -> Iterator[dict[str, Any]]:
        return self._lines("clusters.jsonl")

    def documents(self, ids: set[str], scan: "_Scan") -> dict[str, dict[str, Any]]:
        found = {}
        for doc in self._lines("canonical.jsonl"):
            scan.add(doc)
            if doc.get("id") in ids:
                found[doc["id"]] = doc
        return found

    def rejected(self) -> Iterator[dict[str, Any]]:
        return self._lines("rejected.jsonl")


class _ResultSource(_Source):
    complete_texts = True

    def __init__(self, result: DedupResult, summary: dict[str, Any] | None, inputs: Sequence[str] | None) -> None:
        self.result = result
        self.summary = summary if summary is not None else summary_of(result)
        self.inputs = inputs

    def clusters(self) -> Iterator[dict[str, Any]]:
        return (c.to_dict() for c in self.result.clusters)

    def documents(self, ids: set[str], scan: "_Scan") -> dict[str, dict[str, Any]]:
        docs = self.result.documents
        if isinstance(self.result, RunResult):  # a plain DedupResult was not cleaned
            scan.explained = True
            for doc_id in self.result.order:
                doc = docs.get(doc_id)
                if doc is not None and doc.changes:
                    scan.add(_doc_dict(doc))
        return {i: _doc_dict(docs[i]) for i in sorted(ids) if i in docs}

    def rejected(self) -> Iterator[dict[str, Any]]:
        return (r.to_dict() for r in self.result.rejected)

    def in_place(self, docs: list[dict[str, Any]]) -> dict[str, list[tuple[str, str | None]]]:
        if not self.inputs or "-" in self.inputs or not docs or not isinstance(self.result, RunResult):
            return {}  # stdin cannot be read twice
        config = self.result.config
        wanted = {str(d["id"]): d for d in docs}
        originals: dict[str, Document] = {}
        for item in read_inputs(self.inputs, config.limits):  # read again: the run keeps no raw text
            if isinstance(item, Document) and item.id in wanted and item.id not in originals:
                originals[item.id] = item
                if len(originals) == len(wanted):
                    break
        return {i: lines for i, raw in originals.items()
                if (lines := _removed_in_place(raw, wanted[i], config.clean)) is not None}


def _removed_in_place(raw: Document, doc: dict[str, Any], clean: CleanConfig) -> list[tuple[str, str | None]] | None:
    """The lines of ``raw`` as cleaning saw them before its rules, each with the rule that removed it.

    Cleaning only removes whole lines after its encoding and whitespace repair,
    so the lines the rules removed are those of the text before them (cleaned
    with no rule) that the final text lacks; each is named by the change whose
    removed text holds it. None when the two do not line up that way.
    """
    from .clean import clean_html, clean_text

    bare = replace(clean, rules=())
    try:
        if raw.html is not None and raw.text is None:
            before = clean_html(raw.html, url=raw.url, config=bare).text
        else:
            before = clean_text(raw.text or "", bare).text
    except Exception:  # a page that failed to clean here shows its changes as a list instead
        logger.debug("%s: not shown in place", raw.id, exc_info=True)
        return None
    after = str(doc.get("text", "")).split("\n")
    lines = before.split("\n")
    rule_of: dict[str, str] = {}
    for ch in doc.get("changes", []):
        for line in str(ch.get("removed", "")).split("\n"):
            rule_of.setdefault(line.strip(), str(ch.get("rule", "?")))
    out: list[tuple[str, str | None]] = []
    matcher = difflib.SequenceMatcher(None, lines, after, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out.extend((line, None) for line in lines[i1:i2])
        elif op == "delete":  # blank lines go with the lines around them: not shown
            out.extend((line, rule_of.get(line.strip(), "?")) for line in lines[i1:i2] if line.strip())
        else:  # the final text has lines the text before the rules lacks: not a removal of whole lines
            return None
    return out


def _doc_dict(doc: Document) -> dict[str, Any]:
    out = doc.to_dict(explain=True)
    if not out.get("source") and doc.outlet:
        out["source"] = doc.outlet
    return out


class _Scan:
    """Seen for every document: learned furniture per source and the cleaning sample."""

    def __init__(self) -> None:
        self.with_changes = 0
        self.explained = False
        self.furniture_docs: Counter[str] = Counter()
        self.furniture_lines: Counter[str] = Counter()
        self.sample = _Smallest(CLEAN_SAMPLE)

    def add(self, doc: dict[str, Any]) -> None:
        changes = doc.get("changes")
        if changes is None:
            return
        self.explained = True
        if not changes:
            return
        self.with_changes += 1
        source = doc.get("source") or source_of(doc.get("url")) or "(no source)"
        lines = sum(len(c.get("removed", "").split("\n")) for c in changes
                    if c.get("rule") == "learned_furniture" and c.get("removed"))
        if lines:
            self.furniture_docs[source] += 1
            self.furniture_lines[source] += lines
        doc_id = str(doc.get("id", ""))
        self.sample.add((id_hash(doc_id), doc_id), doc)


# --- building the page data --------------------------------------------------------------------


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _json_size(obj: Any) -> int:
    return len(json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "replace"))


def _highlights(text: str, passages: list[dict[str, Any]], side: str, limit: int) -> list[list[int]]:
    """``[start, end, passage]`` character ranges of ``text`` in the link's shared passages."""
    spans = sentence_spans(text)
    out = []
    for k, p in enumerate(passages):
        lo, hi = p.get(side, (0, 0))
        for s in range(max(0, lo), min(hi, len(spans))):
            a, b = spans[s]
            if a < limit:
                out.append([a, min(b, limit), k])
    return out


def _link_entry(link: dict[str, Any]) -> dict[str, Any]:
    passages = link.get("passages", [])
    return {
        "a": link["a"], "b": link["b"], "kind": _kind(link), "score": link.get("score"),
        "jaccard": link.get("jaccard"),
        "containment": [link.get("containment_a"), link.get("containment_b")],
        "coverage": [link.get("coverage_a"), link.get("coverage_b")],
        "close": [link.get("close_coverage_a"), link.get("close_coverage_b")],
        "shared": link.get("shared_sentences"),
        "passages": [{"a": p.get("a_sentences"), "b": p.get("b_sentences"), "text": _cut(str(p.get("text", "")), 300)}
                     for p in passages[:MAX_PASSAGES]],
    }


@dataclass
class _Page:
    summary: dict[str, Any]
    stats: _Stats
    index: list[dict[str, Any]]
    docs: dict[str, dict[str, Any]]
    notes: list[str]
    scan: _Scan
    rejected: list[dict[str, Any]]
    rejected_total: int
    complete_texts: bool
    in_place: dict[str, list[tuple[str, str | None]]] = field(default_factory=dict)


def _collect(source: _Source) -> _Page:
    stats = _Stats()
    for c in source.clusters():
        stats.add(c)
    listed: dict[str, dict[str, Any]] = {}
    for _, c in stats.largest.items() + stats.sample.items():
        listed.setdefault(c["cluster"], c)
    order = sorted(listed.values(), key=lambda c: (-len(c["members"]), c["cluster"]))
    detail_ids = [c["cluster"] for c in order if len(c["members"]) > 1][:DETAIL_LARGEST]
    detail_ids += [c["cluster"] for _, c in stats.detail_sample.items() if c["cluster"] not in detail_ids]
    detailed = set(detail_ids)
    # A sampled detail cluster the listing budget would leave out is listed anyway.
    for _, c in stats.detail_sample.items():
        if c["cluster"] not in listed:
            listed[c["cluster"]] = c
    order = sorted(listed.values(), key=lambda c: (-len(c["members"]), c["cluster"]))

    needed: set[str] = set()
    for c in order:
        needed.update(c["members"][:MAX_MEMBERS])
    scan = _Scan()
    found = source.documents(needed, scan)

    notes = []
    index: list[dict[str, Any]] = []
    docs: dict[str, dict[str, Any]] = {}
    index_bytes = text_bytes = 0
    left_out_index = left_out_text = 0
    for c in order:
        members = list(c["members"])
        links = list(c.get("links", ()))
        entry = {
            "id": c["cluster"], "n": len(members), "canonical": c["canonical"],
            "reason": c.get("canonical_reason", ""), "members": members[:MAX_MEMBERS],
            "more_members": max(0, len(members) - MAX_MEMBERS),
            "links": [_link_entry(l) for l in links[:MAX_LINKS]], "more_links": max(0, len(links) - MAX_LINKS),
            "detail": c["cluster"] in detailed,
        }
        meta = {}
        for m in entry["members"]:
            d = found.get(m)
            if d is not None and m not in docs:
                meta[m] = {k: _cut(str(d[k]), 500) for k in ("url", "title", "source", "published") if d.get(k)}
        size = _json_size(entry) + _json_size(meta)
        if index_bytes + size > INDEX_BUDGET and c["cluster"] not in detailed:
            left_out_index += 1
            continue
        index_bytes += size
        if entry["detail"]:
            text_ids = [c["canonical"]] + [x for l in entry["links"] for x in (l["a"], l["b"])]
            shown_ids = [i for i in dict.fromkeys(text_ids) if i in found and "text" not in docs.get(i, {})]
            cost = sum(len(str(found[i].get("text", ""))[:MAX_TEXT_CHARS].encode("utf-8", "replace"))
                       for i in shown_ids)
            if text_bytes + cost > TEXT_BUDGET:
                entry["detail"] = False
                left_out_text += 1
            else:
                text_bytes += cost
                for i in shown_ids:
                    text = str(found[i].get("text", ""))
                    meta.setdefault(i, {k: _cut(str(found[i][k]), 500)
                                        for k in ("url", "title", "source", "published") if found[i].get(k)})
                    meta[i]["text"] = text[:MAX_TEXT_CHARS]
                    if len(text) > MAX_TEXT_CHARS:
                        meta[i]["cut"] = len(text)
                for l, raw in zip(entry["links"], links):
                    passages = raw.get("passages", [])[:MAX_PASSAGES]
                    for side, key, doc_id in (("a_sentences", "ha", l["a"]), ("b_sentences", "hb", l["b"])):
                        d = meta.get(doc_id) or docs.get(doc_id)
                        if d and "text" in d:
                            l[key] = _highlights(str(found[doc_id].get("text", "")), passages, side,
                                                 MAX_TEXT_CHARS)
        for k, v in meta.items():
            docs.setdefault(k, {}).update(v)
        index.append(entry)
    if left_out_index:
        notes.append(f"{left_out_index:,} sampled clusters were not listed: the cluster index reached its "
                     f"{INDEX_BUDGET / 1e6:.0f} MB budget.")
    if left_out_text:
        notes.append(f"{left_out_text:,} clusters are listed without their texts: the page's text budget "
                     f"({TEXT_BUDGET / 1e6:.0f} MB) was spent.")
    if not source.complete_texts:
        notes.append("Built from an output folder: only canonical texts are in canonical.jsonl, so links to "
                     "other members show the canonical's side and the shared passages' words. "
                     "'dedupe run --report' shows both texts of every link.")
    rejected = []
    total = 0
    for r in source.rejected():
        total += 1
        if len(rejected) < MAX_REJECTED:
            rejected.append({k: _cut(str(r.get(k, "")), MAX_FIELD_CHARS) for k in ("id", "origin", "reason", "message")})
    in_place = source.in_place([d for _, d in scan.sample.items()])
    return _Page(source.summary, stats, index, docs, notes, scan, rejected, total, source.complete_texts, in_place)


# --- SVG ------------------------------------------------------------------------------------------


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _num(x: float) -> str:
    if isinstance(x, float) and not x.is_integer():
        return f"{x:,.3f}" if x < 10 else f"{x:,.1f}"
    return f"{int(x):,}"


def _bars(title: str, items: list[tuple[str, float]], *, log: bool = False, unit: str = "",
          empty: str = "nothing to show") -> str:
    """A horizontal bar chart as inline SVG."""
    import math

    if not items or not any(v for _, v in items):
        return f'<figure class="plot"><figcaption>{_e(title)}</figcaption><p class="muted">{_e(empty)}</p></figure>'
    row, label_w, bar_w, value_w = 22, 170, 240, 90
    width = label_w + bar_w + value_w
    height = row * len(items) + 8
    top = max(v for _, v in items)

    def length(v: float) -> float:
        if v <= 0:
            return 0.0
        if log:
            return bar_w * max(0.02, math.log10(v + 1) / math.log10(top + 1))
        return bar_w * v / top

    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
             f'role="img" aria-label="{_e(title)}">']
    for k, (label, v) in enumerate(items):
        y = 4 + k * row
        shown = label if len(label) <= 26 else label[:25] + "…"
        parts.append(f'<g><title>{_e(label)}: {_e(_num(v))}{_e(unit)}</title>'
                     f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end" class="lbl">{_e(shown)}</text>'
                     f'<rect x="{label_w}" y="{y + 3}" width="{length(v):.1f}" height="{row - 7}" class="bar"/>'
                     f'<text x="{label_w + length(v) + 5:.1f}" y="{y + 15}" class="val">{_e(_num(v))}{_e(unit)}</text></g>')
    parts.append("</svg>")
    scale = '<span class="muted"> (bar length: log scale)</span>' if log else ""
    return f'<figure class="plot"><figcaption>{_e(title)}{scale}</figcaption>{"".join(parts)}</figure>'


def _score_plot(stats: _Stats) -> str:
    """Histograms of link scores, one small chart per kind."""
    kinds = [k for k in _KINDS if stats.links.get(k)] + sorted(k for k in stats.links if k not in _KINDS)
    if not kinds:
        return ('<figure class="plot"><figcaption>Link scores by kind</figcaption>'
                '<p class="muted">no links: every cluster is a single document</p></figure>')
    w, h, pad = 400, 70, 28
    bw = (w - 2 * pad) / _SCORE_BINS
    parts = []
    for kind in kinds:
        bins = stats.scores.get(kind, [0] * _SCORE_BINS)
        top = max(bins) or 1
        svg = [f'<svg class="chart" viewBox="0 0 {w} {h + 30}" width="{w}" height="{h + 30}" role="img" '
               f'aria-label="{_e(kind)} link scores">',
               f'<text x="{pad}" y="12" class="lbl">{_e(kind)}: {stats.links[kind]:,} links</text>']
        for k, v in enumerate(bins):
            bh = (h - 20) * v / top
            x = pad + k * bw
            svg.append(f'<g><title>score {k / _SCORE_BINS:.2f}–{(k + 1) / _SCORE_BINS:.2f}: {v:,}</title>'
                       f'<rect x="{x + 1:.1f}" y="{h - bh:.1f}" width="{bw - 2:.1f}" height="{bh:.1f}" class="bar k{_KINDS.index(kind) if kind in _KINDS else 0}"/></g>')
        svg.append(f'<line x1="{pad}" y1="{h}" x2="{w - pad}" y2="{h}" class="axis"/>')
        for t in (0, 0.25, 0.5, 0.75, 1):
            svg.append(f'<text x="{pad + t * (w - 2 * pad):.1f}" y="{h + 14}" text-anchor="middle" class="tick">{t:g}</text>')
        svg.append("</svg>")
        parts.append("".join(svg))
    return f'<figure class="plot"><figcaption>Link scores by kind</figcaption>{"".join(parts)}</figure>'


def _size_label(lo: int, hi: int | None) -> str:
    if hi is None:
        return f"more than {lo - 1:,}"
    return f"{lo}" if lo == hi else f"{lo}–{hi}"


# --- HTML -----------------------------------------------------------------------------------------


def _asset(name: str) -> str:
    return resources.files("dedupe").joinpath("report_assets", name).read_text(encoding="utf-8")


def script_json(obj: Any) -> str:
    """JSON for a ``<script type="application/json">``: no ``<``, ``>`` or ``&`` left, so no
    ``</script>`` or ``<!--`` can end or change the element.

    >>> script_json({"t": "</script><!--x-->&"})
    '{"t":"\\\\u003c/script\\\\u003e\\\\u003c!--x--\\\\u003e\\\\u0026"}'
    """
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _table(head: Iterable[str], rows: Iterable[Iterable[Any]], cls: str = "") -> str:
    h = "".join(f"<th>{_e(x)}</th>" for x in head)
    body = "".join("<tr>" + "".join(f"<td>{_e(x)}</td>" for x in r) + "</tr>" for r in rows)
    return f'<table class="{cls}"><thead><tr>{h}</tr></thead><tbody>{body}</tbody></table>'


def _glance(page: _Page) -> str:
    counts = page.summary.get("counts", {})
    cards = [("read", counts.get("read")), ("cleaned", counts.get("cleaned")), ("rejected", counts.get("rejected")),
             ("clusters", counts.get("clusters")), ("duplicates", counts.get("duplicates")),
             ("clusters with copies", counts.get("clusters_with_copies"))]
    out = ['<div class="cards">']
    for label, value in cards:
        out.append(f'<div class="card"><div class="n">{_e(_num(value) if value is not None else "–")}</div>'
                   f'<div class="l">{_e(label)}</div></div>')
    out.append("</div>")
    accounted = counts.get("accounted")
    if accounted is False:
        out.append('<p class="warn">The outputs do not account for every input: '
                   + _e("; ".join(counts.get("accounting_problems", []))) + "</p>")
    reasons = counts.get("rejected_by_reason") or {}
    timings = page.summary.get("timings_s") or {}
    out.append('<div class="two">')
    if reasons:
        out.append(_bars("Rejected inputs by reason", sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))))
    else:
        out.append('<figure class="plot"><figcaption>Rejected inputs by reason</figcaption>'
                   '<p class="muted">nothing was rejected</p></figure>')
    total = sum(float(v) for v in timings.values())
    out.append(_bars(f"Time per stage (total {total:,.2f} s)", [(k, float(v)) for k, v in timings.items()],
                     unit=" s", empty="no timings in summary.json"))
    out.append("</div>")
    dedup = page.summary.get("dedup") or {}
    if dedup:
        out.append('<p class="muted">' + _e(", ".join(f"{k.replace('_', ' ')}: {_num(v)}" for k, v in dedup.items()))
                   + "</p>")
    return "".join(out)


def _plots(page: _Page) -> str:
    stats = page.stats
    sizes = [(_size_label(lo, hi), stats.sizes[k]) for k, (lo, hi) in enumerate(_SIZE_BINS)]
    while len(sizes) > 4 and sizes[-1][1] == 0:
        sizes.pop()
    nonzero = [v for _, v in sizes if v]
    log = bool(nonzero) and max(nonzero) > 20 * min(nonzero)
    rules = page.summary.get("removals_by_rule")
    furniture_note = ""
    if page.scan.furniture_docs:
        top = sorted(page.scan.furniture_docs.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_SOURCES]
        furniture = _bars("Learned furniture: documents changed per source", top)
        extra = len(page.scan.furniture_docs) - len(top)
        if extra > 0:
            furniture_note = f" {extra:,} more sources."
        if not page.complete_texts:
            furniture_note += " Counted over canonical documents only (canonical.jsonl)."
    elif not page.scan.explained:
        furniture = ('<figure class="plot"><figcaption>Learned furniture per source</figcaption><p class="muted">'
                     "not available: canonical.jsonl holds no changes (run with --explain, or with --report)"
                     "</p></figure>")
    else:
        lines = page.summary.get("learned_furniture_lines", 0)
        furniture = ('<figure class="plot"><figcaption>Learned furniture per source</figcaption><p class="muted">'
                     + _e(f"no document lost a learned furniture line ({lines} lines learned)") + "</p></figure>")
    out = ['<div class="grid">',
           _bars(f"Cluster sizes ({stats.clusters:,} clusters, {stats.documents:,} documents)",
                 [(f"{label} document{'s' if label != '1' else ''}", v) for label, v in sizes], log=log),
           _score_plot(stats)]
    if rules is None:
        out.append('<figure class="plot"><figcaption>Removals per rule</figcaption><p class="muted">'
                   "not in summary.json (a dedup run does no cleaning)</p></figure>")
    else:
        out.append(_bars("Removals per rule (changes recorded)",
                         sorted(rules.items(), key=lambda kv: (-kv[1], kv[0])), empty="cleaning removed nothing"))
    out.append(furniture)
    out.append("</div>")
    if furniture_note:
        out.append(f'<p class="muted">{_e(furniture_note.strip())}</p>')
    return "".join(out)


def _cleaning(page: _Page) -> str:
    scan = page.scan
    if "removals_by_rule" not in page.summary:
        return '<p class="muted">This run did no cleaning (dedupe dedup, or a library deduplicate).</p>'
    if not scan.explained:
        return ('<p class="muted">Not available: this output folder\'s canonical.jsonl holds no cleaning '
                "changes. Run <code>dedupe run … --explain</code>, or <code>dedupe run … --report</code>, "
                "to see them.</p>")
    items = scan.sample.items()
    if not items:
        return '<p class="muted">Cleaning changed no document.</p>'
    where = "documents" if page.complete_texts else "canonical documents"
    how = ("Each document is shown as cleaning saw it (its input read again), each removed line in red, in "
           "place, with the rule that removed it." if page.in_place else
           "Each removed line is shown in red with the rule that removed it, in the order the rules ran; the "
           "kept text follows (the lines are shown in place when the report is written by dedupe run --report, "
           "which can read the inputs again).")
    out = [f'<p class="muted">{len(items)} of the {scan.with_changes:,} {where} that cleaning changed '
           f"(those with the smallest xxh3 hash of their id). {how}</p>"]
    for n, (_, doc) in enumerate(items):
        changes = doc.get("changes", [])
        head = _e(doc.get("id", ""))
        sub = " · ".join(_e(doc[k]) for k in ("source", "title") if doc.get(k))
        out.append(f'<details class="doc"{" open" if n == 0 else ""}><summary><code>{head}</code> <span class="muted">{sub}</span> '
                   f'<span class="pill">{len(changes)} change{"s" if len(changes) != 1 else ""}</span></summary>')
        lines = page.in_place.get(str(doc.get("id")))
        if lines is not None:
            out.append('<div class="inplace">')
            for line, rule in lines[:MAX_IN_PLACE_LINES]:
                line = _cut(line, MAX_CHANGE_CHARS)
                if rule is None:
                    out.append(f'<div class="line">{_e(line) or "&nbsp;"}</div>')
                else:
                    out.append(f'<div class="removed"><span class="rule">{_e(rule)}</span><s>{_e(line)}</s></div>')
            if len(lines) > MAX_IN_PLACE_LINES:
                out.append(f'<p class="muted">{len(lines) - MAX_IN_PLACE_LINES} more lines</p>')
            out.append("</div></details>")
            continue
        out.append('<div class="changes">')
        for ch in changes[:MAX_CHANGES]:
            rule = _e(ch.get("rule", "?"))
            if ch.get("removed"):
                for line in _cut(str(ch["removed"]), MAX_CHANGE_CHARS).split("\n"):
                    out.append(f'<div class="removed"><span class="rule">{rule}</span><s>{_e(line)}</s></div>')
            else:
                out.append(f'<div class="fixed"><span class="rule">{rule}</span><s>{_e(_cut(str(ch.get("before", "")), 300))}</s>'
                           f' → <span>{_e(_cut(str(ch.get("after", "")), 300))}</span></div>')
        if len(changes) > MAX_CHANGES:
            out.append(f'<p class="muted">{len(changes) - MAX_CHANGES} more changes</p>')
        text = str(doc.get("text", ""))
        out.append(f'<div class="kept">{_e(_cut(text, 1500))}</div></div></details>')
    return "".join(out)


def _rejected(page: _Page) -> str:
    if not page.rejected_total:
        return '<p class="muted">Nothing was rejected.</p>'
    rows = []
    for r in page.rejected:
        origin = r["origin"] or r["id"]
        m = re.match(r"^(.*):(\d+)$", origin)
        file, pos = (m.group(1), m.group(2)) if m else (origin, "")
        rows.append((file, pos, r["id"] if r["id"] != origin else "", r["reason"], r["message"]))
    out = [_table(("file", "line", "id", "reason", "message"), rows, "rejected")]
    if page.rejected_total > len(page.rejected):
        out.append(f'<p class="muted">The first {len(page.rejected):,} of {page.rejected_total:,}; '
                   "rejected.jsonl lists every one.</p>")
    return "".join(out)


def _config_line(summary: dict[str, Any]) -> str:
    versions = summary.get("versions") or {}
    config = summary.get("config") or {}
    dedup = config.get("dedup") or {}
    bits = []
    if versions:
        bits.append("dedupe " + str(versions.get("news-dedupe", "?")))
    if dedup:
        bits.append(f"canonical policy: {dedup.get('canonical')}, num_perm {dedup.get('num_perm')}, "
                    f"seed {dedup.get('seed')}")
    outputs = summary.get("outputs") or {}
    sha = (outputs.get("clusters.jsonl") or {}).get("sha256")
    if sha:
        bits.append(f"clusters.jsonl sha256 {sha[:16]}…")
    return " · ".join(bits)


def _render(page: _Page) -> str:
    counts = page.summary.get("counts", {})
    data = {"clusters": page.index, "docs": page.docs, "complete": page.complete_texts,
            "total": page.stats.clusters}
    listed = len(page.index)
    detailed = sum(1 for c in page.index if c["detail"])
    if listed == page.stats.clusters:
        scope = f"All {listed:,} clusters are listed, largest first."
    else:
        scope = (f"{listed:,} of {page.stats.clusters:,} clusters are listed, largest first: the "
                 f"{min(LIST_LARGEST, page.stats.clusters):,} largest and a deterministic sample of the others "
                 "(smallest xxh3 hash of the cluster id). The counts and plots cover all.")
    scope += f" Texts are in the page for {detailed:,} of them."
    notes = "".join(f'<p class="note">{_e(n)}</p>' for n in page.notes)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>dedupe report: {_e(_num(counts.get('read', 0)))} documents, {_e(_num(counts.get('clusters', 0)))} clusters</title>
<style>{_asset("report.css")}</style>
</head>
<body>
<header><h1>dedupe report</h1><p class="muted">{_e(_config_line(page.summary))}</p>
<nav><a href="#glance">At a glance</a><a href="#plots">Plots</a><a href="#clusters">Clusters</a><a href="#cleaning">Cleaning</a><a href="#rejected">Rejected</a></nav></header>
<main>
<section id="glance"><h2>The run at a glance</h2>{_glance(page)}</section>
<section id="plots"><h2>Plots</h2>{_plots(page)}</section>
<section id="clusters"><h2>Clusters</h2>
<p class="muted">{_e(scope)}</p>{notes}
<div class="search"><input id="q" type="search" placeholder="Search by cluster id, document id, url or title words" autocomplete="off"><span id="found" class="muted"></span></div>
<div id="list"><p class="muted">The cluster list needs JavaScript.</p></div>
<button id="more" type="button" hidden>Show more</button>
</section>
<section id="cleaning"><h2>Cleaning: a sample</h2>{_cleaning(page)}</section>
<section id="rejected"><h2>Rejected inputs ({page.rejected_total:,})</h2>{_rejected(page)}</section>
</main>
<script type="application/json" id="report-data">{script_json(data)}</script>
<script>{_asset("report.js")}</script>
</body>
</html>
"""


def write_report(source: DedupResult | str | os.PathLike[str], path: str | os.PathLike[str] | None = None, *,
                 summary: dict[str, Any] | None = None, inputs: Sequence[str] | None = None) -> Path:
    """Write ``report.html`` for a run; returns its path.

    ``source`` is an output folder of ``dedupe run`` (the report goes to
    ``OUTDIR/report.html`` unless ``path`` says otherwise), or a
    :class:`~dedupe.pipeline.DedupResult`/:class:`~dedupe.pipeline.RunResult`
    (``path`` required; ``summary``: what :func:`~dedupe.writers.write_outputs`
    returned, so the page and ``summary.json`` agree). A result shows both
    texts of every link; a folder holds only the canonical texts (see the
    module doc). The page is written atomically.
    """
    if isinstance(source, DedupResult):
        if path is None:
            raise TypeError("write_report(result, path): give the path of the page to write for a result, "
                            "e.g. write_report(result, 'out/report.html')")
        src: _Source = _ResultSource(source, summary, inputs)
    else:
        outdir = Path(source)
        if not outdir.is_dir():
            raise InputError(f"{outdir}: no such output folder; give the -o folder of a finished 'dedupe run'")
        src = _FolderSource(outdir)
        if path is None:
            path = outdir / REPORT_FILE
    page = _collect(src)
    text = _render(page)
    # A lone surrogate (possible only from library callers) cannot be UTF-8: it becomes "?".
    data = text.encode("utf-8", "replace").decode("utf-8")
    atomic_write(path, [data])
    logger.info("wrote %s (%d bytes)", path, len(data.encode("utf-8")))
    return Path(path)
