#!/usr/bin/env python3
"""Outlets whose page furniture changes from page to page, with a gold label on every line (seeded).

Usage::

    python benchmarks/cleaning/generate.py --base ../shared/data/bbc_news --docs 4000 --seed 1 --out /tmp/clean1
    python benchmarks/cleaning/generate.py --base ../shared/data/bbc_news --docs 4000 --seed 5 --phrasing unseen --out /tmp/clean5u

writes ``docs.jsonl`` (``{"id", "title", "text", "source", "published"}``) and ``gold.jsonl``
(``{"id", "kind", "lines": [[line, "article" | "furniture"], ...]}``, the page's non-blank lines
in order) into ``--out``. Same arguments, byte-identical files. ``score.py`` cleans the documents
as ``dedupe run`` does and scores every line.

What issue 20 saw on pages nobody here wrote, in the same shapes:

- **Furniture with per-page numbers**: each outlet prints a header and a footer whose lines carry
  the page's own date, time, story number, URL or reading time ("Posted: 12/03/2024 14:05 GMT",
  "First appeared on https://…/story/88213"), so no two pages repeat them exactly.
- **Phrasings nobody wrote rules from**: each outlet draws its furniture from families of
  phrasing (reprint credits, bylines, membership appeals, registration prompts, share and
  newsletter lines), each family many wordings made of parts, and an outlet's name and label
  words are its own. The outlets and the combinations an outlet uses depend on the seed: tune on
  one seed, report on another.
- **Headline blocks after figure tables**: a fifth of the pages end with a block of other
  headlines with their ages, with or without a heading; some articles end with a table of figure
  lines ("Revenue 4.21 bn vs 3.90 bn") or are short reports made mostly of one, and some end with a
  short closing line without a full stop.
- **Article lines with numbers**: figure tables, results lines and prices, which the same outlet
  prints in many stories with other numbers ("Brent crude 81.20 dollars a barrel").
- **Furniture-only pages** (1 %): a registration wall and the outlet's furniture, no article.

``--phrasing unseen`` draws every family from a second bank of wordings (``UNSEEN_*``), written
after the rules of session 9 and kept out of their tuning but for the seeds named in
benchmarks/README.md; the default (``seen``) gives the corpora of earlier sessions byte for byte.

Outlets are invented (``<name>-<seed>.example``). Article text is bbc_news's (title and
paragraphs of one article, cut to 2-8 paragraphs).
"""

from __future__ import annotations

import argparse
import html
import json
import random
import sys
from pathlib import Path

OUTLET_WORDS = ("Courier", "Ledger", "Sentinel", "Observer", "Chronicle", "Dispatch", "Herald", "Gazette", "Post",
                "Record", "Tribune", "Beacon", "Monitor", "Examiner", "Bulletin", "Mirror", "Star", "Times")
PLACES = ("Riverside", "Northfield", "Lakeside", "Bayview", "Hillcrest", "Eastport", "Westbrook", "Clearwater",
          "Kingsford", "Ashford", "Millbrook", "Oakridge", "Redcliff", "Stonebridge")
PEOPLE = ("Jane Holloway", "Tom Achebe", "Maria Lindqvist", "Sam O'Neill", "Priya Natarajan", "Luis Ortega",
          "Ann-Marie Duval", "Kofi Mensah", "Ellen Park", "Rafael Costa", "Hannah Weiss", "Omar Haddad")

