#!/usr/bin/env python3
"""Copies made of sentence fragments, lightly reworded ones, and independent write-ups (seeded).

Usage::

    python benchmarks/fragments/generate.py --base ../shared/data/bbc_news --seed 1 --out /tmp/frag1

writes ``docs.jsonl`` (``{"id", "text"}``) and ``gold.jsonl`` (``{"id", "story", "kind",
"source"}``) into ``--out``. Same arguments, byte-identical files. ``score.py`` runs dedupe on
them and scores each kind against its source.

What issue 20 (item 6) saw, in the same shapes. Every *source* is a bbc_news article of 600-1,000
words (180 of the 1,940 articles left after ``syndication/generate.py``'s deduplication; every
seed uses all of them, so seeds differ in the cuts, the wording and the write-ups, not in the
sources). Each source gets, all on one story:

``fragment``     a cut-and-paste copy of 200-300 words made of *parts* of the source's
                 sentences: from source sentences of 12+ words, in order, a clause or two (cut at
                 commas, semicolons, "and", "but", "which", "who", "while", "after", ...) or,
                 where a sentence has no such cut, a run of 45-75 % of its words; never a whole
                 sentence. Each part is made a sentence of its own (capital, full stop); some get
                 a short lead-in of the copier's own ("Officials said", "According to reports,"),
                 and some sentences join two parts of two source sentences. The copy has its own
                 headline and one or two sentences of its own (an opening, a closing line).
``reworded``     the same, on another draw of parts, and then each pasted part lightly
                 reworded: one to three edits among a synonym for a common word (said ->
                 stated, rose -> climbed, ...), a dropped filler word (also, now, still, ...),
                 "per cent" for "%", the other spelling (British <-> American), spelled-out
                 abbreviations.
``independent``  a write-up of the same event by someone else (must NOT link): sentences of
                 another bbc_news article of the same topic, 200-350 words where that article
                 is long enough, whose names and numbers are replaced by the source's (so the
                 two share the people, places, organisations and figures), plus one short part
                 of one source sentence pasted
                 in: one sentence of a quote (at most 20 words) where the source has one, as
                 independent write-ups share a quote (DESIGN.md, the seeds' 000 and 004).

The ``original`` is the source itself, title first, paragraphs separated by blank lines. Documents
are shuffled (seeded) and numbered ``f00000``, ``f00001``, ... in that order.

Limits: the write-ups are built, not written: they share names, numbers and one quote with the
source but no paraphrased facts. The same person wrote this generator and the verification
change it measures; the cuts follow the clause shapes in this docstring, not a corpus of real
cut-and-paste reuse.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import re
import sys
from pathlib import Path



def _syndication_generator():
    """benchmarks/syndication/generate.py (benchmarks/ is not a package), loaded by path."""
    path = Path(__file__).resolve().parent.parent / "syndication" / "generate.py"
    spec = importlib.util.spec_from_file_location("syndication_generate", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = sys.modules.get(spec.name)
    if module is None:
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
        spec.loader.exec_module(module)
    return module


_synd = _syndication_generator()
convert_spelling, expand_abbreviations = _synd.convert_spelling, _synd.expand_abbreviations
load_base, split_sentences = _synd.load_base, _synd.split_sentences

KINDS = ("original", "fragment", "reworded", "independent")
SOURCE_WORDS = (600, 1000)
COPY_WORDS = (200, 300)
MIN_SENTENCE_WORDS = 12

# Cut points inside a sentence: after a comma, semicolon or colon, or before a joining word.
_CUT = re.compile(r"(?<=[,;:])\s+|\s+(?=(?:and|but|which|who|while|after|before|because|as|when|although|"
                  r"though|since|with|whereas|where|so|or)\b)")
LEAD_INS = ("Officials said", "According to reports,", "It was reported that", "Sources said", "We understand that",
            "Reports suggest", "As one observer put it,", "In short,")
OPENINGS = ("Here is what we know so far.", "This is a developing story and will be updated.",
            "A quick summary of the main points follows.", "Our round-up of the day's main story.",
            "Readers have been asking about this story all week.")
CLOSINGS = ("We will bring you more as we get it.", "Let us know what you think in the comments.",
            "More details are expected in the coming days.", "Check back later for updates.")
HEADLINES = ("In brief: {w}", "{w}: what we know", "Round-up - {w}", "{w}, explained", "The latest on {w}")
# Light rewording: common words and a synonym a copier might use instead.
SYNONYMS = {
    "said": "stated", "says": "states", "told": "informed", "rose": "climbed", "fell": "dropped",
    "big": "large", "large": "big", "help": "assist", "start": "begin", "started": "began", "buy": "purchase",
    "bought": "purchased", "show": "reveal", "showed": "revealed", "shows": "reveals", "new": "fresh",
    "expected": "anticipated", "plans": "intends", "firm": "company", "company": "firm", "people": "individuals",
    "about": "around", "around": "about", "more": "additional", "major": "key", "key": "major", "need": "require",
    "needs": "requires", "get": "obtain", "make": "create", "made": "created", "use": "utilise", "used": "utilised",
    "many": "numerous", "very": "highly", "quickly": "rapidly", "rapidly": "quickly", "also": "too",
    "however": "though", "because": "since", "despite": "in spite of", "before": "prior to", "after": "following",
    "month": "month-long period", "biggest": "largest", "largest": "biggest", "important": "significant",
    "significant": "important", "began": "started", "ended": "finished", "added": "went on to say",
    "claimed": "alleged", "warned": "cautioned", "announced": "revealed", "hit": "struck", "win": "victory",
    "won": "secured", "lost": "was defeated in", "boss": "chief", "chief": "head", "government": "administration",
}
FILLERS = ("also", "now", "still", "just", "currently", "already", "really", "even", "however")


def _words(text: str) -> int:
    return len(text.split())


def load_sources(base: str | Path) -> tuple[list, list]:
    """(sources: 600-1,000-word articles, others: the rest), both in the order load_base gives."""
    articles, _ = load_base(base)
    sources = [a for a in articles if SOURCE_WORDS[0] <= _words(" ".join(a.paragraphs)) <= SOURCE_WORDS[1]]
    others = [a for a in articles if a not in sources]
    return sources, others


def _sentences(article) -> list[str]:
    return [s.strip() for p in article.paragraphs for s in split_sentences(p) if s.strip()]


def _as_sentence(part: str) -> str:
    part = part.strip().strip(",;:").strip()
    part = re.sub(r"^(?:and|but|which|who|while|so|or)\s+", "", part)
    part = part.rstrip(".!?\"'”’ ")
    return part[:1].upper() + part[1:] + "."


def fragment_of(sentence: str, rng: random.Random) -> str | None:
    """A strict part of ``sentence``: one or two consecutive clauses, else a run of its words."""
    words = sentence.split()
    clauses = [c for c in _CUT.split(sentence) if c and c.strip()]
    total = len(words)
    if len(clauses) >= 2:
        options = []
        for i in range(len(clauses)):
            for k in (1, 2):
                part = " ".join(clauses[i : i + k])
                n = _words(part)
                if i + k <= len(clauses) and 6 <= n <= 0.8 * total:
                    options.append(part)
        if options:
            return rng.choice(options)
    if total < MIN_SENTENCE_WORDS:
        return None
    n = max(6, round(total * rng.uniform(0.45, 0.75)))
    start = rng.randint(0, total - n)
    return " ".join(words[start : start + n])


def reword(sentence: str, rng: random.Random) -> str:
    """One to three light edits of a pasted sentence (see the module docstring)."""
    edits = rng.randint(1, 3)
    for _ in range(edits):
        choice = rng.random()
        words = sentence.split(" ")
        if choice < 0.55:
            spots = [k for k, w in enumerate(words) if w.lower().strip(",.;:") in SYNONYMS]
            if spots:
                k = rng.choice(spots)
                bare = words[k].strip(",.;:")
                tail = words[k][len(bare):]
                new = SYNONYMS[bare.lower()]
                words[k] = (new[:1].upper() + new[1:] if bare[:1].isupper() else new) + tail
                sentence = " ".join(words)
                continue
        if choice < 0.75:
            spots = [k for k, w in enumerate(words) if w.lower() in FILLERS and 0 < k < len(words) - 1]
            if spots:
                del words[rng.choice(spots)]
                sentence = " ".join(words)
                continue
        if "%" in sentence and rng.random() < 0.5:
            sentence = sentence.replace("%", " per cent")
        elif rng.random() < 0.5:
            sentence = convert_spelling(sentence, rng.choice(("american", "british")))
        else:
            sentence = expand_abbreviations(sentence)
    return sentence


def cut_and_paste(source, rng: random.Random, reworded: bool) -> str:
    """A copy of 200-300 words made of parts of the source's sentences (see the module docstring)."""
    target = rng.randint(*COPY_WORDS)
    sentences = [s for s in _sentences(source) if _words(s) >= MIN_SENTENCE_WORDS]
    parts = []
    for s in sentences:
        part = fragment_of(s, rng)
        if part is not None:
            parts.append(part)
    # Parts drawn at random until they hold the target's words, pasted in the source's order.
    picked: list[int] = []
    words = 0
    for k in rng.sample(range(len(parts)), len(parts)):
        if words >= target:
            break
        picked.append(k)
        words += _words(parts[k])
    chosen = [parts[k] for k in sorted(picked)]
    out: list[str] = []
    words = 0
    k = 0
    while k < len(chosen) and words < target:
        part = chosen[k]
        if k + 1 < len(chosen) and rng.random() < 0.15:  # two parts of two sentences in one
            sent = _as_sentence(part).rstrip(".") + ", and " + _as_sentence(chosen[k + 1])[:1].lower() + \
                _as_sentence(chosen[k + 1])[1:]
            k += 2
        else:
            sent = _as_sentence(part)
            k += 1
        if rng.random() < 0.2:
            sent = rng.choice(LEAD_INS) + " " + sent[:1].lower() + sent[1:]
        if reworded:
            sent = reword(sent, rng)
        out.append(sent)
        words += _words(sent)
    title = rng.choice(HEADLINES).format(w=" ".join(source.title.split()[:4]))
    body = [rng.choice(OPENINGS)] + out
    if rng.random() < 0.5:
        body.append(rng.choice(CLOSINGS))
    # Paragraphs of two or three sentences.
    paras, at = [], 0
    while at < len(body):
        n = rng.randint(2, 3)
        paras.append(" ".join(body[at : at + n]))
        at += n
    return "\n\n".join([title] + paras)


