"""The scale-corpus generator: deterministic for a seed, streaming JSONL, copies of earlier documents."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

GENERATOR_PATH = Path(__file__).resolve().parents[2] / "benchmarks" / "scale" / "generate.py"


def _generator():
    spec = importlib.util.spec_from_file_location("scale_generate", GENERATOR_PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _base(tmp_path: Path) -> Path:
    base = tmp_path / "bbc_news"
    for topic in ("business", "sport"):
        (base / "bbc" / topic).mkdir(parents=True)
        for k in range(4):
            paras = [f"{topic.title()} story {k} paragraph {p}: " + " ".join(f"w{k}{p}{j}" for j in range(12))
                     for p in range(5)]
            (base / "bbc" / topic / f"{k:03d}.txt").write_text(f"Title {topic} {k}\n\n" + "\n\n".join(paras) + "\n")
    (base / "bbc" / "sport" / "009.txt").write_bytes("Caf\xe9 title\n\nA cp1252 paragraph about a caf\xe9 and more words.".encode("cp1252"))
    return base


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path):
    gen = _generator()
    base = _base(tmp_path)
    a, b, c = tmp_path / "a.jsonl", tmp_path / "b.jsonl.gz", tmp_path / "c.jsonl"
    gen.main(["--base", str(base), "--out", str(a), "--docs", "300", "--seed", "3", "--gold", str(tmp_path / "g.jsonl")])
    gen.main(["--base", str(base), "--out", str(b), "--docs", "300", "--seed", "3"])
    gen.main(["--base", str(base), "--out", str(c), "--docs", "300", "--seed", "4"])
    import gzip

    assert a.read_bytes() == gzip.decompress(b.read_bytes())
    assert a.read_bytes() != c.read_bytes()
    rows = [json.loads(line) for line in a.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 300 and len({r["id"] for r in rows}) == 300
    assert all(r["text"] and r["title"] and r["source"] for r in rows)
    gold = [json.loads(line) for line in (tmp_path / "g.jsonl").read_text().splitlines()]
    order = {r["id"]: i for i, r in enumerate(rows)}
    assert 20 < len(gold) < 120  # about 20 % copies
    assert all(order[g["of"]] < order[g["id"]] and g["of"] not in {x["id"] for x in gold} for g in gold)
    by_id = {r["id"]: r["text"] for r in rows}
    assert all(by_id[g["id"]] == by_id[g["of"]] for g in gold if g["kind"] == "exact")


def _word_base(tmp_path: Path) -> Path:
    # Alphabetic words only (the rewrite replaces alphabetic words); few paragraphs, so
    # that originals draw the same paragraphs again and again.
    import random

    rng = random.Random(0)
    letters = "abcdefghijklmnopqrstuvwxyz"
    lexicon = ["".join(rng.choice(letters) for _ in range(rng.randint(3, 9))) for _ in range(400)]
    base = tmp_path / "words"
    (base / "bbc" / "news").mkdir(parents=True)
    for k in range(6):
        paras = [" ".join(rng.choice(lexicon) for _ in range(40)) for _ in range(4)]
        (base / "bbc" / "news" / f"{k:03d}.txt").write_text(f"Title {k}\n\n" + "\n\n".join(paras) + "\n")
    return base


def _five_grams(text: str) -> set[tuple[str, ...]]:
    words = text.split()
    return {tuple(words[i:i + 5]) for i in range(len(words) - 4)}


def test_originals_are_independent_stories_and_copies_are_not(tmp_path):
    # 24 base paragraphs, 200 documents: every paragraph is drawn by dozens of originals.
    # The rewrite must keep those originals apart (few shared word 5-grams), while
    # exact and near copies keep most of their original's 5-grams.
    gen = _generator()
    out, gold = tmp_path / "c.jsonl", tmp_path / "g.jsonl"
    gen.main(["--base", str(_word_base(tmp_path)), "--out", str(out), "--docs", "200", "--seed", "1",
              "--gold", str(gold)])
    rows = {r["id"]: r["text"] for r in map(json.loads, out.read_text().splitlines())}
    copies = {g["id"]: g for g in map(json.loads, gold.read_text().splitlines())}
    originals = [i for i in rows if i not in copies]
    grams = {i: _five_grams(rows[i]) for i in rows}
    worst = max(len(grams[a] & grams[b]) / len(grams[a] | grams[b])
                for n, a in enumerate(originals) for b in originals[n + 1:])
    assert worst < 0.1
    for g in copies.values():
        if g["kind"] in ("exact", "near"):
            a, b = grams[g["id"]], grams[g["of"]]
            assert len(a & b) / len(a | b) > 0.5
