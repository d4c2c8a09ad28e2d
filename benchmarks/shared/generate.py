#!/usr/bin/env python3
"""A news corpus whose unrelated articles share paragraphs, with gold stories (seeded, streaming).

Usage::

    python benchmarks/shared/generate.py --base ../shared/data/bbc_news --docs 20000 --seed 1 --out /tmp/shared20k

writes ``docs.jsonl`` and ``gold.jsonl`` (``{"id", "cluster", "kind"}``, one per document, for
``dedupe eval``) into ``--out``. Same arguments, byte-identical files; a million documents need
no more memory than the base text and the open paragraph pool.

Why: real archives are full of text that unrelated articles share. Wire paragraphs, quotes,
recaps and background blocks are printed in many stories, and stock sentences ("The company did
not respond to a request for comment.") in thousands. The scale corpus (``benchmarks/scale``)
rewrites every paragraph so that unrelated documents share nothing, which hid the quadratic cost
of verifying every pair that shares one paragraph (issue 14). Shapes here:

- **Shared paragraphs.** Every paragraph of an original comes from a pool and is printed by
  ``--reuse`` (default 6) documents on average (2 to 10), which are otherwise unrelated. Two
  unrelated documents never share more than one pool paragraph, and a document has at least
  600 words in paragraphs of 25 to 100, so what two unrelated documents share is at most 0.17 of
  either: background, not a partial copy by DESIGN.md's definition (an earlier version drew
  whole bbc_news paragraphs, up to 300 words, and a shared one could be half of a short
  document). Pool paragraphs are the base text's paragraphs cut at sentence ends, first as
  written, then as variants with 70 % of the words replaced (as the scale corpus does, so two
  variants of one paragraph share no 5-gram), since the corpus needs about
  ``docs * 8 / reuse`` of them.
- **Stock sentences**, made up here, each printed by about ``docs / 40`` documents (hot
  LSH band keys: at 20,000 documents about 500 documents per sentence).
- **Furniture with numbers**: each outlet's header and footer lines carry the page's own date,
  time, story number and URL, so that no two pages repeat them exactly; some outlets add an
  "also read" headline with its age.
- **Tables**: a tenth of the originals carry a block of figure lines ("Revenue 4.2 bn vs 3.9 bn").
- **Furniture-only pages** (0.5 %): a registration wall and the outlet's furniture, no article;
  gold puts each alone (two walls are not one story).
- **Copies** of a recent original (``--copies``, default 0.2 of the documents), gold cluster =
  the original's: ``exact`` repost (15 %), ``near`` (35 %: about 3 % of words dropped or doubled),
  ``wire`` (30 %: 60-100 % of the paragraphs in order, at least 450 words, light house-style edits in a third of the
  sentences, 1-2 local paragraphs and a dateline), ``abridged`` (20 %: the original less its last one to three
  paragraphs, at least 450 words).

Documents are ``{"id", "title", "text", "source", "published"}``; ids ``s0000001`` in output
order. The outlets are invented (``outletNN.example``).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import sys
from collections import deque
from pathlib import Path
from typing import Iterator


def _scale_module():
    """The scale corpus's generator (its base loading, rewrite and near-copy helpers)."""
    path = Path(__file__).resolve().parents[1] / "scale" / "generate.py"
    spec = importlib.util.spec_from_file_location("scale_generate", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_scale = _scale_module()
near_copy, open_output, rewrite, load_base, vocabulary = (_scale.near_copy, _scale.open_output, _scale.rewrite,
                                                         _scale.load_base, _scale.vocabulary)

SOURCES = [f"outlet{i:02d}.example" for i in range(24)]
COPY_KINDS = (("exact", 0.15), ("near", 0.35), ("wire", 0.30), ("abridged", 0.20))
RECENT = 10_000
FURNITURE_ONLY = 0.005
TABLES = 0.1
# Open pool paragraphs a document draws from: new paragraphs join as old ones reach their
# number of uses. 4,096 keeps the draw random while a paragraph's printings stay within a few
# thousand documents of each other, as a news week's background does.
OPEN_POOL = 4096

STOCK = [
    "The company did not immediately respond to a request for comment on the matter.",
    "Police said their investigations were continuing and appealed for witnesses to come forward.",
    "A spokesperson for the ministry declined to comment when contacted by reporters on Tuesday.",
    "The figures have not been independently verified and officials said they could still change.",
    "Shares in the group closed slightly higher in London trading after the announcement was made.",
    "Analysts had expected a weaker result given the difficult conditions across the sector this year.",
    "The government has said it will publish its full response to the report later this year.",
    "Opposition politicians described the decision as a missed opportunity for the whole country.",
    "Emergency services were called to the scene shortly after midday, according to local officials.",
    "The club has not commented publicly on the reports, which first appeared in the local press.",
    "Campaigners have long argued that the rules are unfair to smaller businesses and charities.",
    "The talks are expected to resume next week, although no date has yet been set by either side.",
    "It is not yet clear how many people will be affected by the changes announced on Monday.",
    "Officials said the decision had been taken after careful consideration of all the evidence.",
    "The report also found that waiting times had risen sharply in most regions over the last year.",
    "Both sides have said they remain committed to reaching an agreement before the deadline.",
    "The singer has not performed in public since the end of the tour earlier this year, fans say.",
    "Experts warned that prices could rise further if supply problems continue into the winter.",
    "The charity said demand for its services had never been higher than it was this winter.",
    "A full statement is expected to be made to parliament when members return next month.",
    "The incident is the latest in a series of setbacks for the project, which began in 2019.",
    "Local residents said they had raised concerns about the site with the council several times.",
    "The new rules will come into force at the start of next year, subject to final approval.",
    "Industry groups welcomed the move but said more detail was needed before firms could plan.",
    "The film has already taken more than twice its budget at the box office around the world.",
    "Further details about the programme will be announced at a press conference on Friday.",
    "The union said its members would consider the offer before deciding whether to strike again.",
    "The court heard that the defendant had no previous convictions and had pleaded guilty.",
    "Weather forecasters have warned of more heavy rain and strong winds later in the week.",
    "The minister said the country could not afford to wait any longer for a decision on funding.",
    "Investors will be watching closely for any sign of a change in the central bank's policy.",
    "The team will now face the winner of the other semi-final, to be played on Sunday evening.",
    "The agency said it had received hundreds of complaints since the service was launched.",
    "Supporters of the plan say it will create thousands of jobs over the next ten years.",
    "The museum said the collection would go on public display for the first time next spring.",
    "Officials insisted that the system was safe and that the fault had been fixed quickly.",
    "The bank said its forecast took account of the recent fall in energy prices across Europe.",
    "Neither side has given any indication of what a final settlement might eventually look like.",
    "The survey of more than two thousand adults was carried out online during the past month.",
    "Organisers said tickets for the event had sold out within hours of going on sale this week.",
]
WALL = [
    "Create a free account to keep reading this story and get unlimited access to our journalism.",
    "Already registered? Log in to continue reading.",
    "Subscribe now for full access to every article, our daily newsletter and the digital edition.",
]
FIGURES = ("Revenue", "Operating profit", "Net income", "EPS", "Margin", "Free cash flow", "Dividend",
           "Sales growth", "Guidance")
LOCAL = ["Our correspondent adds:", "Background:", "Local reaction:"]


def _furniture(source: str, rng: random.Random, story: int, date: str) -> tuple[list[str], list[str]]:
    """Header and footer lines of one page of ``source``, with this page's numbers and URL."""
    k = SOURCES.index(source)
    host = source
    time_ = f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}"
    d, m = date[8:10], date[5:7]
    head = [
        [f"Posted: {d}/{m}/{date[:4]} {time_} GMT"],
        [f"Updated {rng.randint(2, 23)} hours ago"],
        [f"By Staff Reporter | {date} {time_}"],
        [],
    ][k % 4]
    foot = [
        [f"First appeared on https://{host}/story/{story}"],
        [f"© {date[:4]} {host.split('.')[0].title()} Media. All rights reserved."],
        [f"Read more: https://{host}/news/{story}-{rng.randint(100, 999)}", "Share this article"],
        [f"Story ID {story} | Last modified {date} {time_}"],
        [],
    ][k % 5]
    if k % 3 == 0:
        foot = foot + ["Also read:", f"{rng.choice(['Markets', 'Weather', 'Sport'])} update: "
                       f"{rng.randint(2, 59)} minutes ago"]
    return head, foot