_NAME = re.compile(r"(?<=[a-z,;] )(?:[A-Z][a-z]+)(?: [A-Z][a-z]+)*")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_QUOTE = re.compile(r"\"([^\"]{20,200})\"")


def independent(source, other, rng: random.Random) -> str:
    """Another article of the same topic, with the source's names, numbers and one shared quote."""
    src_text = " ".join(source.paragraphs)
    names = sorted(set(_NAME.findall(src_text)))
    numbers = sorted(set(_NUMBER.findall(src_text)))
    mapping: dict[str, str] = {}

    def name(m: re.Match[str]) -> str:
        if m.group(0) not in mapping and names:
            mapping[m.group(0)] = rng.choice(names)
        return mapping.get(m.group(0), m.group(0))

    def number(m: re.Match[str]) -> str:
        return rng.choice(numbers) if numbers else m.group(0)

    target = rng.randint(200, 350)
    out: list[str] = []
    for s in _sentences(other):
        out.append(_NUMBER.sub(number, _NAME.sub(name, s)))
        if sum(_words(x) for x in out) >= target:
            break
    # One sentence of a quote, at most 20 words.
    quotes = [split_sentences(q.strip())[0] for q in _QUOTE.findall(src_text)]
    quotes = [" ".join(q.split()[:20]).rstrip(",;:.") for q in quotes if _words(q) >= 6]
    if quotes:
        shared = '"' + rng.choice(quotes) + '."'
        speaker = rng.choice(names) if names else "One official"
        shared = f"{speaker} said: {shared}"
    else:
        long = [s for s in _sentences(source) if _words(s) >= MIN_SENTENCE_WORDS]
        shared = _as_sentence(fragment_of(rng.choice(long), rng) or long[0])
    out.insert(rng.randint(1, max(1, len(out) - 1)), shared)
    title = " ".join(source.title.split()[:2]) + " " + other.title
    paras, at = [], 0
    while at < len(out):
        n = rng.randint(2, 4)
        paras.append(" ".join(out[at : at + n]))
        at += n
    return "\n\n".join([title] + paras)


