"""The scale-corpus generator: deterministic for a seed, streaming JSONL, copies of earlier documents."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

GENERATOR_PATH = Path(__file__).resolve().parent.parent / "benchmarks" / "scale" / "generate.py"


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