# Families of furniture phrasing. Each template is filled per page: {n} a number, {url} the page's
# URL, {date}/{time} the page's date and time, {outlet} the outlet's name, {person} a name.
HEAD = {
    "posted": ["Posted: {dmy} {time} GMT", "Published {date} at {time}", "Last updated: {dmy}, {time}",
               "{date} {time} | Updated {n2} minutes ago", "Updated {n2} hours ago", "Posted {long_date}"],
    "byline": ["By {person} | {date} {time}", "Reporter: {person}", "Words: {person}", "Story by {person}",
               "{person}, {outlet} correspondent"],
    "reading": ["{n2} min read", "Reading time: {n2} minutes", "Listen to this story ({n2} min)"],
}
FOOT = {
    "reprint": ["First appeared on {url}", "Reprinted by arrangement with {outlet}.",
                "This story was first published by {outlet} on {date}.", "Originally published at {url}",
                "Republished with permission from {outlet}.", "Source: {outlet}, {url}"],
    "ids": ["Story ID {n5} | Last modified {date} {time}", "Ref: {n5}/{n2}", "Article #{n5}"],
    "copyright": ["© {year} {outlet} Media. All rights reserved.", "Copyright {year} {outlet}",
                  "(c) {year} {outlet} Ltd"],
    "more": ["Read more: {url}", "More stories at {url}", "Permalink: {url}"],
    "support": ["Keep independent reporting alive: become a member of {outlet}.",
                "Members make our newsroom possible.", "Support local journalism: donate to {outlet} today.",
                "Readers like you keep the {outlet} going. Become a supporter.",
                "Become a member of {outlet} from {n1} a month."],
    "account": ["Sign up free to read {n1} articles a month.", "Create an account to unlock every story.",
                "Register for free to keep reading.", "Log in or sign up to continue reading."],
    "share": ["Share this article", "Share on Facebook | Share on X | Email", "Share: Facebook, WhatsApp, Email"],
}
HEADINGS = ("Most Read", "Elsewhere on the site", "Latest Stories", "More from {outlet}", "Trending now",
            "Popular this week", "Don't miss", "Also read:")
WALL = ["Create a free account to keep reading this story.", "Already registered? Log in to continue reading.",
        "Sign up free to read {n1} articles a month.", "Create an account to unlock this article and our archive.",
        "You have reached your limit of free stories. Subscribe to continue reading."]
# A second bank of the same families, written after the rules of session 9 and never used to tune
# them (``--phrasing unseen``): other wordings of datelines, bylines, reading times, reprint credits,
# ids, notices, links, appeals, prompts, share bars, list headings and walls, as other outlets print them.
UNSEEN_HEAD = {
    "posted": ["Published: {long_date}", "Last modified on {dmy}", "{long_date} · {time}",
               "First published on {long_date}", "Updated {time} GMT, {long_date}"],
    "byline": ["By {person}, Staff Writer", "{person} | {outlet}", "Written by {person}", "Posted by {person}",
               "Author: {person}", "{person}, Senior Reporter"],
    "reading": ["{n2}-minute read", "Estimated reading time: {n2} min", "Listen: {n2} min", "🕒 {n2} min read"],
}
UNSEEN_FOOT = {
    "reprint": ["This article originally appeared on {outlet}.", "Republished from {outlet} under a Creative Commons licence.",
                "A version of this story first ran in {outlet} on {long_date}.", "Syndicated from {url}",
                "Via {outlet}: {url}"],
    "ids": ["Article ID: {n5}", "Story no. {n5}", "ID: {n5}-{n2}"],
    "copyright": ["Copyright © {year} {outlet}. All Rights Reserved.", "© {outlet} {year}", "{outlet} © {year}"],
    "more": ["Continue reading at {url}", "Full story: {url}", "Link: {url}"],
    "support": ["If you value our journalism, please consider supporting {outlet}.",
                "Your donation keeps {outlet} free for everyone.", "Help us keep reporting: give {n1} pounds a month.",
                "We rely on readers like you. Chip in today."],
    "account": ["Subscribe to keep reading.", "This article is for subscribers only. Start your free trial.",
                "You've read {n1} of {n1} free articles this month.", "Log in to read the full story."],
    "share": ["Share this:", "Share via Email | Facebook | LinkedIn", "Tweet | Share | Email"],
}
UNSEEN_HEADINGS = ("Most popular", "Trending this week", "What others are reading", "Top stories today",
                   "More in News", "Editor's picks", "Recommended for you", "In case you missed it")