def documents(base: str | Path, seed: int) -> tuple[list[dict], list[dict]]:
    """(docs, gold) rows, in output order."""
    sources, others = load_sources(base)
    rng = random.Random(f"{seed}:fragments")
    by_topic: dict[str, list] = {}
    for a in others:
        by_topic.setdefault(a.topic, []).append(a)
    for topic in sorted(by_topic):
        rng.shuffle(by_topic[topic])
    rows = []
    for story, src in enumerate(sources):
        r = random.Random(f"{seed}:story:{story}")
        sid = f"s{story:03d}"
        rows.append(("original", sid, "\n\n".join([src.title] + list(src.paragraphs))))
        rows.append(("fragment", sid, cut_and_paste(src, r, reworded=False)))
        rows.append(("reworded", sid, cut_and_paste(src, r, reworded=True)))
        pool = by_topic[src.topic]
        rows.append(("independent", sid, independent(src, pool[story % len(pool)], r)))
    rng.shuffle(rows)
    docs, gold = [], []
    source_of = {}
    for k, (kind, sid, text) in enumerate(rows):
        if kind == "original":
            source_of[sid] = f"f{k:05d}"
    for k, (kind, sid, text) in enumerate(rows):
        doc_id = f"f{k:05d}"
        docs.append({"id": doc_id, "text": text})
        gold.append({"id": doc_id, "story": sid, "kind": kind, "source": source_of[sid]})
    return docs, gold


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    p.add_argument("--base", required=True, help="the bbc_news folder")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--out", required=True, type=Path)
    args = p.parse_args(argv)
    docs, gold = documents(args.base, args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, rows in (("docs.jsonl", docs), ("gold.jsonl", gold)):
        with open(args.out / name, "w", encoding="utf-8") as f:
            for row in rows:
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {len(docs)} documents ({len(docs) // 4} stories) to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
