"""HTML input: trafilatura main text and metadata into the document, then the news rules."""

from __future__ import annotations

import json
from pathlib import Path

from lxml import html as lxml_html

from dedupe import clean_html
from dedupe.clean.html import extract_html, page_context
from dedupe.config import CleanConfig
from dedupe.cli import main

SEED = (Path(__file__).resolve().parents[2] / "seeds" / "000_ea5ec20f11802e9d.txt").read_text(encoding="utf-8")


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
    # The <h1> headline is the document's title, not a line of its text (rule page_title).
    assert doc["text"].split("\n")[0].startswith("Dozens of Russian military instructors")


def test_html_without_main_text_is_rejected(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "empty.html").write_text("<html><head><title>x</title></head><body><div></div></body></html>", encoding="utf-8")
    assert main(["run", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--quiet"]) == 1
    (row,) = [json.loads(x) for x in (tmp_path / "out" / "rejected.jsonl").read_text().splitlines()]
    assert row["reason"] == "html" and row["id"] == "empty.html"


# --------------------------------------------------------------------------- page rules and split bodies

PARAS = [
    "The finance minister resigned on Friday after weeks of protests over the budget, officials said.",
    "Her deputy will take over until parliament approves a successor, the president's office said.",
    "Protesters had gathered outside parliament every evening since the budget was published in March.",
    "The opposition called for early elections and said it would table a motion of no confidence.",
]


def _news_page(body: str, head: str = "") -> str:
    return f"""<!doctype html><html><head><title>Finance minister resigns | Daily Example</title>
<meta property="og:title" content="Finance minister resigns">{head}</head>
<body><nav><a href="/">Home</a> <a href="/politics">Politics</a></nav>{body}
<footer><a href="/about">About the Daily Example</a></footer></body></html>"""


def test_page_context_reads_titles_and_same_site_links():
    page = _news_page(
        "<article><h1>Finance minister resigns</h1><p>x</p>"
        '<a href="/politics/floods-hit-the-coast">Floods hit the coast</a>'
        '<a href="https://other.example.org/report">Report on the floods</a>'
        '<a href="https://www.daily.example/politics/minister-resigns#comments">Read the comments below</a>'
        '<a href="#top">Back to the top</a></article>'
    )
    ctx = page_context(lxml_html.fromstring(page), "https://www.daily.example/politics/minister-resigns")
    assert "finance minister resigns" in ctx.titles
    assert "finance minister resigns daily example" in ctx.titles
    assert "floods hit the coast" in ctx.links and "about the daily example" in ctx.links
    assert "report on the floods" not in ctx.links  # another site
    assert "read the comments below" not in ctx.links  # this very page
    assert "back to the top" not in ctx.links  # a place on the page


RELATED = [("Floods hit the northern coast", "as rivers rise"), ("Markets rally on surprise rate cut", "in Accra"),
           ("Police arrest robbery suspect", "in Tema")]


def _related(site: str) -> tuple[str, list[str]]:
    """A related-stories list whose lines are mostly link text (trafilatura keeps such lines)."""
    html = "".join(f'<p><a href="{site}story-{i}">{link}</a> {tail}</p>' for i, (link, tail) in enumerate(RELATED))
    return html, [f"{link} {tail}" for link, tail in RELATED]


def test_headline_and_related_links_are_removed_and_recorded():
    items, lines = _related("/news/")
    body = "<article><h1>Finance minister resigns</h1>" + "".join(f"<p>{p}</p>" for p in PARAS) + items + "</article>"
    out = extract_html(_news_page(body), url="https://www.daily.example/politics/minister-resigns")
    assert out.text.split("\n") == PARAS
    assert out.title == "Finance minister resigns"
    removed = {(c.rule, line) for c in out.changes for line in c.removed.split("\n")}
    assert removed == {("page_title", "Finance minister resigns")} | {("link_list", line) for line in lines}
    # The same page through clean_html: the text rules run after the page rules, and the
    # page rules' removals are in its changes too.
    cleaned = clean_html(_news_page(body), url="https://www.daily.example/politics/minister-resigns")
    assert cleaned.text.split("\n") == PARAS
    assert {(c.rule, line) for c in cleaned.changes for line in c.removed.split("\n")} >= removed
    # --rules reaches the page rules: without them the headline and the list stay.
    only_text_rules = CleanConfig(rules=("paywall",))
    kept = clean_html(_news_page(body), url="https://www.daily.example/politics/minister-resigns", config=only_text_rules)
    assert "Finance minister resigns" in kept.text.split("\n") and lines[0] in kept.text.split("\n")
    assert not [c for c in kept.changes if c.rule in ("page_title", "link_list")]


def test_links_to_other_sites_are_not_a_related_list():
    items, lines = _related("https://other.example.org/")
    body = "<article>" + "".join(f"<p>{p}</p>" for p in PARAS) + items + "</article>"
    out = extract_html(_news_page(body), url="https://www.daily.example/politics/minister-resigns")
    assert out.text.split("\n") == PARAS + lines
    assert not [c for c in out.changes if c.rule == "link_list"]


def test_article_body_split_over_containers_is_joined():
    first = "".join(f"<p>{p}</p>" for p in PARAS)
    more = [f"Paragraph {n} of the second part says the minister had clashed with the cabinet over spending plans."
            for n in range(1, 6)]
    second = "".join(f"<p>{p}</p>" for p in more)
    body = (f'<article><div class="wrap"><div class="story-body part">{first}</div></div>'
            f'<aside><p>Advertisement</p></aside>'
            f'<div class="wrap"><div class="story-body part">{second}</div></div></article>')
    out = extract_html(_news_page(body), url="https://www.daily.example/politics/minister-resigns")
    lines = out.text.split("\n")
    for p in PARAS + more:
        assert p in lines
    assert lines.index(PARAS[-1]) < lines.index(more[0])


def test_cards_sharing_a_class_are_not_taken_for_a_split_body():
    cards = "".join(f'<div class="card"><p>Short teaser number {n} about another story</p></div>' for n in range(6))
    body = f'<article><div class="card">{"".join(f"<p>{p}</p>" for p in PARAS)}</div></article>{cards}'
    out = extract_html(_news_page(body), url="https://www.daily.example/politics/minister-resigns")
    assert "teaser" not in out.text


def test_embedded_post_by_a_person_the_article_names_is_kept():
    tweet = ("<blockquote class=\"twitter-tweet\"><p>We will not back down on the budget. "
             "<a href=\"https://t.co/abc123\">pic.twitter.com/abc123</a></p>&mdash; Jane Minister (@janeminister) "
             "<a href=\"https://twitter.com/janeminister/status/1\">November 19, 2019</a></blockquote>")
    body = "<article>" + "".join(f"<p>{p}</p>" for p in PARAS[:2]) + (
        "<p>Minister said on Twitter that she had no regrets about the budget she presented.</p>"
        + tweet + "".join(f"<p>{p}</p>" for p in PARAS[2:]) + "</article>")
    result = clean_html(_news_page(body), url="https://www.daily.example/politics/minister-resigns")
    assert "We will not back down on the budget." in result.text
    assert "(@janeminister)" in result.text
    assert not [c for c in result.changes if c.rule == "embedded_post"]