def _table(rng: random.Random) -> str:
    lines = []
    for name in rng.sample(FIGURES, rng.randint(3, 6)):
        a, b = rng.uniform(0.5, 9.9), rng.uniform(0.5, 9.9)
        lines.append(f"{name} {a:.2f} bn vs {b:.2f} bn")
    return "\n".join(lines)


_EDITS = (("per cent", "%"), (" said", " says"), ("'", "\u2019"), (" the ", " a "), (", ", " "))


def _house_style(para: str, rng: random.Random) -> str:
    """A third of the sentences edited lightly, as a subeditor would."""
    sentences = para.split(". ")
    for k, s in enumerate(sentences):
        if rng.random() < 1 / 3:
            old, new = rng.choice(_EDITS)
            sentences[k] = s.replace(old, new, 1)
    return ". ".join(sentences)


# Paragraph lengths in words: longer base paragraphs are cut at sentence ends. A document is
# at least DOC_WORDS words, so one shared paragraph is at most 100 / 600 = 0.17 of it, well under
# the share that makes a partial copy (DedupConfig.min_coverage, 0.3).
PARA_WORDS = (25, 100)
DOC_WORDS = 600
# A copy keeps at least this many words of its original, so that a paragraph it shares with an
# unrelated document is at most 100 / 450 = 0.22 of it (abridged copies of two paragraphs were
# half made of one shared paragraph: linked to each unrelated printer of it, and rightly so).
COPY_WORDS = 450


