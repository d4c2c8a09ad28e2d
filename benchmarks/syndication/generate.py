#!/usr/bin/env python3
"""Generate a labelled syndication corpus from real news text (seeded, deterministic).

Usage::

    python benchmarks/syndication/generate.py --base ../shared/data/bbc_news --out DIR --docs 5000 --seed 1
    python benchmarks/syndication/generate.py --base BASE --out DIR --heavy 0 --noisy 0.5

Same arguments, byte-identical output. Importable: :func:`generate` returns the
two row lists, :func:`build_corpus` the full records (with the furniture and
provenance of every block, for tests and analyses).

Base text
---------
``--base`` is the BBC news folder (``bbc/<topic>/NNN.txt``; the folder
holding ``<topic>/`` directly is accepted too): first line the title, then
paragraphs separated by blank lines. Files are read in sorted order (UTF-8,
falling back to cp1252). Base articles are deduplicated before use so that two
"independent" stories never share text: an article is dropped when its text,
its body, its title (case-folded), any of its paragraphs of 80+ characters or
any of its sentences of 40+ characters was already seen. Of bbc_news's 2,225
files this keeps 1,940: 100 are exact duplicates, the others are follow-up
stories that reuse sentences of an earlier one (left in, they would be
near-duplicates that the gold calls unrelated).

The *wire text* of a story is its base article with typography a wire service
would use: straight quotes curled (“ ” ‘ ’), spaced hyphens turned into en
dashes, accents restored on a built-in list of names (Arsène, José, Zürich,
Nestlé, ...), and paragraphs over 700 characters split at sentence ends into
chunks of about 400 (bbc_news often runs several paragraphs together). So the
text has non-ASCII characters (also the base's own £) for noise to damage.

Outlets and furniture
---------------------
Six invented outlets (``OUTLETS``) on ``.example`` domains, each with a house
style (quotes, dashes, spelling, abbreviations) and its own invented page
furniture: pre-title widgets (audio players, breadcrumbs, ads), post-title
lines (bylines from a staff pool, a dateline, share/save bars), a paywall or
subscribe line inside the body, a trending block (a heading, then 3-5
headlines with age lines such as ``2 hours ago``, drawn from a pool of 40
titles shared by all the outlet's pages; placed after the body or after the
second paragraph) and footer lines (always a copyright line; "read more at",
social links, tip lines). Each widget appears with a per-outlet probability,
so every page differs a little. Every document, original or copy, is
published by an outlet and carries its furniture.

Blocks of a document are joined by one blank line (``"\\n\\n"``); a trending
block spans several lines, every other block is one line.

Stories and kinds (gold ``kind``)
---------------------------------
Base articles are shuffled. Stories take articles from the front of that
order; the foreign paragraphs of ``partial`` and ``heavy`` copies come from
*donor* articles taken from the back as needed (their paragraphs of 80+
characters, each used once; donors are never published themselves, so no
two clusters share a donor paragraph unless the base runs out, when used
donor paragraphs are recycled and ``fillers_reused`` counts them). Each
story article becomes, in turn, an ``unrelated`` brief (probability ``unrelated``: title and first 1-2
paragraphs, so the outlet's furniture is a large part of it), a singleton
story (``singletons``: an ``original`` without copies) or a syndicated story:
an ``original`` plus, for each copy kind whose knob is on (and whose
paragraph count allows it), with the kind's probability, 1 to
``max_copies_per_kind`` copies, each on another outlet (at least one copy per
syndicated story). The copy kinds:

``repost``    the wire text verbatim, other outlet's furniture.
``abridged``  the first 50-85 % (``abridged_keep``) of the paragraphs (at least
              one, at least one dropped; needs 2+ paragraphs).
``edited``    the copying outlet's house style (quotes straight or curly, en /
              em / spaced em / hyphen dashes, British <-> American spelling from
              a built-in list, abbreviations such as US, UK, EU, Mr, Dr
              expanded), trailing clauses dropped from some sentences
              (``clause_drop``), two paragraphs swapped.
``partial``   45-70 % (``partial_keep``) of the paragraphs, a random subset in
              order, mixed with 1-3 (``partial_fillers``) paragraphs of donor
              articles (needs 2+ paragraphs).
``noisy``     OCR-like errors at 1-3 % (``noise_rate``) of the non-space
              characters of title and body (rn->m, m->rn, cl->d, l->1, e->c,
              O->0, dropped and doubled characters, ...); on ``mojibake`` (50 %)
              of them the whole page is then mis-decoded (UTF-8 bytes read as
              cp1252, 70 %, or latin-1, 30 %).
``heavy``     abridged, then partial (but never more donor paragraphs than
              kept ones), then edited (needs 3+ paragraphs).

Defaults (probabilities per syndicated story): repost 0.40, abridged 0.35,
edited 0.35, partial 0.30, noisy 0.30, heavy 0.25, 1-2 copies each
(``max_copies_per_kind``); unrelated 0.08, singletons 0.15; mojibake 0.5 of
the noisy copies; clause_drop 0.3 of the eligible sentences. With only
1,940 unique articles in bbc_news, ~3,000 independent stories cannot be had:
the defaults instead give each syndicated story ~3 copies.
``--docs 5000 --seed 1`` uses 1,500 articles for stories and 310 as donors,
and writes 1,368 originals (1,147 syndicated stories and 221 singletons), 132
unrelated briefs and 3,500 copies: repost 751, abridged 606, edited 589,
partial 547, noisy 551 (253 with mojibake), heavy 456; 521 documents have no
URL, 248 of them no source either. It takes about 2 seconds and prints these
counts. The defaults run out of base articles at about 5,350 documents.

Documents are generated story by story until ``n_docs`` exist (the last
story's surplus copies are dropped, so exactly ``n_docs`` are written), then
shuffled with a seeded RNG and rearranged so that no two neighbours share a
cluster; ids ``d000000``, ``d000001``, ... follow that order and say nothing
about the cluster. Copies are published 10 minutes to 3 days after their
original.

Output
------
``DIR/docs.jsonl``, one document per line, keys in this order::

    {"id": "d000123", "text": "...", "source": "morninglantern.example",
     "url": "https://www.morninglantern.example/...", "published": "2005-03-14T09:32:00Z"}

``source`` is the outlet's domain (what ``dedupe.records.source_of`` derives
from the URL); ``url`` is absent on ``no_url`` (10 %) of the documents, and
``source`` too on half of those.

``DIR/gold.jsonl``, one line per document, same order::

    {"id": "d000123", "cluster": "c000042", "kind": "abridged"}

A gold cluster is one story: its original and all its copies (unrelated
briefs and singletons are clusters of one). JSON is written UTF-8 with
``ensure_ascii=False``, except that DEL, the C1 control characters (which
latin-1 mojibake produces) and U+2028/U+2029 are written as ``\\uXXXX``
escapes so that no reader splits a line on them.

Determinism: only ``random.Random`` instances seeded from strings built from
the seed (``Random("1:story:17")``, which Python hashes with SHA-512, not with
the salted ``hash()``), sorted directory listings, and no iteration over sets.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import re
import sys
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field, fields, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Sequence

__all__ = [
    "KINDS",
    "COPY_KINDS",
    "GeneratorConfig",
    "BaseArticle",
    "Outlet",
    "OUTLETS",
    "Block",
    "GeneratedDoc",
    "Corpus",
    "load_base",
    "wire_text",
    "curl_quotes",
    "straighten_quotes",
    "set_dashes",
    "restyle",
    "convert_spelling",
    "expand_abbreviations",
    "drop_trailing_clauses",
    "ocr_noise",
    "mojibake",
    "build_corpus",
    "generate",
    "write_corpus",
    "main",
]

#: Every gold ``kind``.
KINDS = ("original", "repost", "abridged", "edited", "partial", "noisy", "heavy", "unrelated")
#: The kinds of copies, in the order their knobs are drawn.
COPY_KINDS = ("repost", "abridged", "edited", "partial", "noisy", "heavy")
#: Fewest wire paragraphs a story needs for a copy of each kind.
MIN_PARAGRAPHS = {"repost": 1, "abridged": 2, "edited": 1, "partial": 2, "noisy": 1, "heavy": 3}

# --------------------------------------------------------------------------- config


@dataclass(frozen=True)
class GeneratorConfig:
    """Knobs of the generator (see the module docstring for what each kind does).

    The six copy-kind fields are probabilities per syndicated story; 0 turns a
    kind off. Ranges are ``(low, high)`` pairs, inclusive.
    """

    repost: float = 0.40
    abridged: float = 0.35
    edited: float = 0.35
    partial: float = 0.30
    noisy: float = 0.30
    heavy: float = 0.25
    max_copies_per_kind: int = 2
    singletons: float = 0.15
    unrelated: float = 0.08
    abridged_keep: tuple[float, float] = (0.50, 0.85)
    partial_keep: tuple[float, float] = (0.45, 0.70)
    partial_fillers: tuple[int, int] = (1, 3)
    noise_rate: tuple[float, float] = (0.01, 0.03)
    mojibake: float = 0.5
    clause_drop: float = 0.3
    no_url: float = 0.10
    no_source_given_no_url: float = 0.5
    tracking_params: float = 0.12
    trending_pool: int = 40

    def __post_init__(self) -> None:
        for name in (*COPY_KINDS, "singletons", "unrelated", "mojibake", "clause_drop", "no_url",
                     "no_source_given_no_url", "tracking_params"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name}={value!r}: expected a probability in [0, 1]")
        if self.singletons + self.unrelated > 1.0:
            raise ValueError("singletons + unrelated must not exceed 1")
        if self.max_copies_per_kind < 1:
            raise ValueError(f"max_copies_per_kind={self.max_copies_per_kind!r}: expected >= 1")
        if self.trending_pool < 5:
            raise ValueError(f"trending_pool={self.trending_pool!r}: expected >= 5")
        for name, lo_min, hi_max in (("abridged_keep", 0.0, 1.0), ("partial_keep", 0.0, 1.0),
                                     ("noise_rate", 0.0, 0.5), ("partial_fillers", 1, 20)):
            lo, hi = getattr(self, name)
            if not lo_min <= lo <= hi <= hi_max:
                raise ValueError(f"{name}={(lo, hi)!r}: expected {lo_min} <= low <= high <= {hi_max}")

    def probability(self, kind: str) -> float:
        """The knob of a copy kind."""
        if kind not in COPY_KINDS:
            raise KeyError(kind)
        return float(getattr(self, kind))


# --------------------------------------------------------------------------- base articles


@dataclass(frozen=True)
class BaseArticle:
    """One base article: ``path`` relative to the topic root (``business/001.txt``)."""

    path: str
    topic: str
    title: str
    paragraphs: tuple[str, ...]


def _read_text(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _parse_article(text: str) -> tuple[str, list[str]]:
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    blocks = [" ".join(b.split()) for b in re.split(r"\n[ \t]*\n", text)]
    blocks = [b for b in blocks if b]
    if not blocks:
        return "", []
    return blocks[0], blocks[1:]


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def load_base(base_dir: str | Path) -> tuple[list[BaseArticle], int]:
    """The unique base articles under ``base_dir`` and the number of files read.

    Reads ``<base>/bbc/<topic>/*.txt`` (or ``<base>/<topic>/*.txt``) in sorted
    order and keeps the first of any group of articles that share their text,
    body, case-folded title or a paragraph of 80+ characters. Files without a
    title and at least one paragraph are skipped.
    """
    base = Path(base_dir)
    root = base / "bbc" if (base / "bbc").is_dir() else base
    if not root.is_dir():
        raise ValueError(f"base folder {root} does not exist")
    seen: set[str] = set()
    articles: list[BaseArticle] = []
    n_files = 0
    for topic_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        for path in sorted(topic_dir.glob("*.txt")):
            n_files += 1
            title, paragraphs = _parse_article(_read_text(path))
            if not title or not paragraphs:
                continue
            keys = [
                "full:" + _sha("\n".join([title, *paragraphs])),
                "body:" + _sha("\n".join(paragraphs)),
                "title:" + title.casefold(),
            ]
            keys += ["para:" + _sha(p) for p in paragraphs if len(p) >= 80]
            keys += ["sent:" + _sha(x) for p in paragraphs for x in split_sentences(p) if len(x) >= 40]
            if any(k in seen for k in keys):
                continue
            seen.update(keys)
            articles.append(BaseArticle(f"{topic_dir.name}/{path.name}", topic_dir.name, title, tuple(paragraphs)))
    if not articles:
        raise ValueError(f"no articles found under {root} (expected <topic>/NNN.txt files)")
    return articles, n_files


# --------------------------------------------------------------------------- text transforms

#: Names and words bbc_news prints without their accents, restored in the wire text.
ACCENTS: dict[str, str] = {
    "Almodovar": "Almodóvar", "Alvarez": "Álvarez", "Arsene": "Arsène", "Benitez": "Benítez",
    "Beyonce": "Beyoncé", "Bjork": "Björk", "Bogota": "Bogotá", "Cafe": "Café", "cafe": "café",
    "cafes": "cafés", "Chavez": "Chávez", "Citroen": "Citroën", "Cordoba": "Córdoba", "Diaz": "Díaz",
    "Dokic": "Dokić", "Dusseldorf": "Düsseldorf", "Elysee": "Élysée", "Fernandez": "Fernández",
    "fiance": "fiancé", "fiancee": "fiancée", "Francois": "François", "Garcia": "García",
    "Generale": "Générale", "Gomez": "Gómez", "Gonzalez": "González", "Hernandez": "Hernández",
    "Ivanovic": "Ivanović", "Jimenez": "Jiménez", "Jose": "José", "Juppe": "Juppé", "Koln": "Köln",
    "Lagardere": "Lagardère", "Ljubicic": "Ljubičić", "Lopez": "López", "Malaga": "Málaga",
    "Martinez": "Martínez", "Moet": "Moët", "Muller": "Müller", "naive": "naïve", "Nestle": "Nestlé",
    "Nunez": "Núñez", "Pele": "Pelé", "Perez": "Pérez", "protege": "protégé", "Ramirez": "Ramírez",
    "Raul": "Raúl", "Rene": "René", "Renee": "Renée", "Rodriguez": "Rodríguez", "Sanchez": "Sánchez",
    "Sao Paulo": "São Paulo", "Schroeder": "Schröder", "Sebastien": "Sébastien", "Societe": "Société",
    "Solskjaer": "Solskjær", "Sven-Goran": "Sven-Göran", "Telefonica": "Telefónica", "Zurich": "Zürich",
}


def _word_regex(words: Sequence[str], flags: int = 0) -> re.Pattern[str]:
    alternation = "|".join(re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w)))
    return re.compile(rf"(?<![\w-])(?:{alternation})(?![\w-])", flags)


_ACCENT_RE = _word_regex(list(ACCENTS))


def restore_accents(text: str) -> str:
    """Put accents back on the names in :data:`ACCENTS`.

    >>> restore_accents("Arsene Wenger met Jose Mourinho in Zurich")
    'Arsène Wenger met José Mourinho in Zürich'
    """
    return _ACCENT_RE.sub(lambda m: ACCENTS[m.group(0)], text)


_OPEN_DOUBLE = re.compile(r'(^|[\s(\[{/:–—-])"')
_OPEN_SINGLE = re.compile(r"(^|[\s(\[{/:–—“-])'")


def curl_quotes(text: str) -> str:
    """Straight quotes to typographic ones: opening after a space, bracket, dash, colon or start.

    >>> curl_quotes('He said: "It\\'s the \\'best\\' year."')
    'He said: “It’s the ‘best’ year.”'
    """
    text = _OPEN_DOUBLE.sub(r"\1“", text).replace('"', "”")
    return _OPEN_SINGLE.sub(r"\1‘", text).replace("'", "’")


_STRAIGHTEN = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "‚": "'"})


def straighten_quotes(text: str) -> str:
    """Typographic quotes to straight ones."""
    return text.translate(_STRAIGHTEN)


_DASHES = {"en": " – ", "em": "—", "em_spaced": " — ", "hyphen": " - "}


def set_dashes(text: str, style: str) -> str:
    """Re-set the wire text's spaced en dashes in ``style`` (``en``, ``em``, ``em_spaced``, ``hyphen``)."""
    return text.replace(" – ", _DASHES[style])


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[“‘\"'(A-Z0-9])|(?<=[.!?][”’\"'])\s+(?=[“‘\"'(A-Z0-9])")


def split_sentences(paragraph: str) -> list[str]:
    """Split a paragraph at sentence ends (a heuristic: ``.!?``, maybe a closing quote, then a capital)."""
    return [s for s in _SENTENCE_END.split(paragraph) if s]


def split_long_paragraph(paragraph: str, max_len: int = 700, target: int = 400) -> list[str]:
    """Split a paragraph longer than ``max_len`` into chunks of whole sentences of about ``target`` chars."""
    if len(paragraph) <= max_len:
        return [paragraph]
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    for sentence in split_sentences(paragraph):
        current.append(sentence)
        size += len(sentence) + 1
        if size >= target:
            chunks.append(" ".join(current))
            current, size = [], 0
    if current:
        tail = " ".join(current)
        if chunks and len(tail) < 120:
            chunks[-1] += " " + tail
        else:
            chunks.append(tail)
    return chunks


def _wire_line(text: str) -> str:
    return curl_quotes(restore_accents(text)).replace(" - ", " – ")


def wire_text(article: BaseArticle) -> tuple[str, tuple[str, ...]]:
    """The wire version of a base article: (title, paragraphs) with wire typography."""
    paragraphs: list[str] = []
    for p in article.paragraphs:
        paragraphs.extend(split_long_paragraph(_wire_line(p)))
    return _wire_line(article.title), tuple(paragraphs)


def _spelling_pairs() -> tuple[dict[str, str], set[str], set[str]]:
    """(British -> American map, lower-case-only words, words converted British -> American only)."""
    pairs: dict[str, str] = {}
    for stem in ("arm", "behavi", "cand", "clam", "col", "endeav", "fav", "flav", "harb", "hon", "hum",
                 "neighb", "od", "parl", "rig", "rum", "sav", "savi", "splend", "tum", "val", "vap", "vig"):
        stem_uk, stem_us = stem + "our", stem + "or"
        for suffix in ("", "s", "ed", "ing", "able", "ably", "ite", "ites", "ful", "er", "ers", "hood",
                       "hoods", "y", "less"):
            pairs[stem_uk + suffix] = stem_us + suffix
    for stem in ("apolog", "author", "capital", "categor", "central", "character", "commercial", "computer",
                 "critic", "decentral", "digit", "emphas", "final", "fertil", "global", "harmon", "hospital",
                 "industrial", "jeopard", "legal", "liberal", "marginal", "maxim", "memor", "minim", "mobil",
                 "modern", "monopol", "national", "normal", "optim", "organ", "penal", "popular", "priorit",
                 "privat", "real", "recogn", "revolution", "scrutin", "special", "stabil", "standard",
                 "subsid", "summar", "symbol", "sympath", "synchron", "util", "visual"):
        for suffix_uk, suffix_us in (("ise", "ize"), ("ised", "ized"), ("ises", "izes"), ("ising", "izing"),
                                     ("isation", "ization"), ("isations", "izations"), ("iser", "izer"),
                                     ("isers", "izers")):
            pairs[stem + suffix_uk] = stem + suffix_us
    for uk, us in (("publicise", "publicize"), ("publicised", "publicized"), ("analyse", "analyze"),
                   ("analysed", "analyzed"), ("analysing", "analyzing"), ("paralyse", "paralyze"),
                   ("paralysed", "paralyzed"), ("centre", "center"), ("centres", "centers"),
                   ("centred", "centered"), ("theatre", "theater"), ("theatres", "theaters"), ("fibre", "fiber"),
                   ("litre", "liter"), ("litres", "liters"), ("defence", "defense"), ("offence", "offense"),
                   ("offences", "offenses"), ("pretence", "pretense"), ("catalogue", "catalog"),
                   ("catalogues", "catalogs"), ("analogue", "analog"), ("travelled", "traveled"),
                   ("travelling", "traveling"), ("traveller", "traveler"), ("travellers", "travelers"),
                   ("cancelled", "canceled"), ("cancelling", "canceling"), ("labelled", "labeled"),
                   ("modelling", "modeling"), ("modelled", "modeled"), ("fuelled", "fueled"),
                   ("fuelling", "fueling"), ("signalled", "signaled"), ("levelled", "leveled"),
                   ("counselling", "counseling"), ("jewellery", "jewelry"), ("grey", "gray"),
                   ("plough", "plow"), ("sceptic", "skeptic"), ("sceptical", "skeptical"),
                   ("scepticism", "skepticism"), ("aluminium", "aluminum"), ("aeroplane", "airplane"),
                   ("aeroplanes", "airplanes"), ("pyjamas", "pajamas"), ("paediatric", "pediatric"),
                   ("anaesthetic", "anesthetic"), ("mould", "mold"), ("smoulder", "smolder"),
                   ("fulfil", "fulfill"), ("fulfilment", "fulfillment"), ("enrol", "enroll"),
                   ("enrolment", "enrollment"), ("instalment", "installment"), ("instalments", "installments"),
                   ("skilful", "skillful"), ("wilful", "willful"), ("ageing", "aging"),
                   ("manoeuvre", "maneuver"), ("manoeuvres", "maneuvers"), ("oestrogen", "estrogen"),
                   ("foetus", "fetus"), ("acknowledgement", "acknowledgment")):
        pairs[uk] = us
    lower_only = {"labour", "labours", "laboured", "labouring", "labourer", "labourers", "centre", "centres",
                  "grey", "defence", "mould"}
    for w in ("labour", "labours", "laboured", "labouring", "labourer", "labourers"):
        pairs[w] = w.replace("labour", "labor")
    one_way: dict[str, str] = {
        "programme": "program", "programmes": "programs", "licence": "license", "licences": "licenses",
        "practise": "practice", "practised": "practiced", "practising": "practicing", "cheque": "check",
        "cheques": "checks", "tyre": "tire", "tyres": "tires", "kerb": "curb", "storey": "story",
        "storeys": "stories", "whilst": "while", "amongst": "among", "towards": "toward",
        "learnt": "learned", "spelt": "spelled", "burnt": "burned", "dreamt": "dreamed", "judgement": "judgment",
        "metre": "meter", "metres": "meters", "maths": "math", "lorry": "truck", "lorries": "trucks",
        "petrol": "gasoline", "mum": "mom", "mums": "moms",
    }
    pairs.update(one_way)
    return pairs, lower_only, set(one_way)


_UK_TO_US, _LOWER_ONLY, _ONE_WAY = _spelling_pairs()
_US_TO_UK = {us: uk for uk, us in _UK_TO_US.items() if uk not in _ONE_WAY}
_SPELLING_TABLES = {"american": _UK_TO_US, "british": _US_TO_UK}
_WORD = re.compile(r"\w+")


def _match_case(template: str, word: str) -> str:
    if template.isupper() and len(template) > 1:
        return word.upper()
    if template[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def convert_spelling(text: str, to: str) -> str:
    """Convert spellings from the built-in word list to ``"american"`` or ``"british"``, keeping case.

    Some words convert only in lower case (``Labour``, ``Centre`` are names),
    some only British -> American (``programme`` -> ``program``, not back).

    >>> convert_spelling("The Labour organisation's favourite colour", "american")
    "The Labour organization's favorite color"
    >>> convert_spelling("a color program at the center", "british")
    'a colour program at the centre'
    """
    if to not in _SPELLING_TABLES:
        raise ValueError(f"unknown spelling {to!r}: expected 'american' or 'british'")
    table = _SPELLING_TABLES[to]

    def sub(m: re.Match[str]) -> str:
        word = m.group(0)
        lower = word.lower()
        target = table.get(lower)
        if target is None:
            return word
        source_word = lower if to == "american" else target
        if source_word in _LOWER_ONLY and word != lower:
            return word
        return _match_case(word, target)

    return _WORD.sub(sub, text)


#: Abbreviations expanded by outlets that spell them out (matched case-sensitively, as whole words).
ABBREVIATIONS: dict[str, str] = {
    "US": "United States", "UK": "United Kingdom", "EU": "European Union", "UN": "United Nations",
    "Mr": "Mister", "Dr": "Doctor", "Prof": "Professor", "MP": "Member of Parliament",
    "MPs": "Members of Parliament", "Ltd": "Limited", "Corp": "Corporation", "Sgt": "Sergeant",
    "Lt": "Lieutenant",
}
_ABBREV_RE = re.compile(
    r"(?<![\w.-])(" + "|".join(sorted(ABBREVIATIONS, key=lambda w: (-len(w), w))) + r")(?![\w$])"
)


def expand_abbreviations(text: str) -> str:
    """Spell out the abbreviations in :data:`ABBREVIATIONS`.

    >>> expand_abbreviations("Mr Blair told US and UK MPs, but not US$ traders")
    'Mister Blair told United States and United Kingdom Members of Parliament, but not US$ traders'
    """
    return _ABBREV_RE.sub(lambda m: ABBREVIATIONS[m.group(1)], text)


_QUOTES_AND_MARKS = set(",;:“”‘’\"'()")


def drop_trailing_clauses(paragraph: str, rng: random.Random, probability: float) -> str:
    """Drop the trailing ``, clause`` of each eligible sentence with ``probability``.

    A sentence is eligible when it ends ``, <clause>.`` (or ``!``/``?``) where
    the clause has 8-90 characters, two or more words and no quotes, commas,
    colons or brackets, and at least four words stay.

    >>> drop_trailing_clauses("Profits rose by 5% last year, the company said.", random.Random(0), 1.0)
    'Profits rose by 5% last year.'
    """
    out: list[str] = []
    for sentence in split_sentences(paragraph):
        cut = sentence.rfind(", ")
        if cut > 0 and sentence[-1] in ".!?":
            head, tail = sentence[:cut], sentence[cut + 2:-1]
            if (
                8 <= len(tail) <= 90
                and _QUOTES_AND_MARKS.isdisjoint(tail)
                and len(tail.split()) >= 2
                and len(head.split()) >= 4
                and head[-1] not in "“”‘’\"'"
                and rng.random() < probability
            ):
                sentence = head + sentence[-1]
        out.append(sentence)
    return " ".join(out)


# OCR confusions: multi-character ones first (applied where the source matches).
_OCR_MULTI = (("rn", "m"), ("m", "rn"), ("cl", "d"), ("d", "cl"), ("vv", "w"), ("w", "vv"), ("li", "h"),
              ("h", "li"), ("ri", "n"), ("in", "m"))
_NON_SPACE = re.compile(r"\S")
_OCR_SINGLE = {
    "l": "1I|", "1": "lI", "I": "l1", "O": "0", "0": "O", "o": "0", "e": "c", "c": "e", "a": "o", "S": "5",
    "5": "S", "B": "8", "8": "B", "g": "q", "u": "v", "n": "h", "t": "f", "f": "t", "i": "l", "E": "F",
    ".": ",", ",": ".", "’": "'", "“": "\"", "”": "\"",
}


def ocr_noise(text: str, rate: float, rng: random.Random) -> str:
    """Damage about ``rate`` of the non-space characters the way OCR does.

    Damaged positions are drawn with geometric gaps (each non-space character
    independently with probability ``rate``). At a damaged position: a
    multi-character confusion when one matches (``rn`` -> ``m``, ``cl`` ->
    ``d``, ...) half of the time, else a look-alike substitution (``l`` ->
    ``1``, ``e`` -> ``c``, ...), a dropped or a doubled character.
    """
    if rate <= 0.0:
        return text
    log_keep = math.log1p(-min(rate, 0.999))
    candidates = [m.start() for m in _NON_SPACE.finditer(text)]
    out: list[str] = []
    done = 0  # text[:done] has been emitted
    k = -1
    while True:
        k += 1 + int(math.log(1.0 - rng.random()) / log_keep)
        if k >= len(candidates):
            break
        i = candidates[k]
        if i < done:
            continue
        out.append(text[done:i])
        ch = text[i]
        multi = [(src, dst) for src, dst in _OCR_MULTI if text.startswith(src, i)]
        if multi and rng.random() < 0.5:
            src, dst = rng.choice(multi)
            out.append(dst)
            done = i + len(src)
            continue
        r = rng.random()
        if ch in _OCR_SINGLE and r < 0.6:
            out.append(rng.choice(_OCR_SINGLE[ch]))
        elif r >= 0.8:
            out.append(ch + ch)
        # else: dropped
        done = i + 1
    out.append(text[done:])
    return "".join(out)


def _sloppy_cp1252_table() -> list[str]:
    table = []
    for b in range(256):
        try:
            table.append(bytes([b]).decode("cp1252"))
        except UnicodeDecodeError:
            table.append(chr(b))  # bytes cp1252 leaves undefined decode as in latin-1
    return table


_CP1252 = _sloppy_cp1252_table()


def mojibake(text: str, codec: str) -> str:
    """Mis-decode ``text``: its UTF-8 bytes read as ``cp1252`` (undefined bytes as latin-1) or ``latin-1``.

    >>> mojibake("“£5” café", "cp1252")
    'â€œÂ£5â€\\x9d cafÃ©'
    """
    data = text.encode("utf-8")
    if codec == "latin-1":
        return data.decode("latin-1")
    if codec == "cp1252":
        return "".join(_CP1252[b] for b in data)
    raise ValueError(f"unknown codec {codec!r}: expected 'cp1252' or 'latin-1'")


# --------------------------------------------------------------------------- outlets


@dataclass(frozen=True)
class Outlet:
    """An invented outlet: domain, URL pattern, house style and page furniture templates.

    Templates may use ``{name} {domain} {topic} {Topic} {year} {minutes}
    {seconds} {left} {byline} {date}``; widget tuples pair a template with the
    probability that a page shows it. ``url`` may use ``{topic} {yyyy} {mm}
    {dd} {slug} {num} {hex}``; ``ages`` may use ``{m} {h} {d}``.
    """

    key: str
    name: str
    domain: str
    url: str
    quotes: str
    dash: str
    spelling: str
    expand_abbreviations: bool
    date_format: str
    pre_title: tuple[tuple[str, float], ...]
    post_title: tuple[tuple[str, float], ...]
    bylines: tuple[str, ...]
    paywall: tuple[str, ...]
    paywall_prob: float
    trending_headings: tuple[str, ...]
    trending_item: str  # "{i}", "{headline}" and "{age}"; lines separated by "\n"
    trending_position: str  # "end" or "middle"
    trending_prob: float
    ages: tuple[str, ...]
    footer: tuple[tuple[str, float], ...]


OUTLETS: tuple[Outlet, ...] = (
    Outlet(
        key="lantern", name="The Morning Lantern", domain="morninglantern.example",
        url="https://www.morninglantern.example/{topic}/{yyyy}/{mm}/{dd}/{slug}",
        quotes="curly", dash="em", spelling="british", expand_abbreviations=True,
        date_format="{d} {Month} {yyyy}, {HH}:{MM}",
        pre_title=(("Listen to this article · {minutes} min", 0.55), ("Home › {Topic}", 0.7)),
        post_title=(("By {byline}", 0.6), ("Published {date}", 0.8), ("Save · Share · Gift this article", 0.4)),
        bylines=("Harriet Quill", "Tomas Achebe-Rowe", "the Lantern newsdesk", "Priya Castellane",
                 "Owen Marchetti", "Saoirse Delacourt"),
        paywall=("You have {left} free articles left this month. Keep the Lantern lit from £1 a week.",
                 "Lantern Members read without limits — join today and your first month is on us.",
                 "Enjoying this story? Light the way for independent journalism: become a Lantern Member."),
        paywall_prob=0.5,
        trending_headings=("Glowing now on the Lantern", "Most read this morning"),
        trending_item="{i}. {headline}\n{age}", trending_position="end", trending_prob=0.75,
        ages=("{m} minutes ago", "{h} hours ago", "{h} hours ago", "Yesterday"),
        footer=(("© {year} Morning Lantern Media Ltd. All rights reserved. Reproduction without permission "
                 "is prohibited.", 1.0),
                ("Read more at morninglantern.example/{topic}", 0.6),
                ("Follow the Lantern: Facebook · X · Instagram · WhatsApp", 0.6),
                ("Got a tip? Write to newsdesk@morninglantern.example", 0.3)),
    ),
    Outlet(
        key="dispatch", name="Riverside Dispatch", domain="riversidedispatch.example",
        url="https://riversidedispatch.example/news/{slug}-{num}",
        quotes="straight", dash="hyphen", spelling="american", expand_abbreviations=True,
        date_format="{Month} {d}, {yyyy} {h12}:{MM} {AMPM}",
        pre_title=(("AUDIO: Hear the Dispatch read this story aloud ({minutes} minutes)", 0.5),
                   ("ADVERTISEMENT", 0.35)),
        post_title=(("{byline} | Riverside Dispatch", 0.7), ("Posted {date}", 0.7),
                    ("Bookmark | Print | Email", 0.45)),
        bylines=("Dana Whitlock", "Marcus Feld", "Staff writer", "Lucía Brannigan", "Dispatch wire desk"),
        paywall=("This story is free for registered readers. Sign in or create a free account to keep reading.",
                 "Support local reporting: subscribe to the Dispatch for $1.99 a week.",
                 "Already a subscriber? Log in to read without interruptions."),
        paywall_prob=0.55,
        trending_headings=("TRENDING ON THE DISPATCH", "What readers are clicking"),
        trending_item="{headline}\n{age}", trending_position="middle", trending_prob=0.7,
        ages=("{h}h ago", "{m}m ago", "{d}d ago", "{h}h ago"),
        footer=(("Copyright (c) {year} Riverside Dispatch Publishing Co. Do not redistribute.", 1.0),
                ("More from the Dispatch at riversidedispatch.example", 0.5),
                ("Like us on Facebook | Follow us on X | Subscribe on YouTube", 0.6),
                ("Spotted an error? Contact the Dispatch standards desk.", 0.35)),
    ),
    Outlet(
        key="gazette", name="Copperfield Gazette", domain="copperfieldgazette.example",
        url="https://www.copperfieldgazette.example/article/{hex}",
        quotes="curly", dash="em_spaced", spelling="american", expand_abbreviations=False,
        date_format="{Wkd} {d} {Mon} {yyyy} {HH}.{MM} GMT",
        pre_title=(("▶ Play this story ({minutes}:{seconds})", 0.5),
                   ("Gazette Audio is in beta. Tell us what you think.", 0.25)),
        post_title=(("by {byline}", 0.7), ("{date}", 0.8), ("Text size: A  A+  A++", 0.3)),
        bylines=("Ingrid Sallow", "Felix Oduya", "The Gazette staff", "Rosalind Peake", "Benedikt Arkwright"),
        paywall=("Gazette Unlimited: every story, on every device, €2 for your first month.",
                 "Subscribe to keep reading — cancel anytime.",
                 "This article is part of your free weekly Gazette allowance ({left} left)."),
        paywall_prob=0.45,
        trending_headings=("Don’t miss", "Popular on the Gazette"),
        trending_item="• {headline}\n{age}", trending_position="end", trending_prob=0.7,
        ages=("{h} hrs ago", "{m} mins ago", "{d} days ago", "{h} hrs ago"),
        footer=(("Copperfield Gazette © {year} — registered in Copperfield, no. 0448213", 1.0),
                ("Continue reading more {topic} coverage at copperfieldgazette.example", 0.5),
                ("Share on Facebook · Share on X · Copy link", 0.6),
                ("Sign up for the Gazette’s morning briefing", 0.4)),
    ),
    Outlet(
        key="herald", name="The Northwind Herald", domain="northwindherald.example",
        url="https://www.northwindherald.example/{topic}/{slug}.html",
        quotes="straight", dash="en", spelling="british", expand_abbreviations=True,
        date_format="{dd}/{mm}/{yyyy} {HH}:{MM}",
        pre_title=(("Listen: {minutes} minute audio version", 0.45),
                   ("Northwind Herald › {Topic} › News", 0.6)),
        post_title=(("{byline} for the Herald", 0.6), ("Last updated: {date}", 0.8),
                    ("Join the conversation", 0.35)),
        bylines=("Agnes Thornbury", "Callum Reyes-Whitfield", "Staff Reporter", "Morag Lindqvist",
                 "Declan Oyelaran"),
        paywall=("Herald Plus readers get ad-free access and the daily e-edition. Upgrade for £3.99.",
                 "Register for free to unlock {left} more stories this week.",
                 "Independent journalism costs money. Back the Herald from 99p."),
        paywall_prob=0.5,
        trending_headings=("Most Read", "Trending in the North"),
        trending_item="{headline}\n{age}", trending_position="middle", trending_prob=0.75,
        ages=("{h} hours ago", "{m} minutes ago", "{d} days ago", "{h} hours ago"),
        footer=(("All content © Northwind Herald Group {year}. Part of the Northwind Media family.", 1.0),
                ("Find more stories at www.northwindherald.example", 0.5),
                ("Follow @NorthwindHerald for breaking news", 0.6),
                ("Our journalism is regulated by an independent press standards body.", 0.3)),
    ),
    Outlet(
        key="chronicle", name="Quayside Chronicle", domain="quaysidechronicle.example",
        url="https://quaysidechronicle.example/story.php?id={num}",
        quotes="straight", dash="hyphen", spelling="british", expand_abbreviations=False,
        date_format="{Weekday}, {d} {Month} {yyyy}",
        pre_title=(("🎧 Listen to this story", 0.4), ("BREAKING NEWS ALERTS: turn on notifications", 0.3)),
        post_title=(("Chronicle reporter: {byline}", 0.5), ("{date}", 0.75)),
        bylines=("Nell Hardcastle", "Ruairi Venn", "Chronicle Staff", "Yusuf Penhaligon"),
        paywall=("You've reached your limit of free stories. Subscribe to the Chronicle from £2.49/month.",
                 "Chronicle Insider: unlimited reading plus our weekend puzzle pack.",
                 "Not a member yet? Chronicle Insiders never see this message."),
        paywall_prob=0.5,
        trending_headings=("Elsewhere on the Chronicle", "Latest headlines"),
        trending_item="– {headline}\n{age}", trending_position="end", trending_prob=0.7,
        ages=("{m} min ago", "{h} hr ago", "Yesterday", "{d} days ago"),
        footer=(("(C) Quayside Chronicle {year}. All rights reserved.", 1.0),
                ("Read more at quaysidechronicle.example", 0.5),
                ("Share this story: WhatsApp | Facebook | Email", 0.5),
                ("Send your pictures and videos to pics@quaysidechronicle.example", 0.3)),
    ),
    Outlet(
        key="post", name="The Brightwater Post", domain="brightwaterpost.example",
        url="https://www.brightwaterpost.example/{yyyy}/{mm}/{slug}/",
        quotes="curly", dash="en", spelling="american", expand_abbreviations=True,
        date_format="{Mon}. {d}, {yyyy} at {h12}:{MM} {ampm}",
        pre_title=(("Listen to article — {minutes} min {seconds} sec", 0.5),
                   ("Advertisement · Scroll to continue", 0.4)),
        post_title=(("Story by {byline}", 0.6), ("Updated {date}", 0.8), ("Gift this article", 0.3)),
        bylines=("Camille Ostrander", "Jonah Bellweather", "Post Staff", "Adaeze Kilbride", "Ruth Fennimore"),
        paywall=("Post+ members get unlimited stories for $5 a month.",
                 "Create a free Brightwater account to continue reading.",
                 "You’re reading a free article. {left} left this month."),
        paywall_prob=0.5,
        trending_headings=("Trending now", "Top stories on the Post"),
        trending_item="{i}) {headline}\n{age}", trending_position="middle", trending_prob=0.7,
        ages=("{h} hours ago", "{m} minutes ago", "{d} days ago", "{h} hours ago"),
        footer=(("© {year} The Brightwater Post Company", 1.0),
                ("Read more at brightwaterpost.example", 0.5),
                ("Follow us on Instagram, TikTok and X", 0.5),
                ("The Brightwater Post — news you can trust since 1911", 0.35)),
    ),
)
_OUTLET_BY_KEY = {o.key: o for o in OUTLETS}

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _format_date(when: datetime, template: str) -> str:
    h12 = when.hour % 12 or 12
    am = when.hour < 12
    return template.format(
        d=when.day, dd=f"{when.day:02d}", mm=f"{when.month:02d}", yyyy=when.year, HH=f"{when.hour:02d}",
        MM=f"{when.minute:02d}", h12=h12, AMPM="AM" if am else "PM", ampm="a.m." if am else "p.m.",
        Month=_MONTHS[when.month - 1], Mon=_MONTHS[when.month - 1][:3], Weekday=_WEEKDAYS[when.weekday()],
        Wkd=_WEEKDAYS[when.weekday()][:3],
    )


def restyle(text: str, outlet: Outlet) -> str:
    """Apply ``outlet``'s house style to wire text: spelling, abbreviations, quotes, dashes."""
    if outlet.spelling != "british":
        text = convert_spelling(text, outlet.spelling)
    if outlet.expand_abbreviations:
        text = expand_abbreviations(text)
    if outlet.quotes == "straight":
        text = straighten_quotes(text)
    return set_dashes(text, outlet.dash)


def _slug(title: str) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    if len(slug) > 60:
        slug = slug[:60].rsplit("-", 1)[0]
    return slug or "story"


_TRACKING = ("utm_source=newsletter&utm_medium=email", "utm_source=twitter", "ref=homepage",
             "utm_campaign=morning_briefing", "share=copy")


def _make_url(outlet: Outlet, title: str, topic: str, when: datetime, rng: random.Random, tracking: float) -> str:
    url = outlet.url.format(
        topic=_slug(topic), yyyy=when.year, mm=f"{when.month:02d}", dd=f"{when.day:02d}", slug=_slug(title),
        num=rng.randint(100_000, 9_999_999), hex=f"{rng.getrandbits(48):012x}",
    )
    if rng.random() < tracking:
        url += ("&" if "?" in url else "?") + rng.choice(_TRACKING)
    return url


# --------------------------------------------------------------------------- documents


@dataclass(frozen=True)
class Block:
    """One block of a page: text (no blank lines inside) and whether it is furniture."""

    text: str
    furniture: bool


@dataclass(frozen=True)
class GeneratedDoc:
    """A generated document with its provenance.

    ``paragraphs`` are the body paragraphs as published; ``origin[i]`` is the
    index of ``paragraphs[i]`` among the story's wire paragraphs, or -1 for a
    foreign (donor) paragraph. ``blocks`` are the page in order; ``text``
    joins them with blank lines. ``codec`` names the mojibake applied, if any.
    """

    id: str
    cluster: str
    kind: str
    story: int
    outlet: str
    topic: str
    base_path: str
    title: str
    paragraphs: tuple[str, ...]
    origin: tuple[int, ...]
    blocks: tuple[Block, ...]
    url: str | None
    source: str | None
    published: str
    codec: str | None = None

    @property
    def text(self) -> str:
        """The page text: blocks joined by blank lines."""
        return "\n\n".join(b.text for b in self.blocks)

    @property
    def furniture(self) -> tuple[str, ...]:
        """The furniture blocks, in page order."""
        return tuple(b.text for b in self.blocks if b.furniture)

    def body_blocks(self) -> list[str]:
        """``text`` with the furniture blocks this generator added removed: ``[title, *paragraphs]``."""
        furniture = {b.text for b in self.blocks if b.furniture}
        return [b for b in self.text.split("\n\n") if b not in furniture]

    def doc_row(self) -> dict[str, str]:
        """The ``docs.jsonl`` row."""
        row = {"id": self.id, "text": self.text}
        if self.source is not None:
            row["source"] = self.source
        if self.url is not None:
            row["url"] = self.url
        row["published"] = self.published
        return row

    def gold_row(self) -> dict[str, str]:
        """The ``gold.jsonl`` row."""
        return {"id": self.id, "cluster": self.cluster, "kind": self.kind}


@dataclass
class Corpus:
    """What :func:`build_corpus` made: documents in output order and counts.

    ``base_files`` files were read, ``base_unique`` articles kept after
    deduplication; ``base_used`` of them became stories (``stories`` of which
    have a document in ``docs``), ``donors`` gave foreign paragraphs, and
    ``fillers_reused`` foreign paragraphs had to be used a second time.
    ``kinds`` counts the documents per gold kind.
    """

    docs: list[GeneratedDoc]
    base_files: int
    base_unique: int
    donors: int
    base_used: int
    stories: int
    fillers_reused: int
    kinds: dict[str, int] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        """Counts for logs and reports."""
        return {
            "docs": len(self.docs), "base_files": self.base_files, "base_unique": self.base_unique,
            "donors": self.donors, "base_used": self.base_used, "stories": self.stories,
            "fillers_reused": self.fillers_reused,
            "clusters": len({d.cluster for d in self.docs}),
            "no_url": sum(d.url is None for d in self.docs),
            "no_source": sum(d.source is None for d in self.docs),
            "mojibake": sum(d.codec is not None for d in self.docs),
            "kinds": dict(self.kinds),
        }


class _BaseQueue:
    """The shuffled base articles: stories are taken from the front, donors from the back."""

    def __init__(self, order: list[int]) -> None:
        self._order = order
        self.front = 0
        self.back = len(order)

    def next_story(self) -> int | None:
        if self.front >= self.back:
            return None
        self.front += 1
        return self._order[self.front - 1]

    def next_donor(self) -> int | None:
        if self.back <= self.front:
            return None
        self.back -= 1
        return self._order[self.back]

    @property
    def donors(self) -> int:
        return len(self._order) - self.back


class _FillerPool:
    """Donor paragraphs for partial and heavy copies, each used once while donors last.

    Paragraphs come in article order from donor articles drawn from the back of
    the queue; when none are left, the used ones are recycled in a seeded
    shuffle (counted in ``reused``).
    """

    def __init__(self, base: _BaseQueue, wires: Sequence[tuple[str, tuple[str, ...]]],
                 rng: random.Random) -> None:
        self._base = base
        self._wires = wires
        self._rng = rng
        self._queue: list[str] = []
        self._used: list[str] = []
        self._recycling = False
        self.reused = 0

    def _refill(self) -> bool:
        index = self._base.next_donor()
        if index is not None:
            paragraphs = [p for p in self._wires[index][1] if len(p) >= 80] or list(self._wires[index][1])
            self._queue = paragraphs[::-1]
            self._used.extend(paragraphs)
            return True
        if not self._used:
            return False
        self._queue = list(self._used)
        self._rng.shuffle(self._queue)
        self._recycling = True
        return True

    def take(self, k: int) -> list[str]:
        out: list[str] = []
        attempts = 0
        while len(out) < k and attempts < 10 * k + 10:
            attempts += 1
            if not self._queue and not self._refill():
                break
            candidate = self._queue.pop()
            if candidate in out:
                continue
            out.append(candidate)
            self.reused += self._recycling
        return out


@dataclass
class _Context:
    config: GeneratorConfig
    pools: dict[str, list[tuple[str, str]]]  # per outlet: (wire title, title in the house style)
    fillers: _FillerPool


_EPOCH = datetime(2004, 1, 1, tzinfo=timezone.utc)
_SPAN_MINUTES = 2 * 365 * 24 * 60


def _keep_count(n: int, frac_range: tuple[float, float], rng: random.Random) -> int:
    """How many of ``n`` paragraphs to keep: a share drawn from the range, at least 1, at most n-1."""
    share = rng.uniform(*frac_range)
    return max(1, min(n - 1, int(share * n + 0.5)))


def _partial(paragraphs: Sequence[str], origin: Sequence[int], rng: random.Random, ctx: _Context,
             cap_fillers: bool = False) -> tuple[list[str], list[int]]:
    """Keep a share of the paragraphs (in order) and insert donor paragraphs at random places.

    With ``cap_fillers`` (heavy copies) there are never more donor paragraphs than kept ones.
    """
    n = len(paragraphs)
    keep = sorted(rng.sample(range(n), _keep_count(n, ctx.config.partial_keep, rng)))
    body = [(paragraphs[i], origin[i]) for i in keep]
    lo, hi = ctx.config.partial_fillers
    n_fillers = rng.randint(lo, hi)
    if cap_fillers:
        n_fillers = min(n_fillers, len(keep))
    for text in ctx.fillers.take(n_fillers):
        body.insert(rng.randint(0, len(body)), (text, -1))
    return [t for t, _ in body], [o for _, o in body]


def _edit(title: str, paragraphs: Sequence[str], origin: Sequence[int], outlet: Outlet, rng: random.Random,
          ctx: _Context) -> tuple[str, list[str], list[int]]:
    paras = [restyle(drop_trailing_clauses(p, rng, ctx.config.clause_drop), outlet) for p in paragraphs]
    orig = list(origin)
    if len(paras) >= 2:
        i, j = sorted(rng.sample(range(len(paras)), 2))
        paras[i], paras[j] = paras[j], paras[i]
        orig[i], orig[j] = orig[j], orig[i]
    return restyle(title, outlet), paras, orig


def _furniture(outlet: Outlet, title: str, topic: str, when: datetime, rng: random.Random,
               ctx: _Context) -> tuple[list[str], list[str], str | None, str | None, list[str]]:
    """(pre-title, post-title, paywall, trending block, footer) furniture for one page."""
    values = {
        "name": outlet.name, "domain": outlet.domain, "topic": topic.lower(), "Topic": topic.capitalize(),
        "year": when.year, "minutes": rng.randint(2, 9), "seconds": f"{rng.randint(0, 59):02d}",
        "left": rng.randint(1, 5), "byline": rng.choice(outlet.bylines),
        "date": _format_date(when, outlet.date_format),
    }

    def pick(widgets: tuple[tuple[str, float], ...]) -> list[str]:
        return [template.format(**values) for template, prob in widgets if rng.random() < prob]

    pre = pick(outlet.pre_title)
    post = pick(outlet.post_title)
    paywall = rng.choice(outlet.paywall).format(**values) if rng.random() < outlet.paywall_prob else None
    trending = None
    if rng.random() < outlet.trending_prob:
        pool = [styled for wire, styled in ctx.pools[outlet.key] if wire != title]
        lines = [rng.choice(outlet.trending_headings)]
        for i, headline in enumerate(rng.sample(pool, min(len(pool), rng.randint(3, 5))), start=1):
            age = rng.choice(outlet.ages).format(m=rng.randint(2, 59), h=rng.randint(1, 23), d=rng.randint(2, 6))
            lines.append(outlet.trending_item.format(i=i, headline=headline, age=age))
        trending = "\n".join(lines)
    footer = pick(outlet.footer)
    return pre, post, paywall, trending, footer


def _make_doc(kind: str, story: int, cluster: str, outlet: Outlet, base: BaseArticle, title: str,
              paragraphs: Sequence[str], origin: Sequence[int], when: datetime, rng: random.Random,
              ctx: _Context, wire_title: str, url_title: str | None = None,
              codec: str | None = None) -> GeneratedDoc:
    """One page: furniture around ``title`` and ``paragraphs``; ``wire_title`` stays out of its trending list."""
    pre, post, paywall, trending, footer = _furniture(outlet, wire_title, base.topic, when, rng, ctx)
    body: list[Block] = [Block(p, False) for p in paragraphs]
    if paywall is not None:
        body.insert(rng.randint(1, len(body)) if len(body) > 1 else len(body), Block(paywall, True))
    if trending is not None:
        if outlet.trending_position == "middle" and len(paragraphs) >= 3:
            # after the second body paragraph (counting body blocks only)
            seen = 0
            for pos, b in enumerate(body):
                seen += not b.furniture
                if seen == 2:
                    body.insert(pos + 1, Block(trending, True))
                    break
        else:
            body.append(Block(trending, True))
    blocks = [Block(x, True) for x in pre] + [Block(title, False)] + [Block(x, True) for x in post]
    blocks += body + [Block(x, True) for x in footer]
    paragraphs = list(paragraphs)
    if codec is not None:
        blocks = [Block(mojibake(b.text, codec), b.furniture) for b in blocks]
        title = mojibake(title, codec)
        paragraphs = [mojibake(p, codec) for p in paragraphs]
    cfg = ctx.config
    url: str | None = _make_url(outlet, url_title or title, base.topic, when, rng, cfg.tracking_params)
    source: str | None = outlet.domain
    if rng.random() < cfg.no_url:
        url = None
        if rng.random() < cfg.no_source_given_no_url:
            source = None
    return GeneratedDoc(
        id="", cluster=cluster, kind=kind, story=story, outlet=outlet.key, topic=base.topic,
        base_path=base.path, title=title, paragraphs=tuple(paragraphs), origin=tuple(origin),
        blocks=tuple(blocks), url=url, source=source, published=when.strftime("%Y-%m-%dT%H:%M:%SZ"), codec=codec,
    )


def _copy(kind: str, story: int, cluster: str, outlet: Outlet, base: BaseArticle, title: str,
          paragraphs: tuple[str, ...], when: datetime, rng: random.Random, ctx: _Context) -> GeneratedDoc:
    """A copy of kind ``kind`` of the story with wire ``title`` and ``paragraphs``, published by ``outlet``."""
    cfg = ctx.config
    n = len(paragraphs)
    origin = list(range(n))
    paras = list(paragraphs)
    new_title = title
    codec = None
    if kind == "abridged":
        k = _keep_count(n, cfg.abridged_keep, rng)
        paras, origin = paras[:k], origin[:k]
    elif kind == "edited":
        new_title, paras, origin = _edit(title, paras, origin, outlet, rng, ctx)
    elif kind == "partial":
        paras, origin = _partial(paras, origin, rng, ctx)
    elif kind == "heavy":
        k = _keep_count(n, cfg.abridged_keep, rng)
        paras, origin = _partial(paras[:k], origin[:k], rng, ctx, cap_fillers=True)
        new_title, paras, origin = _edit(title, paras, origin, outlet, rng, ctx)
    elif kind == "noisy":
        rate = rng.uniform(*cfg.noise_rate)
        new_title = ocr_noise(title, rate, rng)
        paras = [ocr_noise(p, rate, rng) for p in paras]
        if rng.random() < cfg.mojibake:
            codec = "cp1252" if rng.random() < 0.7 else "latin-1"
    elif kind != "repost":
        raise ValueError(f"unknown copy kind {kind!r}")
    url_title = title if kind == "noisy" else new_title
    return _make_doc(kind, story, cluster, outlet, base, new_title, paras, origin, when, rng, ctx,
                     wire_title=title, url_title=url_title, codec=codec)


def _plan_copies(n_paragraphs: int, rng: random.Random, cfg: GeneratorConfig) -> list[str]:
    """The copy kinds of one syndicated story (at least one when any kind is feasible)."""
    plan: list[str] = []
    feasible = [k for k in COPY_KINDS if cfg.probability(k) > 0 and n_paragraphs >= MIN_PARAGRAPHS[k]]
    for kind in feasible:
        if rng.random() < cfg.probability(kind):
            plan += [kind] * rng.randint(1, cfg.max_copies_per_kind)
    if not plan and feasible:
        plan = [rng.choices(feasible, weights=[cfg.probability(k) for k in feasible])[0]]
    return plan


def _separate(docs: list[GeneratedDoc]) -> None:
    """Rearrange in place so that no two neighbours share a cluster, where swaps allow it."""
    n = len(docs)

    def clash(pos: int) -> bool:
        return any(0 < p < n and docs[p].cluster == docs[p - 1].cluster for p in (pos, pos + 1))

    for _ in range(3):
        moved = False
        for i in range(1, n):
            if docs[i].cluster != docs[i - 1].cluster:
                continue
            for j in [*range(i + 1, n), *range(i - 1, -1, -1)]:
                docs[i], docs[j] = docs[j], docs[i]
                if not (clash(i) or clash(j)):
                    moved = True
                    break
                docs[i], docs[j] = docs[j], docs[i]
        if not moved:
            break


def build_corpus(base_dir: str | Path, n_docs: int, seed: int,
                 config: GeneratorConfig | None = None) -> Corpus:
    """Generate exactly ``n_docs`` documents from the base articles under ``base_dir``.

    Raises ValueError when the base articles run out before ``n_docs``
    documents exist (lower ``unrelated``/``singletons`` or raise the copy
    knobs, or pass a smaller ``n_docs``).
    """
    cfg = config or GeneratorConfig()
    if n_docs < 1:
        raise ValueError(f"n_docs={n_docs!r}: expected a positive integer")
    articles, n_files = load_base(base_dir)
    wires = [wire_text(a) for a in articles]
    order = list(range(len(articles)))
    random.Random(f"{seed}:base").shuffle(order)

    queue = _BaseQueue(order)
    titles = [w[0] for w in wires]
    pools: dict[str, list[tuple[str, str]]] = {}
    for outlet in OUTLETS:
        rng_pool = random.Random(f"{seed}:pool:{outlet.key}")
        sample = rng_pool.sample(titles, min(cfg.trending_pool, len(titles)))
        pools[outlet.key] = [(t, restyle(t, outlet)) for t in sample]
    fillers = _FillerPool(queue, wires, random.Random(f"{seed}:fillers"))
    ctx = _Context(cfg, pools, fillers)

    drafts: list[GeneratedDoc] = []
    story = 0
    while len(drafts) < n_docs:
        index = queue.next_story()
        if index is None:
            break
        rng = random.Random(f"{seed}:story:{story}")
        base = articles[index]
        title, paragraphs = wires[index]
        cluster = f"c{story:06d}"
        home = rng.choice(OUTLETS)
        when = _EPOCH + timedelta(minutes=rng.randrange(_SPAN_MINUTES))
        role = rng.random()
        if role < cfg.unrelated:
            k = min(len(paragraphs), rng.randint(1, 2))
            drafts.append(_make_doc("unrelated", story, cluster, home, base, title, paragraphs[:k], range(k),
                                    when, rng, ctx, wire_title=title))
        else:
            drafts.append(_make_doc("original", story, cluster, home, base, title, paragraphs,
                                    range(len(paragraphs)), when, rng, ctx, wire_title=title))
            if role >= cfg.unrelated + cfg.singletons:
                others = [o for o in OUTLETS if o.key != home.key]
                rng.shuffle(others)
                for c, kind in enumerate(_plan_copies(len(paragraphs), rng, cfg)):
                    copy_when = when + timedelta(minutes=rng.randint(10, 3 * 24 * 60))
                    drafts.append(_copy(kind, story, cluster, others[c % len(others)], base, title, paragraphs,
                                        copy_when, rng, ctx))
        story += 1
    if len(drafts) < n_docs:
        raise ValueError(
            f"the base has too few unique articles ({len(articles)}: {story} stories, {queue.donors} donors) "
            f"for {n_docs} documents with these knobs: made {len(drafts)}; lower --unrelated or --singletons, "
            f"raise the copy knobs or --max-copies-per-kind, or ask for fewer documents"
        )
    base_used = story
    drafts = drafts[:n_docs]
    random.Random(f"{seed}:order").shuffle(drafts)
    _separate(drafts)
    docs = [replace(d, id=f"d{i:06d}") for i, d in enumerate(drafts)]
    kinds = Counter(d.kind for d in docs)
    return Corpus(
        docs=docs, base_files=n_files, base_unique=len(articles), donors=queue.donors, base_used=base_used,
        fillers_reused=fillers.reused,
        stories=len({d.story for d in docs}), kinds={k: kinds.get(k, 0) for k in KINDS},
    )


def generate(base_dir: str | Path, n_docs: int, seed: int,
             config: GeneratorConfig | None = None) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """The ``docs.jsonl`` rows and the ``gold.jsonl`` rows, in output order (see the module docstring)."""
    corpus = build_corpus(base_dir, n_docs, seed, config)
    return [d.doc_row() for d in corpus.docs], [d.gold_row() for d in corpus.docs]


_UNSAFE_JSON = re.compile("[\u007f-\u009f\u2028\u2029]")


def _dumps(row: dict[str, str]) -> str:
    return _UNSAFE_JSON.sub(lambda m: f"\\u{ord(m.group(0)):04x}", json.dumps(row, ensure_ascii=False))


def write_corpus(out_dir: str | Path, docs: Sequence[dict[str, str]], gold: Sequence[dict[str, str]]) -> None:
    """Write ``docs.jsonl`` and ``gold.jsonl`` into ``out_dir`` (created if needed)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for name, rows in (("docs.jsonl", docs), ("gold.jsonl", gold)):
        with (out / name).open("w", encoding="utf-8", newline="\n") as fh:
            for row in rows:
                fh.write(_dumps(row) + "\n")


# --------------------------------------------------------------------------- CLI


def _parser() -> argparse.ArgumentParser:
    d = GeneratorConfig()
    p = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    p.add_argument("--base", required=True, help="bbc_news folder (holding bbc/<topic>/NNN.txt)")
    p.add_argument("--out", required=True, help="output folder for docs.jsonl and gold.jsonl")
    p.add_argument("--docs", type=int, default=5000, help="number of documents (default 5000)")
    p.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    for kind in COPY_KINDS:
        p.add_argument(f"--{kind}", type=float, default=getattr(d, kind), metavar="P",
                       help=f"probability of {kind} copies per syndicated story (default {getattr(d, kind)})")
    p.add_argument("--max-copies-per-kind", type=int, default=d.max_copies_per_kind, metavar="N")
    p.add_argument("--singletons", type=float, default=d.singletons, metavar="P")
    p.add_argument("--unrelated", type=float, default=d.unrelated, metavar="P")
    p.add_argument("--abridged-keep", type=float, nargs=2, default=d.abridged_keep, metavar=("LO", "HI"))
    p.add_argument("--partial-keep", type=float, nargs=2, default=d.partial_keep, metavar=("LO", "HI"))
    p.add_argument("--partial-fillers", type=int, nargs=2, default=d.partial_fillers, metavar=("LO", "HI"))
    p.add_argument("--noise-rate", type=float, nargs=2, default=d.noise_rate, metavar=("LO", "HI"))
    p.add_argument("--mojibake", type=float, default=d.mojibake, metavar="P")
    p.add_argument("--clause-drop", type=float, default=d.clause_drop, metavar="P")
    p.add_argument("--no-url", type=float, default=d.no_url, metavar="P")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    args = _parser().parse_args(argv)
    names = {f.name for f in fields(GeneratorConfig)}
    values: dict[str, Any] = {
        k: (tuple(v) if isinstance(v, list) else v) for k, v in vars(args).items() if k in names
    }
    try:
        config = GeneratorConfig(**values)
        start = time.perf_counter()
        corpus = build_corpus(args.base, args.docs, args.seed, config)
        write_corpus(args.out, [d.doc_row() for d in corpus.docs], [d.gold_row() for d in corpus.docs])
    except (ValueError, OSError) as exc:
        print(f"generate.py: error: {exc}", file=sys.stderr)
        return 2
    elapsed = time.perf_counter() - start
    summary = corpus.summary()
    print(json.dumps(summary, indent=1), file=sys.stderr)
    print(f"wrote {len(corpus.docs)} documents to {args.out} in {elapsed:.1f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
