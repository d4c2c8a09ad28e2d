"""Acceptance 2: text damaged by decoding UTF-8 as cp1252 or latin-1 comes back equal to the original."""

from __future__ import annotations

import json

import ftfy  # noqa: F401  (registers the 'sloppy-windows-1252' codec real scrapers produce)
import pytest

from dedupe import clean_text
from dedupe.cli import main

ORIGINALS = [
    "Niger’s military government, led by General Abdourahamane Tiani, agreed in January to step up cooperation.",
    "“We are here to develop military cooperation between Russia and Niger,” the instructor said — adding more.",
    "Russia will help “install an air defence system … to ensure complete control of our airspace,” the report said.",
    "Ulf Laessing of the Konrad-Adenauer-Stiftung in Bamako told Le Monde’s reporter in São Paulo: ‘c’est fini’.",
    "Prices rose 3–4% in Zürich and Düsseldorf, while the café in Malmö charged €4.50 – or £3.90.",
    "The minister, José Martínez Ñúñez, said the deal was “a turning point”.",
]


def damage(text: str, codec: str) -> str:
    return text.encode("utf-8").decode(codec)


@pytest.mark.parametrize("codec", ["sloppy-windows-1252", "latin-1"])
@pytest.mark.parametrize("original", ORIGINALS)
def test_mojibake_repaired_exactly(original, codec):
    damaged = damage(original, codec)
    assert damaged != original
    result = clean_text(damaged)
    assert result.text == original
    assert [c.rule for c in result.changes] == ["encoding"]
    assert result.changes[0].before and result.changes[0].after == original


def test_clean_text_leaves_good_text_alone():
    for original in ORIGINALS:
        result = clean_text(original)
        assert result.text == original
        assert result.changes == ()


def test_mojibake_through_the_cli(tmp_path):
    rows = [{"id": f"d{i}", "text": damage(t, "sloppy-windows-1252")} for i, t in enumerate(ORIGINALS)]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "clean.jsonl"
    assert main(["clean", str(src), "-o", str(out), "--quiet", "--no-learn"]) == 0
    got = [json.loads(line)["text"] for line in out.read_text(encoding="utf-8").splitlines()]
    assert got == ORIGINALS