UNSEEN_WALL = ["This story is for subscribers. Subscribe now to read on.", "Already a subscriber? Sign in.",
               "Get unlimited access for {n1} pounds a month.", "Start your free trial to read the full article.",
               "You've used all of your free articles this month."]
PHRASINGS = {"seen": (HEAD, FOOT, HEADINGS, WALL), "unseen": (UNSEEN_HEAD, UNSEEN_FOOT, UNSEEN_HEADINGS, UNSEEN_WALL)}

FIGURES = ("Revenue", "Operating profit", "Net income", "EPS", "Margin", "Free cash flow", "Dividend",
           "Sales growth", "Guidance", "Order book")
MARKETS = ("Brent crude {a} dollars a barrel", "Gold {a4} dollars an ounce", "FTSE 100 {a4} points",
           "Sterling {b} dollars", "Ten-year gilt yield {b} per cent")
CLOSERS = ("More to follow", "Live coverage continues throughout the day", "Full results below",
           "Kick-off is at 19:45 GMT", "Voting closes at 22:00")


def load_articles(base: Path) -> list[tuple[str, list[str]]]:
    """(title, paragraphs) of each bbc_news article, sorted file order."""
    root = base / "bbc" if (base / "bbc").is_dir() else base
    out = []
    for path in sorted(root.glob("*/*.txt")):
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("cp1252")
        text = html.unescape(text)
        blocks = [" ".join(b.split()) for b in text.replace("\r\n", "\n").split("\n\n") if b.strip()]
        if len(blocks) >= 3:
            out.append((blocks[0], [b for b in blocks[1:] if len(b) >= 40]))
    if not out:
        raise SystemExit(f"no articles under {base} (expected <topic>/NNN.txt)")
    return out


class Outlet:
    """An invented outlet: name, domain, which furniture families it prints and in which wording."""

    def __init__(self, k: int, seed: int, rng: random.Random, phrasing: str = "seen") -> None:
        head, foot, headings, self.wall = PHRASINGS[phrasing]
        self.name = f"{rng.choice(PLACES)} {rng.choice(OUTLET_WORDS)}"
        self.host = f"{self.name.lower().replace(' ', '')}-{seed}-{k}.example"
        self.head = [rng.choice(head[f]) for f in rng.sample(sorted(head), rng.randint(1, 2))]
        self.foot = [rng.choice(foot[f]) for f in rng.sample(sorted(foot), rng.randint(2, 4))]
        self.tables = rng.choice((0.05, 0.1, 0.4))  # a markets desk prints tables in many stories
        self.headlines = rng.random() < 0.6
        self.heading = rng.choice(headings + (None,))


def _fill(template: str, outlet: Outlet, rng: random.Random, story: int, date: str) -> str:
    d, m, y = date[8:10], date[5:7], date[:4]
    months = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
              "November", "December")
    return template.format(
        n1=rng.randint(2, 10), n2=rng.randint(2, 59), n5=story, url=f"https://{outlet.host}/story/{story}",
        date=date, dmy=f"{d}/{m}/{y}", time=f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}",
        long_date=f"{int(d)} {months[int(m) - 1]} {y}", year=y, outlet=outlet.name, person=rng.choice(PEOPLE),
    )


def _table(rng: random.Random) -> list[str]:
    if rng.random() < 0.5:
        return [f"{name} {rng.uniform(0.5, 9.9):.2f} bn vs {rng.uniform(0.5, 9.9):.2f} bn"
                for name in rng.sample(FIGURES, rng.randint(3, 6))]
    return [t.format(a=f"{rng.uniform(60, 99):.2f}", a4=f"{rng.uniform(1000, 9000):,.1f}",
                     b=f"{rng.uniform(1, 5):.3f}") for t in rng.sample(MARKETS, rng.randint(3, 5))]


