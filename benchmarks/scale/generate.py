#!/usr/bin/env python3
"""Generate a large JSONL news corpus with injected copies (seeded, deterministic, streaming).

Usage::

    python benchmarks/scale/generate.py --base ../shared/data/bbc_news --docs 1000000 --seed 1 \\
        --out /tmp/scale.jsonl [--gold /tmp/scale-gold.jsonl] [--copies 0.2]

Same arguments, byte-identical output. Lines are written as they are made, so
a million documents need no more memory than the base text.

Base text: ``--base`` is the bbc_news folder (``bbc/<topic>/NNN.txt``, or the
folder holding ``<topic>/`` directly): first line the title, then paragraphs
separated by blank lines; files in sorted order, UTF-8 falling back to cp1252.

Documents (``{"id", "title", "text", "source"}``): an *original* is a title
and 4-9 paragraphs drawn from random base articles, each token of them
(punctuation kept) replaced, with probability ``REWRITE`` (0.7), by a word
drawn from the base text (frequency-weighted). A base paragraph is drawn by
hundreds of originals in a million-document corpus; without the rewrite they
would share whole paragraphs, i.e. be partial copies of one another by this
project's own definition, and the corpus would be one tangle. The rate is
measured, not guessed (seed 1): candidate pairs between *unrelated* documents (not
copies of one story), 10,000 / 40,000 documents: rewrite 0.35: 14,037 /
222,115; 0.5 (letters-only words): 3,143 / 52,824; 0.6: 152 / 2,615, still
growing with the square of the corpus (every pair of originals that drew the
same paragraph is another chance); 0.7: 86 / 1,067 (a word survives in both
of two such originals with probability 0.09, a word 5-gram with 6e-6). So the text is word
salad with news statistics (lengths, punctuation, frequencies): fit for speed
and memory; detection quality is measured on ``benchmarks/syndication``.
With probability
``--copies`` a document is instead a copy of one of the last 10,000 originals:

- ``exact`` (20 %): the same text;
- ``near`` (40 %): about 3 % of words dropped or repeated;
- ``partial`` (40 %): half to all of the paragraphs kept in order, plus 1-3
  paragraphs from elsewhere (rewritten like an original's).

``--gold`` writes one line per copy: ``{"id", "of", "kind"}``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import re
import sys
from collections import deque
from pathlib import Path
from typing import IO, Iterator

SOURCES = [f"outlet{i:02d}.example" for i in range(20)]
KINDS = (("exact", 0.2), ("near", 0.4), ("partial", 0.4))
RECENT = 10_000
# Share of an original's tokens replaced by a random base word: measured, see the module docstring.
REWRITE = 0.7


def load_base(base: Path) -> tuple[list[str], list[str]]:
    """Titles and paragraphs (40+ characters) of the base articles, in sorted file order."""
    root = base / "bbc" if (base / "bbc").is_dir() else base
    titles: list[str] = []
    paragraphs: list[str] = []
    for path in sorted(root.glob("*/*.txt")):
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("cp1252")
        blocks = [b.strip() for b in text.replace("\r\n", "\n").split("\n\n") if b.strip()]
        if len(blocks) < 2:
            continue
        titles.append(blocks[0].split("\n")[0])
        paragraphs.extend(" ".join(b.split()) for b in blocks[1:] if len(b) >= 40)
    if not paragraphs:
        raise SystemExit(f"no articles under {base} (expected <topic>/NNN.txt)")
    return titles, paragraphs


# A token with its punctuation: "(Horan," is "(", "Horan", ","; "6-2" and "light-headed"
# are tokens too (left alone, numbers and hyphenated words would keep sports scores
# and compounds shared by every original that drew their paragraph).
_WORD = re.compile(r"^(\W*)(\w.*?)(\W*)$")


def vocabulary(paragraphs: list[str]) -> list[str]:
    """Every alphabetic word of the base paragraphs, lower-cased, with repeats (frequency weights)."""
    return [w.lower() for p in paragraphs for w in p.split(" ") if w.isalpha()]


def rewrite(para: str, vocab: list[str], rng: random.Random) -> str:
    """The paragraph with some words replaced by words of ``vocab`` (a ``REWRITE`` share)."""
    words = para.split(" ")
    for k, w in enumerate(words):
        if rng.random() < REWRITE and (m := _WORD.match(w)):
            new = vocab[rng.randrange(len(vocab))]
            words[k] = m.group(1) + (new.capitalize() if m.group(2)[0].isupper() else new) + m.group(3)
    return " ".join(words)


def near_copy(text: str, rng: random.Random) -> str:
    """A near copy of ``text``: about 1.5% of its words dropped and 1.5% doubled, paragraph by paragraph."""
    out = []
    for para in text.split("\n\n"):
        words = []
        for w in para.split(" "):
            r = rng.random()
            if r < 0.015:
                continue
            words.append(w)
            if r > 0.985:
                words.append(w)
        out.append(" ".join(words))
    return "\n\n".join(out)


def documents(titles: list[str], paragraphs: list[str], docs: int, seed: int,
              copies: float) -> Iterator[tuple[dict, dict | None]]:
    """``(document, gold line or None)`` for each of ``docs`` documents."""
    rng = random.Random(seed)
    vocab = vocabulary(paragraphs)
    recent: deque[tuple[str, str, str]] = deque(maxlen=RECENT)
    kinds, weights = zip(*KINDS)
    width = len(str(max(docs - 1, 0)))
    for i in range(docs):
        doc_id = f"d{i:0{width}d}"
        source = rng.choice(SOURCES)
        if recent and rng.random() < copies:
            of, title, text = recent[rng.randrange(len(recent))]
            kind = rng.choices(kinds, weights)[0]
            if kind == "near":
                text = near_copy(text, rng)
            elif kind == "partial":
                paras = text.split("\n\n")
                keep = sorted(rng.sample(range(len(paras)), max(1, rng.randint(len(paras) // 2, len(paras)))))
                extra = [rewrite(rng.choice(paragraphs), vocab, rng) for _ in range(rng.randint(1, 3))]
                text = "\n\n".join([paras[k] for k in keep] + extra)
            yield {"id": doc_id, "title": title, "text": text, "source": source}, {"id": doc_id, "of": of, "kind": kind}
        else:
            title = rng.choice(titles)
            text = "\n\n".join(rewrite(rng.choice(paragraphs), vocab, rng) for _ in range(rng.randint(4, 9)))
            recent.append((doc_id, title, text))
            yield {"id": doc_id, "title": title, "text": text, "source": source}, None


def open_output(path: Path) -> IO[str]:
    """``path`` opened for writing UTF-8 text (gzip-compressed for ``.gz``)."""
    if path.suffix == ".gz":
        return gzip.open(path, "wt", encoding="utf-8", newline="\n", compresslevel=6)  # type: ignore[return-value]
    return path.open("w", encoding="utf-8", newline="\n")


def generate(base: Path, out: Path, docs: int, seed: int, copies: float = 0.2, gold: Path | None = None) -> int:
    """Write the corpus (and the gold copies) and return the number of copies."""
    titles, paragraphs = load_base(base)
    n_copies = 0
    with open_output(out) as f, (open_output(gold) if gold else open(os.devnull, "w")) as g:
        for doc, copy in documents(titles, paragraphs, docs, seed, copies):
            f.write(json.dumps(doc, ensure_ascii=False) + "\n")
            if copy is not None:
                n_copies += 1
                g.write(json.dumps(copy) + "\n")
    return n_copies


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--base", type=Path, required=True, help="the bbc_news folder")
    ap.add_argument("--out", type=Path, required=True, help="JSONL file to write (.jsonl or .jsonl.gz)")
    ap.add_argument("--docs", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--copies", type=float, default=0.2, help="share of documents that copy an earlier one")
    ap.add_argument("--gold", type=Path, help="also write one line per copy: id, of, kind")
    args = ap.parse_args(argv)
    if args.docs < 0 or not 0.0 <= args.copies <= 1.0:
        ap.error("--docs must be >= 0 and --copies in [0, 1]")
    n = generate(args.base, args.out, args.docs, args.seed, args.copies, args.gold)
    print(f"wrote {args.docs} documents ({n} copies) to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
