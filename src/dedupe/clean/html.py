"""Main-text extraction from HTML pages with trafilatura, then the page rules.

trafilatura finds the article body and its metadata (title, date, url, site
name). Comments are never wanted in a canonical news text, so they are off;
trafilatura's fallback extractors are off too (``fast``): on the
article-extraction benchmark (181 news pages, see
``benchmarks/extraction/README.md``) they lowered precision and recall alike.
``favor`` maps to trafilatura's ``favor_precision``/``favor_recall``.

When trafilatura finds no main text (or fails) on a page, or the page is nested
deeper than lxml builds a tree (256 levels: the rest of the page is missing
from the tree trafilatura reads), the text comes from a second extractor, a
plain walk over the page's text (:func:`dedupe.clean._textwalk.walk_text`),
and the page's metadata from trafilatura's metadata extraction.
:attr:`Extracted.extractor` says which extractor served the text
(``"trafilatura"`` or ``"text-walk"``); cleaning records it in the document's
``meta["extractor"]``. A page is only left without text when neither finds any.

The page is parsed once. Before extraction, :func:`page_context` reads what the
page rules need from the parsed page (headline candidates, the texts of links
to other pages of the same site); after extraction, the page rules of
:mod:`dedupe.clean.rules` (``page_title``, ``link_list``) remove what only the
HTML can identify as furniture, each removal recorded in
:attr:`Extracted.changes`. The text then goes through the same text cleaning
as text input (:func:`dedupe.clean.clean_text`).
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from typing import Any, Iterable, Literal
from urllib.parse import urljoin, urlsplit

import trafilatura
from lxml import etree
from trafilatura.metadata import extract_metadata
from trafilatura.utils import decode_file, load_html

from ..records import Change
from .rules import DEFAULT_RULES, RULES, PageContext, apply_rules, normalize_words
from ._textwalk import walk_text

__all__ = ["Extracted", "extract_html", "page_context"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Extracted:
    """What trafilatura found in a page. ``text`` is empty when it found no main text.

    ``changes`` are the removals made by the page rules, ``page`` is what they
    knew about the page, ``extractor`` which extractor found the text
    (``"trafilatura"``, or ``"text-walk"``, the fallback; None when no text).
    """

    text: str
    title: str | None = None
    published: str | None = None
    url: str | None = None
    sitename: str | None = None
    changes: tuple[Change, ...] = ()
    page: PageContext | None = None
    extractor: str | None = None


# lxml's HTML parser stops adding elements at depth 256 (libxml2's limit without
# XML_PARSE_HUGE; 2,048 with it): a tree with an element 250 levels down has most
# likely lost the rest of its page. A compiled child-axis path, linear in the page
# (0.17 ms for a 4,500-element page, where an ancestor count per element took 1.7 ms).
_DEPTH_LIMIT = 250
_TOO_DEEP = etree.XPath("boolean(" + "/*" * _DEPTH_LIMIT + ")")


def extract_html(
    html: str | bytes,
    url: str | None = None,
    favor: Literal["balanced", "precision", "recall"] = "balanced",
    rules: Iterable[str] | None = None,
) -> Extracted:
    """Extract the main text and metadata of an HTML page, then apply the page rules.

    ``rules`` names the rules to apply (the page rules among them run here;
    the text rules are left to :func:`dedupe.clean.clean_text`); ``None``
    means :data:`~dedupe.clean.rules.DEFAULT_RULES`.

    >>> page = ("<html><head><meta property='og:title' content='Troops arrive in Niger'></head><body><article>"
    ...         "<h2>Troops arrive in Niger</h2><p>" + "Troops arrived in Niger on Wednesday. " * 8 + "</p></article></body></html>")
    >>> out = extract_html(page, url="https://www.example.com/a")
    >>> out.text[:37], [c.rule for c in out.changes]
    ('Troops arrived in Niger on Wednesday.', ['page_title'])
    """
    tree = doc = None
    page = PageContext((), frozenset())
    try:
        tree = load_html(html)
        if tree is not None:
            page = page_context(tree, url)
            doc = trafilatura.bare_extraction(
                tree,
                url=url,
                fast=True,
                with_metadata=True,
                include_comments=False,
                include_tables=True,
                favor_precision=favor == "precision",
                favor_recall=favor == "recall",
            )
    except Exception as exc:  # trafilatura/lxml raise many types on broken markup
        logger.debug("trafilatura failed: %s", exc)
        doc = None
    names = [n for n in (DEFAULT_RULES if rules is None else rules) if RULES[n].needs_page]
    too_deep = tree is not None and bool(_TOO_DEEP(tree))
    if doc is None or not (doc.text or "").strip() or too_deep:
        fallback = _walk_fallback(html, tree, url, doc, page, names)
        if fallback is not None or doc is None or not (doc.text or "").strip():
            return fallback or Extracted("")
    if doc.title:
        page = PageContext(tuple(sorted(set(page.titles) | set(_title_variants(doc.title)))), page.links)
    text = _continue_body(tree, doc.text or "")
    text, changes = apply_rules(text, names, page=page)
    return Extracted(
        text=text,
        title=doc.title or None,
        published=doc.date or None,
        url=doc.url or url,
        sitename=doc.sitename or None,
        changes=tuple(changes),
        page=page,
        extractor="trafilatura",
    )


def _walk_fallback(html: str | bytes, tree: Any, url: str | None, doc: Any, page: PageContext,
                   names: list[str]) -> Extracted | None:
    """The page's text from :func:`walk_text`, with trafilatura's metadata; None when the walk finds no text."""
    try:
        text = walk_text(html if isinstance(html, str) else decode_file(html))
    except Exception as exc:  # a bug in the walk must not lose the page's accounting
        logger.debug("text walk failed: %s", exc)
        return None
    if not text.strip():
        return None
    meta = doc
    if meta is None and tree is not None:
        try:
            meta = extract_metadata(tree, default_url=url)
        except Exception as exc:
            logger.debug("trafilatura metadata failed: %s", exc)
    title = getattr(meta, "title", None) or None
    if title:
        page = PageContext(tuple(sorted(set(page.titles) | set(_title_variants(title)))), page.links)
    text, changes = apply_rules(text, names, page=page)
    return Extracted(
        text=text,
        title=title,
        published=getattr(meta, "date", None) or None,
        url=getattr(meta, "url", None) or url,
        sitename=getattr(meta, "sitename", None) or None,
        changes=tuple(changes),
        page=page,
        extractor="text-walk",
    )


# --------------------------------------------------------------------------- split bodies

_BLOCKS = ("p", "h2", "h3", "h4", "li", "blockquote")
# A continuation is a run of article paragraphs: at least four prose paragraphs, and at least
# half of what it would add is prose. On the extraction benchmark the two split bodies (wired.com)
# add 11 and 12 prose paragraphs (58%, 67% of their blocks); the other same-class containers next
# to an extracted body (cards, comment and footer columns) hold at most 3.
_MIN_PROSE_BLOCKS = 4
_PROSE_SHARE = 0.5
_PROSE = re.compile(r"[.!?\"”’)]$")


def _prose(block: str) -> bool:
    """A paragraph of running text: fifteen words or more, ending like a sentence."""
    return len(block.split()) >= 15 and bool(_PROSE.search(block))
_BODY_FOUND = 0.8  # share of a container's paragraphs in the extracted text for it to be the extracted body


def _blocks(element: Any) -> list[str]:
    """Texts of the paragraph-level elements under ``element``, outermost only, whitespace collapsed."""
    out = []
    for el in element.iter(*_BLOCKS):
        if any(a.tag in _BLOCKS for a in el.iterancestors()):
            continue
        text = " ".join(el.text_content().split())
        if text:
            out.append(text)
    return out


def _continue_body(tree: Any, text: str) -> str:
    """Add the rest of an article body that the page splits over several containers.

    Some sites cut the body into several elements of the same tag and class
    (one per screenful, with ads between); trafilatura keeps only one of them.
    When the container it kept is one of such a group, the paragraphs of the
    other members that are missing from the text are added in page order
    (members before it above the text, members after it below).
    """
    if not text:
        return text
    groups: dict[tuple[str, str], list[Any]] = {}
    for el in tree.iter("div", "section", "article"):
        cls = (el.get("class") or "").strip()
        if cls:
            groups.setdefault((el.tag, cls), []).append(el)
    found = normalize_words(text)
    for members in groups.values():
        if len(members) < 2:
            continue
        blocks = [_blocks(m) for m in members]
        present = [[normalize_words(b) in found for b in bs] for bs in blocks]
        body = [k for k, bs in enumerate(blocks) if bs and sum(present[k]) >= _BODY_FOUND * len(bs)]
        if len(body) != 1:
            continue
        k = body[0]
        before, after = [], []
        for m, (bs, ps) in enumerate(zip(blocks, present)):
            missing = [b for b, p in zip(bs, ps) if not p]
            prose = sum(1 for b in missing if _prose(b))
            if m == k or prose < _MIN_PROSE_BLOCKS or prose < _PROSE_SHARE * len(missing):
                continue
            (before if m < k else after).extend(missing)
        if before or after:
            return "\n".join(before + [text] + after)
    return text


# --------------------------------------------------------------------------- page context

_TITLE_SEPARATOR = re.compile(r"\s+[|\-–—:·•»]\s+")
_TITLE_META = ("og:title", "twitter:title", "title", "headline")


def _title_variants(title: str) -> list[str]:
    """A headline and, for "Headline | Site"-style titles, its parts of three words or more."""
    out = [normalize_words(title)]
    parts = _TITLE_SEPARATOR.split(title)
    if len(parts) > 1:
        out.extend(normalize_words(p) for p in parts if len(p.split()) >= 3)
    return [t for t in out if t]


def page_context(tree: Any, url: str | None = None) -> PageContext:
    """What the page rules may know about a parsed page (an lxml tree).

    ``titles``: the headline candidates: ``og:title``/``twitter:title`` and
    similar meta tags, ``<title>`` (with its parts, so "Headline | Site" also
    gives "Headline"), the ``<h1>`` texts and a JSON-LD ``headline``.
    ``links``: texts (two words or more) of the links to other pages of the
    same site, the shape of related-story lists; links to other sites (sources,
    shops, posts), to the page itself and within the page are left out.

    >>> from lxml import html
    >>> page = html.fromstring("<html><head><title>Army moves | Daily</title></head><body>"
    ...     "<h1>Army moves</h1><a href='/world/other-story'>Floods hit the coast</a>"
    ...     "<a href='https://elsewhere.org/x'>Report on the floods</a></body></html>")
    >>> ctx = page_context(page, "https://www.daily.example/world/army")
    >>> ctx.titles, sorted(ctx.links)
    (('army moves', 'army moves daily'), ['floods hit the coast'])
    """
    titles: set[str] = set()
    for meta in tree.iter("meta"):
        key = (meta.get("property") or meta.get("name") or "").strip().lower()
        if key in _TITLE_META and meta.get("content"):
            titles.update(_title_variants(meta.get("content")))
    for tag in ("title", "h1"):
        for el in tree.iter(tag):
            titles.update(_title_variants(el.text_content()))
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() == "application/ld+json":
            titles.update(t for h in _jsonld_headlines(script.text or "") for t in _title_variants(h))
    return PageContext(tuple(sorted(titles)), frozenset(_site_links(tree, url)))


def _jsonld_headlines(raw: str) -> list[str]:
    try:
        data = json.loads(raw)
    except ValueError:
        return []
    found, stack = [], [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            value = item.get("headline")
            if isinstance(value, str):
                found.append(value)
            stack.extend(v for v in item.values() if isinstance(v, (dict, list)))
        elif isinstance(item, list):
            stack.extend(item)
    return found


def _site(host: str) -> str:
    """The last two labels of a host name: enough to tell a site's own links from outbound ones."""
    return ".".join(host.lower().split(":")[0].split(".")[-2:])


def _site_links(tree: Any, url: str | None) -> set[str]:
    base = url or "http://localhost/"
    here = urlsplit(base)
    site, path = _site(here.netloc), here.path.rstrip("/")
    out = set()
    for a in tree.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
            continue
        try:
            target = urlsplit(urljoin(base, href))
        except ValueError:
            continue
        if _site(target.netloc) != site or target.path.rstrip("/") == path:
            continue
        text = normalize_words(a.text_content())
        if " " in text:
            out.add(text)
    return out
