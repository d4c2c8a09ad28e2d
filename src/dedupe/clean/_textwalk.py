"""The fallback extractor: a plain walk over an HTML page's text, with no tree and no depth limit.

trafilatura works on an lxml tree, and lxml stops building a tree at 256
levels of nesting (2,048 with ``huge_tree``): a page that wraps its article in
20,000 ``<div>`` s loses the article before trafilatura sees it. When
trafilatura finds nothing, or the tree hit that limit, :func:`walk_text`
reads the page with the standard library's streaming ``html.parser`` instead,
which keeps no tree and so has no depth to run out of:

- the text of ``script``, ``style``, ``head`` and the other elements in
  :data:`SKIPPED` (navigation, headers, footers, asides, forms, menus) is left out;
- a block-level element (:data:`BLOCKS`) or ``<br>`` ends a line;
- a line made mostly of link text (at least :data:`LINK_SHARE` of its
  characters inside ``<a>``) is a menu or a list of other stories, and is
  left out.

The lines then go through the same cleaning as any extracted text
(:func:`dedupe.clean.clean_text`). The walk is linear in the page size.

>>> walk_text("<html><head><title>T</title></head><body><nav><a href='/'>Home</a></nav>"
...           + "<div>" * 3000 + "<p>Troops arrived in <b>Niger</b>.</p><p><a href='/x'>More stories</a></p>"
...           + "</div>" * 3000 + "<footer>© Daily</footer></body></html>")
'Troops arrived in Niger.'
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

__all__ = ["walk_text", "SKIPPED", "BLOCKS", "LINK_SHARE"]

#: Elements whose text is not article text.
SKIPPED = frozenset({
    "head", "script", "style", "noscript", "template", "svg", "math", "iframe", "object", "canvas",
    "nav", "header", "footer", "aside", "form", "button", "select", "textarea", "menu", "dialog",
})
#: Elements that start and end a line.
BLOCKS = frozenset({
    "address", "article", "blockquote", "dd", "details", "div", "dl", "dt", "figcaption", "figure", "h1", "h2",
    "h3", "h4", "h5", "h6", "hr", "li", "main", "ol", "p", "pre", "section", "summary", "table", "td", "th",
    "tr", "ul", "br", "body", "html",
})
# 0.5: the usual link-density cut of boilerplate removal (a line that is more
# link than text is navigation). A sentence with one linked name stays.
LINK_SHARE = 0.5
_SPACE = re.compile(r"\s+")
# Elements that have no end tag: opening one does not enter it.
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
                   "wbr", "param"})


class _Walker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.skip: dict[str, int] = {}  # open skipped elements, by tag
        self.links = 0  # open <a> elements
        self.parts: list[tuple[str, bool]] = []  # the current line's text pieces, and whether inside a link
        self.lines: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED:
            self.skip[tag] = self.skip.get(tag, 0) + 1
        elif tag == "a":
            self.links += 1
        if tag in BLOCKS:
            self._end_line()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in BLOCKS:
            self._end_line()

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED and self.skip.get(tag):
            self.skip[tag] -= 1
            if not self.skip[tag]:
                del self.skip[tag]
        elif tag == "a" and self.links:
            self.links -= 1
        if tag in BLOCKS:
            self._end_line()

    def handle_data(self, data: str) -> None:
        if not self.skip and data:
            self.parts.append((data, self.links > 0))

    def _end_line(self) -> None:
        if not self.parts:
            return
        text = _SPACE.sub(" ", "".join(p for p, _ in self.parts)).strip()
        linked = sum(len(p.strip()) for p, in_link in self.parts if in_link)
        self.parts = []
        if text and linked < LINK_SHARE * len(text):
            self.lines.append(text)


def walk_text(html: str) -> str:
    """The text of a page's content elements, one line per block (see the module doc); ``""`` when none."""
    walker = _Walker()
    try:
        walker.feed(html)
        walker.close()
    except Exception:  # html.parser is lenient; keep what was read before anything odd
        pass
    walker._end_line()
    return "\n".join(walker.lines)
