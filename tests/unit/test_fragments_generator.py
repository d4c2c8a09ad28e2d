"""Tests of the fragment-copy generator (benchmarks/fragments/generate.py), on a tiny invented base
in the bbc_news layout (nothing under /work/shared is read)."""

from __future__ import annotations

import importlib.util
import random
import re
import sys
from pathlib import Path

import pytest

GENERATOR_PATH = Path(__file__).resolve().parents[2] / "benchmarks" / "fragments" / "generate.py"


def _load():
    spec = importlib.util.spec_from_file_location("fragments_generate", GENERATOR_PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


gen = _load()

SYLLABLES = ("ka", "lo", "mi", "ne", "su", "ta", "ve", "ri", "do", "pa", "zu", "ho", "ge", "fi")
JOINS = (", and", ", but", ", which", ", while", ",")


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3)))


def _sentence(rng: random.Random) -> str:
    """18-30 words with one or two clause cuts, a capitalised name inside."""
    words = [_word(rng) for _ in range(rng.randint(18, 30))]
    words[rng.randint(3, 8)] = _word(rng).capitalize()
    for _ in range(rng.randint(1, 2)):
        at = rng.randint(5, len(words) - 5)
        words[at] += rng.choice(JOINS)
    return " ".join(words).capitalize() + "."


def _article(rng: random.Random, words: int) -> str:
    paragraphs, n = [], 0
    while n < words:
        p = " ".join(_sentence(rng) for _ in range(3))
        if not paragraphs:
            p += ' "' + " ".join(_word(rng) for _ in range(12)) + '," said ' + _word(rng).capitalize() + "."
        paragraphs.append(p)
        n += len(p.split())
    return _word(rng).capitalize() + " " + _word(rng) + " " + _word(rng) + "\n\n" + "\n\n".join(paragraphs) + "\n"


@pytest.fixture(scope="module")
def base_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Per topic: four sources of 600-1,000 words and four shorter articles."""
    rng = random.Random(5)
    root = tmp_path_factory.mktemp("bbc_news")
    for topic in ("business", "tech"):
        folder = root / "bbc" / topic
        folder.mkdir(parents=True)
        for i in range(8):
            text = _article(rng, rng.randint(650, 900) if i < 4 else rng.randint(250, 400))
            (folder / f"{i + 1:03d}.txt").write_text(text, encoding="utf-8")
    return root


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w ]", " ", text.lower()).split())


def _sentences(text: str) -> list[str]:
    body = text.split("\n\n", 1)[1]
    return [s for s in re.split(r"(?<=\.)\s+", body.replace("\n\n", " ")) if s]


def test_same_seed_same_corpus_and_gold(base_dir: Path) -> None:
    docs, gold = gen.documents(base_dir, 1)
    assert (docs, gold) == gen.documents(base_dir, 1)
    assert gen.documents(base_dir, 2)[0] != docs
    assert len(docs) == 4 * 8  # four kinds for each of the eight sources
    assert [d["id"] for d in docs] == [g["id"] for g in gold] == [f"f{k:05d}" for k in range(len(docs))]
    kind_of = {g["id"]: g["kind"] for g in gold}
    for g in gold:
        assert kind_of[g["source"]] == "original"
        assert {h["story"] for h in gold if h["source"] == g["source"]} == {g["story"]}


def test_copies_are_made_of_parts_of_source_sentences(base_dir: Path) -> None:
    docs, gold = gen.documents(base_dir, 3)
    text = {d["id"]: d["text"] for d in docs}
    fragments = pasted = 0
    for g in gold:
        if g["kind"] not in ("fragment", "independent"):
            continue
        source = _norm(text[g["source"]])
        whole = {_norm(s) for s in _sentences(text[g["source"]])}
        own = [_norm(s) for s in _sentences(text[g["id"]])]
        inside = [s for s in own if s and s in source]
        if g["kind"] == "fragment":
            assert 200 <= len(text[g["id"]].split()) <= 380  # 200-300 of the source's words, plus its own lines
            assert not whole & set(own)  # never a whole sentence
            fragments += len(own)
            pasted += len(inside)
        else:
            assert len(inside) <= 1  # at most the one shared quote
    # Most sentences of a cut-and-paste copy are a part of the source verbatim (the others carry a
    # lead-in, join two parts, or are the copier's own opening and closing).
    assert pasted >= 0.5 * fragments


def test_reworded_copies_are_reworded(base_dir: Path) -> None:
    rng = random.Random(1)
    sentence = "The company said profits rose 20% and it also expected the large plant to start soon."
    edited = {gen.reword(sentence, rng) for _ in range(30)}
    assert sentence not in edited or len(edited) > 1
    assert all(len(e.split()) >= len(sentence.split()) - 3 for e in edited)  # light: words mostly kept
