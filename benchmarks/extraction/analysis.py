"""Per-page error analysis for one extractor (``bench.py --analyze NAME``).

What it reports, on top of the aggregate scores:

* the pages with the worst precision and the worst recall;
* **false-positive lines**: lines of predicted text whose word 4-grams are
  mostly (> ``ABSENT_SHARE``) absent from the gold text, i.e. page furniture
  that leaked into the extraction.  They are grouped into furniture
  categories by :func:`categorize` (a descriptive tagger with generic,
  site-independent patterns) and, separately, the most frequent normalised
  lines across pages are listed;
* **lost lines**: gold lines whose 4-grams are mostly absent from the
  prediction (content the extractor dropped), grouped by position and shape.

A line shorter than four tokens has no 4-gram; it counts as present when its
token sequence occurs contiguously in the other text.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable
from urllib.parse import urlsplit

from metric import NGRAM_N, page_precision, page_recall, tokenize

if TYPE_CHECKING:  # pragma: no cover
    from bench import Page, RunResult

ABSENT_SHARE = 0.5  # a line is "false positive" / "lost" above this share of absent n-grams


# --------------------------------------------------------------------------- line matching


class NgramIndex:
    """Set of all token n-grams (n = 1..4) of a text, for line look-ups."""

    def __init__(self, text: str) -> None:
        tokens = tokenize(text)
        self.grams: set[tuple[str, ...]] = set()
        for n in range(1, NGRAM_N + 1):
            self.grams.update(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))

    def absent_share(self, line: str) -> tuple[float, int]:
        """Share of the line's 4-grams (or of its whole token tuple when it is
        shorter) missing from the indexed text, and the number of n-grams."""
        tokens = tokenize(line)
        if not tokens:
            return 0.0, 0
        if len(tokens) < NGRAM_N:
            return (0.0 if tuple(tokens) in self.grams else 1.0), 1
        grams = [tuple(tokens[i:i + NGRAM_N]) for i in range(len(tokens) - NGRAM_N + 1)]
        missing = sum(g not in self.grams for g in grams)
        return missing / len(grams), len(grams)


def split_lines(text: str) -> list[str]:
    """Non-empty, stripped lines of *text*."""
    return [ln.strip() for ln in (text or "").splitlines() if ln.strip()]


@dataclass(frozen=True)
class LineHit:
    """A false-positive (or lost) line of one page."""

    page_id: str
    domain: str
    line: str
    ngrams: int     # n-grams of the line missing from the other side (approx. its cost)
    position: str   # "head" (first 3 lines), "tail" (last 3 lines) or "middle"
    index: int
    n_lines: int


def _position(i: int, n: int) -> str:
    if i < 3:
        return "head"
    if i >= n - 3:
        return "tail"
    return "middle"


def mismatched_lines(text: str, other: str, page_id: str, domain: str) -> list[LineHit]:
    """Lines of *text* whose n-grams are mostly absent from *other*."""
    index = NgramIndex(other)
    lines = split_lines(text)
    hits = []
    for i, line in enumerate(lines):
        share, n = index.absent_share(line)
        if n and share > ABSENT_SHARE:
            hits.append(LineHit(page_id, domain, line, round(share * n), _position(i, len(lines)),
                                i, len(lines)))
    return hits


# --------------------------------------------------------------------------- categories

_MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
# Ordered: the first matching category wins.  Patterns are generic news-site
# furniture, not tuned to individual pages of the benchmark.
FURNITURE_CATEGORIES: list[tuple[str, re.Pattern[str]]] = [
    ("newsletter/subscription/login", re.compile(
        r"\b(newsletter|subscribe|subscription|subscriber|sign[ -]?up|sign in|log ?in|"
        r"register|inbox|unlimited (digital )?access|paywall|free trial)\b", re.I)),
    ("share/social/follow", re.compile(
        r"\b(share (this|on|the)|facebook|twitter|instagram|linkedin|pinterest|whatsapp|"
        r"reddit|follow (us|@|him|her|the)|tweet|email (this|article)|print (this|article)|"
        r"pic\.twitter\.com)\b|@\w{2,}|^(share|print|email|comments?)$", re.I)),
    ("related/recommended/read-more", re.compile(
        r"^(related|read more|more from|recommended|you may also|you might also|see also|"
        r"also read|read also|most (popular|read|viewed)|trending|top stories|latest (news|stories)|"
        r"more (news|stories|on|about)|further reading|what to read next|up next|watch)\b", re.I)),
    ("advertisement/sponsored", re.compile(
        r"^(advertisement|advert|ad|sponsored|promoted|paid (post|content)|partner content)\b", re.I)),
    ("copyright/legal/contact", re.compile(
        r"(©|\bcopyright\b|all rights reserved|terms of (use|service)|privacy policy|cookie|"
        r"contact us|letters?@|@\w+\.(com|org|net)\b|click here|our (email|tips))", re.I)),
    ("caption/photo credit", re.compile(
        r"\b(photo|photograph|image|picture|illustration|video|credit|getty|shutterstock|"
        r"ap photo|afp|reuters|file photo|courtesy|caption)\b", re.I)),
    ("comments section", re.compile(
        r"\b(comments?|reply|replies|says:|wrote:|permalink|upvote|report abuse|"
        r"\d+ (points?|likes?))\b", re.I)),
    ("byline/author bio", re.compile(
        r"^(by|written by|posted by|words by|author|reporting by|editing by|additional reporting)\b|"
        r"\b(is a (senior |staff |contributing |freelance )?(writer|reporter|editor|correspondent|"
        r"columnist|journalist))\b", re.I)),
    ("date/time stamp", re.compile(
        rf"^((published|updated|posted|last updated|modified)\b|.{{0,20}}\b{_MONTH} \d{{1,2}}(,? \d{{4}})?\b|"
        r".{0,20}\b\d{1,2}:\d{2}\s?(am|pm)?\b|\d{1,2}[/.]\d{1,2}[/.]\d{2,4}|"
        r"\d+ (second|minute|hour|day|week|month|year)s? ago)", re.I)),
]


def page_context(html: str, url: str | None) -> Any:
    """dedupe's :class:`~dedupe.clean.rules.PageContext` of a page (its headline candidates and
    internal link texts), or None when dedupe cannot be imported or the page does not parse."""
    try:
        from trafilatura import load_html

        from dedupe.clean.html import page_context as dedupe_page_context
    except ImportError:
        return None
    tree = load_html(html)
    return dedupe_page_context(tree, url) if tree is not None else None


def categorize(line: str, title: str = "", ctx: Any = None) -> str:
    """Furniture category of a false-positive line (descriptive only).

    With dedupe's page context (:func:`page_context`), the lines that its page
    rules remove (the page headline, headline-like lines made mostly of
    internal link text) are recognised first."""
    norm = normalize(line)
    if title and norm == normalize(title):
        return "title/headline"
    if ctx is not None:
        from dedupe.clean.rules import RULES

        if not RULES["page_title"].func(line, ctx):
            return "title/headline"
        if not RULES["link_list"].func(line, ctx):
            return "related-story link (internal link text)"
    for name, pattern in FURNITURE_CATEGORIES:
        if pattern.search(line):
            return name
    n_tokens = len(tokenize(line))
    if n_tokens <= 6:
        return "other short line (heading/label, <= 6 tokens)"
    if not re.search(r"[.!?\"”’)]\s*$", line):
        return "other unpunctuated line (headline/teaser list)"
    return "other sentence-like line (teasers, comments, side copy)"


def lost_category(hit: LineHit, page_recall_value: float) -> str:
    """Shape/position class of a lost gold line."""
    if page_recall_value < 0.2:
        return "whole article missed (page recall < 0.2)"
    n_tokens = len(tokenize(hit.line))
    if hit.index == 0:
        return "first gold line (lead/standfirst/dateline)"
    if hit.index == hit.n_lines - 1:
        return "last gold line (sign-off/tagline/last paragraph)"
    if re.match(r"^([-*•·–—]|\d+[.)])\s", hit.line):
        return "list item"
    if n_tokens <= 8:
        return "short line <= 8 tokens (subheading/label/list item)"
    if re.match(r"^[\"“‘']", hit.line):
        return "quotation / blockquote paragraph"
    return "body paragraph"


def normalize(line: str) -> str:
    """Key for grouping lines across pages: lower case, digits -> 0, single spaces."""
    line = re.sub(r"\d", "0", line.lower())
    return re.sub(r"\s+", " ", line).strip(" .:|-–—•")


def _title(html: str) -> str:
    """Page title (og:title, else <title>), cheap regex version for analysis."""
    m = re.search(r"<meta[^>]+property=[\"']og:title[\"'][^>]+content=[\"']([^\"']+)", html, re.I)
    if not m:
        m = re.search(r"<title[^>]*>([^<]+)</title>", html, re.I)
    if not m:
        return ""
    import html as htmllib

    return htmllib.unescape(m.group(1)).strip()


# --------------------------------------------------------------------------- report


def _short(text: str, width: int = 110) -> str:
    text = re.sub(r"\s+", " ", text)
    return text if len(text) <= width else text[: width - 1] + "…"


def _grouped(hits: Iterable[tuple[str, LineHit]], top: int, examples: int = 3) -> list[str]:
    """Table of categories: pages affected, lines, missing n-grams, where, examples."""
    by_cat: dict[str, list[LineHit]] = defaultdict(list)
    for cat, hit in hits:
        by_cat[cat].append(hit)
    rows = sorted(by_cat.items(), key=lambda kv: -sum(h.ngrams for h in kv[1]))
    out = [f"  {'category':<52} {'pages':>5} {'lines':>6} {'ngrams':>7}  head/mid/tail"]
    for cat, items in rows:
        pos = Counter(h.position for h in items)
        out.append(f"  {cat:<52} {len({h.page_id for h in items}):>5} {len(items):>6} "
                   f"{sum(h.ngrams for h in items):>7}  "
                   f"{pos['head']}/{pos['middle']}/{pos['tail']}")
        seen = set()
        shown = 0
        for h in sorted(items, key=lambda h: (-h.ngrams, h.page_id, h.index)):
            if h.domain in seen:
                continue
            seen.add(h.domain)
            out.append(f"      e.g. [{h.domain}] {_short(h.line)}")
            shown += 1
            if shown >= examples:
                break
    return out


def report(result: "RunResult", pages: list["Page"], top: int = 15) -> str:
    """Text report of one extractor's errors."""
    by_id = {p.id: p for p in pages}
    domain = {p.id: urlsplit(p.url).netloc.removeprefix("www.") for p in pages}
    prec = {pid: page_precision(*t) for pid, t in result.per_page.items()}
    rec = {pid: page_recall(*t) for pid, t in result.per_page.items()}

    out = [f"analysis of {result.name!r} ({result.description})",
           f"P {result.precision:.3f}  R {result.recall:.3f}  F1 {result.f1:.3f}  "
           f"over {result.pages} pages", ""]

    def page_row(pid: str) -> str:
        pred_n = len(tokenize(result.predictions[pid]))
        gold_n = len(tokenize(by_id[pid].gold))
        return (f"  {pid[:12]}  P {prec[pid]:.3f}  R {rec[pid]:.3f}  "
                f"tokens pred/gold {pred_n:>5}/{gold_n:<5}  {domain[pid]}")

    out.append(f"worst precision (top {top}):")
    out += [page_row(pid) for pid in sorted(prec, key=lambda k: (prec[k], k))[:top]]
    out.append(f"\nworst recall (top {top}):")
    out += [page_row(pid) for pid in sorted(rec, key=lambda k: (rec[k], k))[:top]]

    fp_hits: list[tuple[str, LineHit]] = []
    lost_hits: list[tuple[str, LineHit]] = []
    for page in pages:
        pred = result.predictions[page.id]
        title = _title(page.html)
        ctx = page_context(page.html, page.url)
        for hit in mismatched_lines(pred, page.gold, page.id, domain[page.id]):
            fp_hits.append((categorize(hit.line, title, ctx), hit))
        for hit in mismatched_lines(page.gold, pred, page.id, domain[page.id]):
            lost_hits.append((lost_category(hit, rec[page.id]), hit))

    n_fp_pages = len({h.page_id for _, h in fp_hits})
    out.append(f"\nfalse-positive lines (> {ABSENT_SHARE:.0%} of n-grams absent from gold): "
               f"{len(fp_hits)} lines on {n_fp_pages} pages, by furniture category:")
    out += _grouped(fp_hits, top)

    freq: dict[str, set[str]] = defaultdict(set)
    example: dict[str, str] = {}
    for _, hit in fp_hits:
        key = normalize(hit.line)
        freq[key].add(hit.page_id)
        example.setdefault(key, hit.line)
    common = sorted(((len(v), k) for k, v in freq.items() if len(v) > 1), key=lambda x: (-x[0], x[1]))
    out.append(f"\nmost frequent false-positive lines across pages (top {top}):")
    out += [f"  {n:>3} pages  {_short(example[k], 100)}" for n, k in common[:top]]

    n_lost_pages = len({h.page_id for _, h in lost_hits})
    out.append(f"\nlost gold lines (> {ABSENT_SHARE:.0%} of n-grams absent from prediction): "
               f"{len(lost_hits)} lines on {n_lost_pages} pages, by kind:")
    out += _grouped(lost_hits, top)
    return "\n".join(out)