def pieces(paragraph: str) -> list[str]:
    """``paragraph`` cut at sentence ends into pieces of at most ``PARA_WORDS[1]`` words (shorter
    than ``PARA_WORDS[0]``: dropped)."""
    out: list[list[str]] = [[]]
    for sentence in paragraph.replace(". ", ".\n").split("\n"):
        words = sentence.split()
        if out[-1] and len(out[-1]) + len(words) > PARA_WORDS[1]:
            out.append([])
        out[-1].extend(words)
    return [" ".join(w) for w in out if PARA_WORDS[0] <= len(w) <= PARA_WORDS[1]]


class Pool:
    """Paragraphs open for drawing, each with its remaining uses and the documents using it."""

    def __init__(self, paragraphs: list[str], vocab: list[str], reuse: float, rng: random.Random) -> None:
        self.base = sorted(dict.fromkeys(p for para in paragraphs for p in pieces(para)))  # distinct, fixed order
        self.vocab = vocab
        self.reuse = reuse
        self.rng = rng
        self.made = 0
        self.open: list[list] = []  # [paragraph number, text, uses left, users]

    def _new(self) -> list:
        n = self.made
        self.made += 1
        base = self.base[n % len(self.base)]
        text = base if n < len(self.base) else rewrite(base, self.vocab, self.rng)
        uses = max(2, min(10, round(self.rng.gauss(self.reuse, 2))))
        return [n, text, uses, []]

    def draw(self, partners: set[int]) -> list:
        """An open paragraph none of whose users already shares a paragraph with the document."""
        while len(self.open) < OPEN_POOL:
            self.open.append(self._new())
        for _ in range(32):
            at = self.rng.randrange(len(self.open))
            entry = self.open[at]
            if not partners.intersection(entry[3]):
                break
        else:
            entry = self._new()
            at = None
        entry[2] -= 1
        if at is not None and entry[2] <= 0:
            self.open[at] = self.open[-1]
            self.open.pop()
        return entry