def _headline_block(outlet: Outlet, articles, rng: random.Random, story: int, date: str) -> list[str]:
    lines = []
    if outlet.heading is not None:
        lines.append(_fill(outlet.heading, outlet, rng, story, date))
    for _ in range(rng.randint(3, 5)):
        lines.append(rng.choice(articles)[0])
        lines.append(rng.choice((f"{rng.randint(2, 59)} minutes ago", f"{rng.randint(1, 23)} hours ago",
                                 f"{rng.randint(2, 59)} seconds -", "Yesterday")))
    return lines


def documents(articles, docs: int, seed: int, outlets: int, phrasing: str = "seen"):
    rng = random.Random(seed)
    shops = [Outlet(k, seed, rng, phrasing) for k in range(outlets)]
    width = max(6, len(str(docs)))
    for i in range(docs):
        doc_id = f"c{i:0{width}d}"
        outlet = rng.choice(shops)
        story = 10_000 + rng.randrange(900_000)
        date = f"20{rng.randint(18, 25)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        head = [_fill(t, outlet, rng, story, date) for t in outlet.head]
        foot = [_fill(t, outlet, rng, story, date) for t in outlet.foot]
        title, paras = rng.choice(articles)
        if rng.random() < 0.01:
            kind = "furniture-only"
            body = [(title[:40] + " …", "furniture")]
            body += [(_fill(t, outlet, rng, story, date), "furniture") for t in rng.sample(outlet.wall, rng.randint(1, 2))]
        else:
            kind = "article"
            r = rng.random()
            if r < 0.05:  # a short report: a lead and a table
                kind = "figures"
                body = [(title, "article"), (paras[0], "article")] + [(x, "article") for x in _table(rng)]
            else:
                n = rng.randint(2, min(8, len(paras))) if len(paras) >= 2 else len(paras)
                body = [(title, "article")] + [(p, "article") for p in paras[:n]]
                if rng.random() < outlet.tables:
                    at = rng.randint(2, len(body)) if rng.random() < 0.5 else len(body)
                    body[at:at] = [(x, "article") for x in _table(rng)]
                if rng.random() < 0.08:
                    body.append((rng.choice(CLOSERS), "article"))
        tail = []
        if outlet.headlines and rng.random() < 0.5:
            tail = [(x, "furniture") for x in _headline_block(outlet, articles, rng, story, date)]
        lines = [(x, "furniture") for x in head] + body + [(x, "furniture") for x in foot] + tail
        if rng.random() < 0.7 and tail:  # the block before the footer, more often than not
            lines = [(x, "furniture") for x in head] + body + tail + [(x, "furniture") for x in foot]
        text = "\n\n".join(x for x, _ in lines)
        yield ({"id": doc_id, "title": title, "text": text, "source": outlet.host, "published": date},
               {"id": doc_id, "kind": kind, "lines": [[x, label] for x, label in lines]})


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--base", type=Path, required=True, help="the bbc_news folder")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--docs", type=int, default=4000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--outlets", type=int, default=16)
    ap.add_argument("--phrasing", choices=sorted(PHRASINGS), default="seen",
                    help="the furniture wordings: 'seen' (those the rules were tuned on) or 'unseen' (a second bank)")
    args = ap.parse_args(argv)
    if args.docs < 0 or args.outlets < 1:
        ap.error("--docs >= 0 and --outlets >= 1")
    articles = load_articles(args.base)
    args.out.mkdir(parents=True, exist_ok=True)
    kinds: dict[str, int] = {}
    with open(args.out / "docs.jsonl", "w", encoding="utf-8") as f, \
            open(args.out / "gold.jsonl", "w", encoding="utf-8") as g:
        for doc, gold in documents(articles, args.docs, args.seed, args.outlets, args.phrasing):
            f.write(json.dumps(doc, ensure_ascii=False) + "\n")
            g.write(json.dumps(gold, ensure_ascii=False) + "\n")
            kinds[gold["kind"]] = kinds.get(gold["kind"], 0) + 1
    print(f"wrote {args.docs} documents to {args.out}: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())),
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
