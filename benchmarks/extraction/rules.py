"""Prototype post-extraction line rules for news text (benchmark only).

These rules run on the plain text an extractor returns (one block per line)
and drop lines that are page furniture rather than article body.  They are
meant to be *general*: each pattern describes a convention that recurs across
news sites (headline repeated above the body, "Read more:" teasers, "Follow
her on Twitter", "Reporting by ...; Editing by ...", copyright footers, ...),
not the quirks of a page in the benchmark.  Non-English boilerplate is only
covered where the convention is language-independent (titles, dates, URLs,
duplicates).

Each rule is a function ``rule(lines, ctx) -> lines`` registered in
:data:`RULES`; :func:`apply` runs them in order.  ``bench.py`` scores every
rule on its own (``nc+rule:NAME``) and all of them together
(``*+rules-prototype``) so the effect of each one is measured separately.

This module is a prototype for the ``dedupe`` package, kept next to the
benchmark; it has no dependency beyond the standard library and lxml.
"""

from __future__ import annotations

import html as htmllib
import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cached_property
from typing import Callable, Iterable, Optional

__all__ = ["RULES", "DEFAULT_RULES", "Context", "apply"]

_WORD = re.compile(r"\w+")


def _tokens(line: str) -> list[str]:
    return _WORD.findall(line)


def _norm(text: str) -> str:
    """Lower-cased word tokens joined by single spaces (punctuation dropped)."""
    return " ".join(_tokens(text.lower()))


