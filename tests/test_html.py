"""HTML input: trafilatura main text and metadata into the document, then the news rules."""

from __future__ import annotations

import json
from pathlib import Path

from dedupe import clean_html
from dedupe.cli import main

SEED = (Path(__file__).resolve().parent.parent / "seeds" / "000_ea5ec20f11802e9d.txt").read_text(encoding="utf-8")


def _page(body_lines: list[str]) -> str:
    paras = "\n".join(f"<p>{line}</p>" for line in body_lines)
    return f"""<!doctype html><html><head><title>Russian instructors arrive in Niger | Example News</title>
<meta property="og:title" content="Russian instructors arrive in Niger">
<meta property="article:published_time" content="2024-04-12T08:00:00Z">
<meta property="og:site_name" content="Example News"></head>
<body><nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>Russian instructors arrive in Niger</h1>{paras}</article>
<footer>Copyright 2024 Example News. All rights reserved.</footer></body></html>"""


def test_clean_html_fills_metadata_and_applies_rules():
    lines = [line for line in SEED.split("\n") if line.strip()]
    body = lines[:12]  # "Audio By Carbonatix" + eleven article paragraphs
    page = _page(body)
    result = clean_html(page, url="https://www.example-news.com/world/niger-russia")
    assert result.title == "Russian instructors arrive in Niger"
    assert result.published == "2024-04-12"
    assert result.url == "https://www.example-news.com/world/niger-russia"
    assert "Audio By Carbonatix" not in result.text
    assert any(c.rule == "audio_widget" for c in result.changes)
    for paragraph in body[1:]:
        assert " ".join(paragraph.split()) in result.text
    assert "Home" not in result.text.split("\n")


def test_run_on_html_directory_keeps_metadata(tmp_path):
    lines = [line for line in SEED.split("\n") if line.strip()]
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "page.html").write_text(_page(lines[1:12]), encoding="utf-8")
    assert main(["run", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--quiet"]) == 0
    (doc,) = [json.loads(x) for x in (tmp_path / "out" / "canonical.jsonl").read_text().splitlines()]
    assert doc["id"] == "page.html"
    assert doc["title"] == "Russian instructors arrive in Niger"
    assert doc["published"] == "2024-04-12"
    first, second = doc["text"].split("\n")[:2]
    assert first == "Russian instructors arrive in Niger"  # the <h1> heading is kept as content
    assert second.startswith("Dozens of Russian military instructors")


def test_html_without_main_text_is_rejected(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "empty.html").write_text("<html><head><title>x</title></head><body><div></div></body></html>", encoding="utf-8")
    assert main(["run", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--quiet"]) == 1
    (row,) = [json.loads(x) for x in (tmp_path / "out" / "rejected.jsonl").read_text().splitlines()]
    assert row["reason"] == "html" and row["id"] == "empty.html"