def documents(titles: list[str], paragraphs: list[str], docs: int, seed: int, copies: float,
              reuse: float) -> Iterator[tuple[dict, dict]]:
    """``(document, gold row)`` for each of ``docs`` documents."""
    rng = random.Random(seed)
    vocab = vocabulary(paragraphs)
    pool = Pool(paragraphs, vocab, reuse, random.Random(seed * 7919 + 1))
    # Recent originals: id, title, paragraphs and their pool entries (whose users grow as later
    # documents draw them; a copy is one more user of its original's paragraphs).
    recent: deque[tuple[str, str, list[str], list[list]]] = deque(maxlen=RECENT)
    kinds, weights = zip(*COPY_KINDS)
    width = max(7, len(str(docs)))
    for i in range(docs):
        doc_id = f"s{i:0{width}d}"
        source = rng.choice(SOURCES)
        date = f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        head, foot = _furniture(source, rng, 10_000 + i * 7 % 900_000, date)
        r = rng.random()
        if r < FURNITURE_ONLY:
            body = [rng.choice(titles)[:40] + " …"] + WALL[: rng.randint(1, 3)]
            gold = {"id": doc_id, "cluster": doc_id, "kind": "furniture-only"}
            text = "\n\n".join(head + body + foot)
            yield {"id": doc_id, "title": "", "text": text, "source": source, "published": date}, gold
            continue
        if recent and r < FURNITURE_ONLY + copies:
            of, title, paras, entries = recent[rng.randrange(len(recent))]
            kind = rng.choices(kinds, weights)[0]
            partners = {u for entry in entries for u in entry[3]}
            for entry in entries:
                entry[3].append(i)
            if kind == "near":
                paras = near_copy("\n\n".join(paras), rng).split("\n\n")
            elif kind == "wire":
                keep = sorted(rng.sample(range(len(paras)), max(2, round(len(paras) * rng.uniform(0.6, 1.0)))))
                while sum(paras[k].count(" ") + 1 for k in keep) < COPY_WORDS:
                    keep = sorted(set(keep) | {min(set(range(len(paras))) - set(keep))})
                local = []
                for _ in range(rng.randint(1, 2)):
                    entry = pool.draw(partners)
                    partners.update(entry[3])
                    entry[3].append(i)
                    local.append(f"{rng.choice(LOCAL)} {entry[1]}")
                paras = [_house_style(paras[k], rng) for k in keep] + local
                paras[0] = f"{rng.choice(['LONDON', 'PARIS', 'NEW YORK', 'NAIROBI'])} (Wire) - {paras[0]}"
            elif kind == "abridged":
                cut = len(paras) - rng.randint(1, 3)
                while cut < len(paras) and sum(p.count(" ") + 1 for p in paras[:cut]) < COPY_WORDS:
                    cut += 1
                paras = paras[:cut]
            gold = {"id": doc_id, "cluster": of, "kind": kind}
        else:
            title = rng.choice(titles)
            partners = set()
            entries = []
            words = 0
            while words < DOC_WORDS:
                entry = pool.draw(partners)
                words += entry[1].count(" ") + 1
                partners.update(entry[3])
                entry[3].append(i)
                entries.append(entry)
            paras = [entry[1] for entry in entries]
            for k in rng.sample(range(len(paras)), rng.choice((0, 1, 1, 2))):
                paras[k] = paras[k] + " " + rng.choice(STOCK)
            if rng.random() < TABLES:
                paras.insert(rng.randint(1, len(paras)), _table(rng))
            recent.append((doc_id, title, paras, entries))
            gold = {"id": doc_id, "cluster": doc_id, "kind": "original"}
        text = "\n\n".join(head + [title] + paras + foot)
        yield {"id": doc_id, "title": title, "text": text, "source": source, "published": date}, gold


def generate(base: Path, out: Path, docs: int, seed: int, copies: float, reuse: float) -> dict[str, int]:
    titles, paragraphs = load_base(base)
    out.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    with open_output(out / "docs.jsonl") as f, open_output(out / "gold.jsonl") as g:
        for doc, gold in documents(titles, paragraphs, docs, seed, copies, reuse):
            f.write(json.dumps(doc, ensure_ascii=False) + "\n")
            g.write(json.dumps(gold) + "\n")
            counts[gold["kind"]] = counts.get(gold["kind"], 0) + 1
    return counts


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--base", type=Path, required=True, help="the bbc_news folder")
    ap.add_argument("--out", type=Path, required=True, help="folder for docs.jsonl and gold.jsonl")
    ap.add_argument("--docs", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--copies", type=float, default=0.2, help="share of documents that copy a recent original")
    ap.add_argument("--reuse", type=float, default=6.0, help="mean documents printing each pool paragraph")
    args = ap.parse_args(argv)
    if args.docs < 0 or not 0.0 <= args.copies <= 0.9 or not 1.0 <= args.reuse <= 10.0:
        ap.error("--docs >= 0, --copies in [0, 0.9], --reuse in [1, 10]")
    counts = generate(args.base, args.out, args.docs, args.seed, args.copies, args.reuse)
    print(f"wrote {args.docs} documents to {args.out}: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())),
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