@dataclass
class Context:
    """What rules may know about the page besides the text: its HTML, from
    which title and description candidates are read lazily."""

    html: str = ""
    url: str = ""

    @cached_property
    def _meta(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {"title": [], "description": []}
        if not self.html:
            return found
        head = self.html[:200_000]
        for m in re.finditer(r"<meta\b[^>]*>", head, re.I):
            tag = m.group(0)
            key = re.search(r"(?:property|name)\s*=\s*[\"']([^\"']+)", tag, re.I)
            val = re.search(r"content\s*=\s*(\"[^\"]*\"|'[^']*')", tag, re.I)
            if not key or not val:
                continue
            k = key.group(1).lower()
            v = htmllib.unescape(val.group(1)[1:-1]).strip()
            if k in ("og:title", "twitter:title", "title"):
                found["title"].append(v)
            elif k in ("og:description", "twitter:description", "description"):
                found["description"].append(v)
        m = re.search(r"<title[^>]*>(.*?)</title>", head, re.I | re.S)
        if m:
            found["title"].append(htmllib.unescape(re.sub(r"\s+", " ", m.group(1))).strip())
        for m in re.finditer(r"<h1\b[^>]*>(.*?)</h1>", self.html, re.I | re.S):
            text = htmllib.unescape(re.sub(r"<[^>]+>", " ", m.group(1)))
            found["title"].append(re.sub(r"\s+", " ", text).strip())
        return found

    @cached_property
    def titles(self) -> list[str]:
        """Normalised headline candidates: og/twitter title, <title> and its
        parts split at site-name separators ( | - – — : ), <h1> texts."""
        out: set[str] = set()
        for title in self._meta["title"]:
            out.add(_norm(title))
            for part in re.split(r"\s+[|\-–—:·•]\s+", title):
                if len(_tokens(part)) >= 3:
                    out.add(_norm(part))
        return sorted(t for t in out if t)

    @cached_property
    def anchors(self) -> set[str]:
        """Normalised texts (>= 2 tokens) of the page's links to *other pages
        of the same site* (relative or same-host hrefs, not ``#fragments``):
        the shape of related-story links.  Outbound links (shops, tweets,
        sources) and in-page links (tables of contents) are left out."""
        if not self.html:
            return set()
        from urllib.parse import urljoin, urlsplit

        from lxml import html as lxml_html

        try:
            root = lxml_html.fromstring(self.html)
        except Exception:  # unparsable page: the rule becomes a no-op
            return set()
        host = _site(urlsplit(self.url).netloc)
        out = set()
        for a in root.iter("a"):
            href = (a.get("href") or "").strip()
            if not href or href.startswith(("#", "javascript:", "mailto:")):
                continue
            target = urlsplit(urljoin(self.url or "http://localhost/", href))
            if host and _site(target.netloc) != host:
                continue
            if self.url and target.path.rstrip("/") == urlsplit(self.url).path.rstrip("/"):
                continue  # link to this very page (share box, headline link)
            text = _norm(a.text_content())
            if len(text.split()) >= 2:
                out.add(text)
        return out

    @cached_property
    def descriptions(self) -> list[str]:
        """Normalised meta/og/twitter descriptions (often the standfirst)."""
        return sorted({_norm(d) for d in self._meta["description"] if _tokens(d)})


def _site(netloc: str) -> str:
    """Last two labels of a host name (``www.cbssports.com`` -> ``cbssports.com``);
    good enough to tell internal from outbound links."""
    parts = netloc.lower().split(":")[0].split(".")
    return ".".join(parts[-2:])


def _similar(a: str, b: str, threshold: float = 0.9) -> bool:
    if not a or not b:
        return False
    if a == b:
        return True
    return SequenceMatcher(None, a, b, autojunk=False).ratio() >= threshold


# --------------------------------------------------------------------------- rules

Rule = Callable[[list[str], Context], list[str]]
RULES: dict[str, Rule] = {}


def rule(name: str) -> Callable[[Rule], Rule]:
    def register(fn: Rule) -> Rule:
        RULES[name] = fn
        return fn

    return register


HEAD = 3  # "top of the text": the first HEAD lines
TAIL = 6  # "bottom of the text": the last TAIL lines


@rule("title")
def drop_headline(lines: list[str], ctx: Context) -> list[str]:
    """Drop lines among the first three that repeat the page headline
    (og:title, <title> or its parts, <h1>), compared on normalised tokens with
    90% similarity.  Extractors often keep the <h1> when it sits inside the
    article container; gold article bodies never include it."""
    titles = ctx.titles
    if not titles:
        return lines
    out = []
    for i, line in enumerate(lines):
        if i < HEAD and any(_similar(_norm(line), t) for t in titles):
            continue
        out.append(line)
    return out


@rule("standfirst")
def drop_standfirst(lines: list[str], ctx: Context) -> list[str]:
    """Drop a line among the first three that equals the meta description,
    but only when it is followed by more text: sites that reuse their first
    paragraph as description would otherwise lose their lead.  (Measured
    separately because that trade-off is site-dependent.)"""
    descs = ctx.descriptions
    if not descs or len(lines) < 4:
        return lines
    out = []
    for i, line in enumerate(lines):
        if i < HEAD and any(_similar(_norm(line), d, 0.95) for d in descs) and not _is_lead(line):
            continue
        out.append(line)
    return out


def _is_lead(line: str) -> bool:
    """A dateline lead ("WASHINGTON (AP) — ...") is body text, never a deck."""
    return bool(re.match(r"^[A-Z][A-Z .,'-]{2,40}(\([A-Za-z. ]+\))?\s*[—–-]", line))


_MONTHS = ("jan feb mar apr may jun jul aug sep sept oct nov dec january february march april june july "
           "august september october november december mon tue tues wed thu thurs fri sat sun monday "
           "tuesday wednesday thursday friday saturday sunday").split()
_DATE_WORDS = set(_MONTHS) | set(
    "am pm a p m et est edt pt pst pdt gmt bst cet utc z t at on by updated published posted "
    "last modified update publish date time min mins read reading".split())


@rule("dateline")
def drop_date_byline_lines(lines: list[str], ctx: Context) -> list[str]:
    """Drop short lines in the first three or the last line that are made of
    dates, times and "Updated/Published/By" words (plus at most three other
    tokens, e.g. an author name): ``UPDATED: Tue., Nov. 19, 2019``,
    ``5:45 AM PST 11/19/2019 by Patrick Shanley``,
    ``2019-11-19T08:57:40+01:00``."""
    out = []
    for i, line in enumerate(lines):
        toks = _tokens(line.lower())
        if (i < HEAD or i == len(lines) - 1) and 0 < len(toks) <= 12:
            datey = [t for t in toks if t in _DATE_WORDS or t.isdigit() or re.fullmatch(r"\d+(st|nd|rd|th|t\d+)", t)]
            has_date = any(t.isdigit() for t in toks) and any(
                t in _MONTHS or t in ("updated", "published", "posted") for t in toks) or re.search(
                r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}|\d{1,2}:\d{2}", line)
            if has_date and len(toks) - len(datey) <= 3:
                continue
        out.append(line)
    return out


_TEASER_PREFIX = re.compile(
    r"^\W{0,3}(read more|read also|also read|see more|see also|related( post| story| article)?s?|"
    r"more( on| from)? this|also on \S+|also|more|recommended|watch|listen|trending|"
    r"most read|you may also like|you might also like|don'?t miss)\s*[:|\]]", re.I)
_BRACKET_TAG = re.compile(r"\w+\W+\w+\W+\w+.*\[[A-Z][A-Z ]{1,15}\]\W*$")


@rule("teaser")
def drop_teaser_lines(lines: list[str], ctx: Context) -> list[str]:
    """Drop inline links to other stories: lines opening with a label such as
    ``Read more:``, ``Related:``, ``SEE MORE:``, ``Also on example.com``,
    ``[Related: ...]``, and headline lines tagged ``[VIDEO]``/``[INSIGHT]``."""
    return [ln for ln in lines if not (_TEASER_PREFIX.match(ln) or _BRACKET_TAG.search(ln)
                                       or re.match(r"^also on \S+\.\w+\b", ln, re.I))]


_BLOCK_HEADING = re.compile(
    r"^\W{0,3}(related( stories| articles| posts| content| coverage| news| videos| links)?|"
    r"more (stories|news|from [\w .'&-]+|on this( story| topic)?|in [\w .'&-]+)|"
    r"you (may|might) also (like|be interested in)|recommended( for you| stories| reading)?|"
    r"(most )?(popular|read|viewed|shared)( on [\w .'&-]+| now| stories| articles)?|most read in [\w .'&-]+|"
    r"trending( now| stories)?|top stories|latest (news|stories|videos)|don'?t miss|"
    r"explore further|further reading|what to read next|story timeline|"
    r"(\d+ )?comments?|leave a (reply|comment)|comments are closed|loading comments|"
    r"join the (discussion|conversation)|want to join the discussion|tags?|filed under|"
    r"share( this( article| story)?)?|something to consider)\s*[.:!?…]*$", re.I)


def _teaser_like(line: str) -> bool:
    """Headline-ish: a list item, or no sentence-final punctuation, or short."""
    return (line.startswith(("- ", "• ", "* ")) or len(_tokens(line)) <= 8
            or not re.search(r"[.!?\"”’»)]\s*$", line))


@rule("related-block")
def drop_related_blocks(lines: list[str], ctx: Context) -> list[str]:
    """Drop a furniture heading (``Related stories``, ``You may also
    like...``, ``Most read in ...``, ``Comments``, ``Tags``, ``Don't miss``,
    ``Explore further`` ...; at most six tokens) together with the
    headline-like lines that follow it, up to the first line that reads like
    body prose."""
    out = []
    skipping = False
    for line in lines:
        if len(_tokens(line)) <= 6 and _BLOCK_HEADING.match(line):
            skipping = True
            continue
        if skipping and _teaser_like(line):
            continue
        skipping = False
        out.append(line)
    return out


@rule("trailing-list")
def drop_trailing_link_list(lines: list[str], ctx: Context) -> list[str]:
    """Drop a run of at least two headline-like list items ("- Title ...")
    that ends the text: related-story lists rendered as <ul> after the body.
    Bullets inside the article are kept (the run must reach the end)."""
    end = len(lines)
    start = end
    while start > 0 and lines[start - 1].startswith(("- ", "• ", "* ")) and _teaser_like(lines[start - 1]):
        start -= 1
    if end - start >= 2:
        return lines[:start]
    return lines


def _link_coverage(line: str, anchors: set[str]) -> float:
    """Share of the line's tokens covered by anchor texts of the page
    (longest anchors first, each occurrence counted once)."""
    norm = _norm(line)
    total = len(norm.split())
    if not total or not anchors:
        return 0.0
    padded = f" {norm} "
    covered = 0
    for anchor in sorted((a for a in anchors if len(a) <= len(norm)), key=len, reverse=True):
        needle = f" {anchor} "
        while needle in padded:
            covered += len(anchor.split())
            padded = padded.replace(needle, " \x00 ", 1)
    return covered / total


@rule("link-density")
def drop_link_lines(lines: list[str], ctx: Context) -> list[str]:
    """Drop headline-like lines (see :func:`_teaser_like`) whose tokens are at
    least half link text of the page: related-story lists, "Read more: <a>",
    "Also on site.com <a>" teasers.  Body paragraphs with inline links keep
    a low link share and sentence punctuation, so they survive."""
    anchors = ctx.anchors
    return [ln for ln in lines if not (len(_tokens(ln)) >= 4 and _teaser_like(ln)
                                       and _link_coverage(ln, anchors) >= 0.5)]


_PROMO = re.compile(
    r"\b(newsletters?|in your inbox|to your inbox|subscribe to|subscribe now|subscribers? only|"
    r"sign up (for|to) (our|the)|click here|tap here|download (our|the) app|get the [\w .'&-]+ app|"
    r"on the go by|join [\w .'&-]+ (plus|premium|membership)|for as little as|free trial|"
    r"thanks for signing up|error processing your subscription|like this story\? share it)\b", re.I)


@rule("promo")
def drop_promo_lines(lines: list[str], ctx: Context) -> list[str]:
    """Drop short (<= 40 tokens) calls to action: newsletter and subscription
    prompts, app downloads, "click here", membership pitches."""
    return [ln for ln in lines if not (_PROMO.search(ln) and len(_tokens(ln)) <= 40)]


_SOCIAL = r"(twitter|facebook|instagram|linkedin|youtube|tiktok|threads|bluesky|mastodon|x)"
_CONTACT = re.compile(
    r"^(follow (him|her|them|us|me)\b|follow @|follow\b.{0,80}\bon " + _SOCIAL + r"\b|"
    r"(email|e-mail|write to|contact|reach) [\w .'&-]{1,60}( at | on |: )|"
    r"have a (news )?tip\b|(like|share) this (story|article)|"
    r"[-–•]?\s*(print|email|share|order reprints|print article)$)", re.I)
_BARE_REF = re.compile(r"^\W*(\S+@\S+\.\w+|@\w+|(https?://)?(www\.)?twitter\.com/\S+)\W*$", re.I)


@rule("contact")
def drop_contact_lines(lines: list[str], ctx: Context) -> list[str]:
    """Drop author contact and social prompts ("Follow her on Twitter ...",
    "Email X at ...", "Write to X at ...", "Have a tip?") and lines that are
    only a URL, an e-mail address or a handle."""
    return [ln for ln in lines if not (_BARE_REF.match(ln) or
                                       (_CONTACT.match(ln) and len(_tokens(ln)) <= 40))]


_CREDITS = re.compile(
    r"^\(?\s*((additional )?reporting by|editing by|writing by|compiled by|"
    r"(\w+ ){0,6}contributed (to this report|reporting|to this story)|"
    r"(associated press|ap|reuters|afp) (writers?|reporters?) .{0,200}contributed)", re.I)
_CONTRIBUTED = re.compile(r"\bcontributed (to this (report|story|article)|reporting)\b", re.I)


@rule("credits")
def drop_credit_lines(lines: list[str], ctx: Context) -> list[str]:
    """Drop reporting credits in the last lines: "Reporting by ...; Editing by
    ...", "Additional reporting by ...", "X contributed to this report."."""
    n = len(lines)
    return [ln for i, ln in enumerate(lines)
            if not (i >= n - TAIL and len(_tokens(ln)) <= 50
                    and (_CREDITS.match(ln) or _CONTRIBUTED.search(ln)))]


_LEGAL = re.compile(
    r"(©|\(c\)\s*\d{4}|\bcopyright\b|all rights reserved|for your personal,? non-commercial use|"
    r"subscriber agreement|may (get|earn) a (share|commission)|affiliate (links?|commission)|"
    r"^source:\s|^\W*(sources?|via):\s)", re.I)


@rule("legal")
def drop_legal_lines(lines: list[str], ctx: Context) -> list[str]:
    """Drop short (<= 60 tokens) copyright, licensing, affiliate-disclosure
    and "Source: ..." lines in the last lines of the text."""
    n = len(lines)
    return [ln for i, ln in enumerate(lines)
            if not (i >= n - TAIL and _LEGAL.search(ln) and len(_tokens(ln)) <= 60)]


@rule("duplicates")
def drop_duplicate_lines(lines: list[str], ctx: Context) -> list[str]:
    """Drop repeated occurrences of a line of three or more tokens (widgets
    rendered twice, headline repeated in a share box)."""
    seen: set[str] = set()
    out = []
    for line in lines:
        key = _norm(line)
        if len(key.split()) >= 3 and key in seen:
            continue
        seen.add(key)
        out.append(line)
    return out


# Rules in application order; "standfirst" is kept out of the default set
# (see its docstring) but can be scored on its own.
DEFAULT_RULES = ["title", "dateline", "teaser", "related-block", "link-density",
                 "promo", "contact", "credits", "legal"]


def apply(text: Optional[str], html: str = "", url: str = "",
          only: Optional[Iterable[str]] = None) -> Optional[str]:
    """Apply the rules (``only`` selects a subset, default :data:`DEFAULT_RULES`)
    to *text* line by line and return the remaining lines joined by newlines."""
    if not text:
        return text
    ctx = Context(html, url)
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    names = list(only) if only is not None else DEFAULT_RULES
    for name in names:
        lines = RULES[name](lines, ctx)
    return "\n".join(lines)
