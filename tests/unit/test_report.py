"""report.html without a browser: contents, escaping, determinism, bounds (tests/e2e/test_report_browser.py opens it)."""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import dedupe
from dedupe import report
from dedupe.cli import main
from dedupe.report import sentence_spans
from dedupe._text import analyze, tokenize

DATA_RE = re.compile(r'<script type="application/json" id="report-data">(.*?)</script>', re.S)
HOSTILE = ('He wrote </script><script>document.body.setAttribute("data-pwned","1")</script> and <!-- a comment '
           '<img src=x onerror="document.body.setAttribute(\'data-pwned\',\'2\')"> & more')


def page_data(page: str) -> dict:
    found = DATA_RE.findall(page)
    assert len(found) == 1
    return json.loads(found[0])


@pytest.fixture(scope="module")
def seeds_run(tmp_path_factory: pytest.TempPathFactory, seeds_dir: Path) -> Path:
    out = tmp_path_factory.mktemp("seeds") / "out"
    assert main(["run", str(seeds_dir), "-o", str(out), "--report", "-q", "--workers", "1"]) == 0
    return out


def test_run_report_shows_the_run(seeds_run: Path) -> None:
    page = (seeds_run / "report.html").read_text(encoding="utf-8")
    summary = json.loads((seeds_run / "summary.json").read_text(encoding="utf-8"))
    data = page_data(page)
    # Every cluster listed, largest first; the seeds' story cluster carries both texts of each link.
    assert [c["n"] for c in data["clusters"]] == [3, 1, 1]
    story = data["clusters"][0]
    assert sorted(m[:3] for m in story["members"]) == ["001", "002", "003"]
    assert story["canonical"].startswith("002")
    assert story["reason"].startswith("most complete text")
    for link in story["links"]:
        assert "text" in data["docs"][link["a"]] and "text" in data["docs"][link["b"]]
        assert link["ha"] and link["hb"]
    # At a glance, plots and sections.
    for label in ("read", "cleaned", "rejected", "clusters", "duplicates"):
        assert f'<div class="l">{label}</div>' in page
    for stage in summary["timings_s"]:
        assert f">{stage}</text>" in page
    for rule in summary["removals_by_rule"]:
        assert f">{rule}</text>" in page
    assert "Link scores by kind" in page and "syndicated: 2 links" in page
    assert "Cleaning: a sample" in page and "3 of the 3 documents that cleaning changed" in page
    assert page.count('<div class="inplace">') == 3  # the inputs were read again: removed lines in place
    assert "Nothing was rejected." in page
    # Self-contained: nothing is fetched.
    assert not re.search(r"""(src|href)\s*=\s*["'](https?:|//)""", page)
    assert "@import" not in page and "url(" not in page
    assert "default-src 'none'" in page


def test_highlights_are_the_shared_sentences(seeds_run: Path) -> None:
    """The highlighted ranges are the sentences verification matched: each passage's words open A's first one."""
    data = page_data((seeds_run / "report.html").read_text(encoding="utf-8"))
    clusters = [json.loads(line) for line in (seeds_run / "clusters.jsonl").read_text(encoding="utf-8").splitlines()]
    raw = {(l["a"], l["b"]): l for c in clusters for l in c["links"]}
    for link in data["clusters"][0]["links"]:
        for side, key in (("a", "ha"), ("b", "hb")):
            text = data["docs"][link[side]]["text"]
            for k, passage in enumerate(raw[(link["a"], link["b"])]["passages"]):
                marked = [text[s:e] for s, e, p in link[key] if p == k]
                lo, hi = passage[f"{side}_sentences"]
                assert len(marked) == hi - lo
                words = passage["text"].rstrip(" …").split()  # A's words; B's sentences are near matches
                got = tokenize(" ".join(marked))[:len(words)]
                if side == "a":
                    assert got == words
                else:
                    assert len(set(got) & set(words)) >= 0.6 * len(set(words))


def test_removed_lines_are_shown_in_place(seeds_run: Path, seeds_dir: Path) -> None:
    """The sample shows each input line where it was: kept, or struck out with its rule."""
    page = (seeds_run / "report.html").read_text(encoding="utf-8")
    doc = re.search(r"<code>003_7b6072c9e044c106.txt</code>.*?</details>", page, re.S).group(0)
    shown = re.findall(r'<div class="(line|removed)">(?:<span class="rule">([^<]*)</span><s>)?(.*?)(?:</s>)?</div>',
                       doc, re.S)
    lines = [l for l in (seeds_dir / "003_7b6072c9e044c106.txt").read_text(encoding="utf-8").splitlines() if l.strip()]
    def words(t: str) -> str:
        return " ".join(html.unescape(t).split())

    assert [words(t) for _, _, t in shown if words(t)] == [words(l) for l in lines]
    removed = [(rule, html.unescape(t)) for kind, rule, t in shown if kind == "removed"]
    assert removed[0] == ("repeated_title", lines[0].strip()) and removed[-1][0] == "syndication_footer"
    assert "?" not in [rule for rule, _ in removed]
    # The folder has no inputs to read again: a list of changes per document, said so.
    out = seeds_run.parent / "explained"
    assert main(["run", str(seeds_dir), "-o", str(out), "-q", "--workers", "1", "--explain"]) == 0
    folder_page = dedupe.write_report(out).read_text(encoding="utf-8")
    assert '<div class="inplace">' not in folder_page and "shown in place when the report is written" in folder_page


def test_sentence_spans_match_analyze(seeds_dir: Path) -> None:
    for path in sorted(seeds_dir.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        a = analyze(text)
        spans = sentence_spans(text)
        ends = list(a.sentence_starts[1:]) + [len(a.tokens)]
        assert [tuple(tokenize(text[s:e])) for s, e in spans] == \
            [a.tokens[lo:hi] for lo, hi in zip(a.sentence_starts, ends)]


@given(st.text(alphabet=st.sampled_from(list("ab .!?\n\x00\r\u2028Mr.AZ1\"“”")), max_size=60))
def test_sentence_spans_property(text: str) -> None:
    a = analyze(text)
    spans = sentence_spans(text)
    ends = list(a.sentence_starts[1:]) + [len(a.tokens)]
    assert [tuple(tokenize(text[s:e])) for s, e in spans] == [a.tokens[lo:hi] for lo, hi in zip(a.sentence_starts, ends)]


def hostile_corpus(path: Path) -> Path:
    """Two copies of a story holding markup, with a hostile title, url and source; a bad line."""
    body = ("Officials said the new bridge over the river would open to traffic next spring after delays. "
            "The project cost more than 40 million dollars and took four years to build across the valley. "
            "Local shop owners said they hoped the bridge would bring more visitors to the old town centre. "
            + HOSTILE + "\n"
            "Critics said the money should have been spent on the hospital and the schools in the district.")
    rows = [
        {"id": "evil</script>1", "text": body, "title": "Bridge <script>alert(1)</script> opens",
         "url": "javascript:alert(1)//<!--", "source": "<b>evil</b>.example"},
        {"id": "copy-2", "text": body + "\nA reporter added one more line at the end of this copy of it.",
         "title": "Bridge opens", "url": "https://b.example/bridge"},
    ]
    with open(path, "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row) + "\n")
        fh.write('{"id": "<img src=x onerror=alert(1)>", "text": 5}\n')
    return path


def test_corpus_text_is_escaped(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["run", str(hostile_corpus(tmp_path / "in.jsonl")), "-o", str(out), "--report", "-q",
                 "--workers", "1"]) == 0
    page = (out / "report.html").read_text(encoding="utf-8")
    # Exactly the page's own two scripts; corpus text never opens or closes one, nor a comment.
    assert page.count("<script") == 2 and page.count("</script>") == 2
    assert "<!--" not in page and "<img" not in page and "<b>" not in page
    data = page_data(page)  # the JSON element was not cut short: it parses whole ...
    texts = [d.get("text", "") for d in data["docs"].values()]
    assert any(HOSTILE in t for t in texts)  # ... and gives back the text exactly
    assert data["docs"]["evil</script>1"]["title"] == "Bridge <script>alert(1)</script> opens"
    # In the HTML parts (rejected inputs, cleaning sample) it is escaped text.
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_script_json_escapes_the_markup_openers() -> None:
    text = report.script_json({"x": "</script><!-- <SCRIPT> & \u2028"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"x": "</script><!-- <SCRIPT> & \u2028"}


def _no_timings(page: str) -> str:
    return re.sub(r"<figure class=\"plot\"><figcaption>Time per stage.*?</figure>", "", page, flags=re.S)


def test_same_run_same_report(tmp_path: Path, seeds_dir: Path) -> None:
    pages = []
    for name in ("a", "b"):
        assert main(["run", str(seeds_dir), "-o", str(tmp_path / name), "--report", "-q", "--workers", "1"]) == 0
        pages.append((tmp_path / name / "report.html").read_text(encoding="utf-8"))
    assert "Time per stage" in pages[0]
    assert _no_timings(pages[0]) == _no_timings(pages[1])
    # From the folders: the summaries differ in their timings only, and so do the pages.
    for name in ("a", "b"):
        summary = json.loads((tmp_path / name / "summary.json").read_text(encoding="utf-8"))
        summary["timings_s"] = {k: 1.0 for k in summary["timings_s"]}
        (tmp_path / name / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    assert (dedupe.write_report(tmp_path / "a").read_bytes() == dedupe.write_report(tmp_path / "b").read_bytes())


def test_report_from_a_folder_says_what_it_cannot_show(tmp_path: Path, seeds_dir: Path) -> None:
    out = tmp_path / "out"
    assert main(["run", str(seeds_dir), "-o", str(out), "-q", "--workers", "1"]) == 0
    assert not (out / "report.html").exists()
    assert main(["report", str(out), "-q"]) == 0
    page = (out / "report.html").read_text(encoding="utf-8")
    data = page_data(page)
    story = data["clusters"][0]
    assert "text" in data["docs"][story["canonical"]]
    assert not any("text" in data["docs"].get(m, {}) for m in story["members"][1:])
    assert "only canonical texts are in canonical.jsonl" in page
    assert "Not available: this output folder" in page and "--explain" in page
    # With --explain, the canonical documents' cleaning changes are shown.
    assert main(["run", str(seeds_dir), "-o", str(out), "-q", "--workers", "1", "--explain"]) == 0
    assert main(["report", str(out), "-q"]) == 0
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "canonical documents that cleaning changed" in page and 'class="removed"' in page


def test_report_of_a_dedup_run_and_errors(tmp_path: Path, seeds_dir: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "out"
    texts = tmp_path / "in.jsonl"
    texts.write_text("".join(json.dumps({"id": p.name, "text": p.read_text(encoding="utf-8")}) + "\n"
                             for p in sorted(seeds_dir.glob("*.txt"))), encoding="utf-8")
    assert main(["dedup", str(texts), "-o", str(out), "--report", "-q", "--workers", "1"]) == 0
    page = (out / "report.html").read_text(encoding="utf-8")
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert "This run did no cleaning" in page and "not in summary.json (a dedup run does no cleaning)" in page
    assert sum(c["n"] for c in page_data(page)["clusters"]) == summary["counts"]["cleaned"] == 5
    # Not an output folder: exit 2 with a message that says what to do.
    capsys.readouterr()
    assert main(["report", str(tmp_path / "missing")]) == 2
    assert "no such output folder" in capsys.readouterr().err
    (tmp_path / "half").mkdir()
    assert main(["report", str(tmp_path / "half")]) == 2
    assert "summary.json, clusters.jsonl, canonical.jsonl missing" in capsys.readouterr().err
    with pytest.raises(TypeError, match="give the path"):
        dedupe.write_report(dedupe.deduplicate([{"id": "a", "text": "one two three"}]))


def test_stale_report_is_named(tmp_path: Path, seeds_dir: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "out"
    assert main(["run", str(seeds_dir), "-o", str(out), "--report", "-q", "--workers", "1"]) == 0
    capsys.readouterr()
    assert main(["run", str(seeds_dir), "-o", str(out), "-q", "--workers", "1"]) == 0
    assert "report.html is from an earlier run" in capsys.readouterr().err


def test_a_million_documents_give_a_bounded_report(large_run_report: Path) -> None:
    """Counts for all, details for a bounded part: under 25 MB (issue #18)."""
    size = large_run_report.stat().st_size
    assert size < 25_000_000
    page = large_run_report.read_text(encoding="utf-8")
    assert "Cluster sizes (500,005 clusters, 1,000,000 documents)" in page
    data = page_data(page)
    listed = data["clusters"]
    assert report.LIST_LARGEST <= len(listed) <= report.LIST_LARGEST + report.LIST_SAMPLE + report.DETAIL_SAMPLE
    assert [c["n"] for c in listed[:5]] == [20_000] * 5  # the largest first
    assert all(len(c["members"]) <= report.MAX_MEMBERS and len(c["links"]) <= report.MAX_LINKS for c in listed)
    assert listed[0]["more_members"] == 20_000 - report.MAX_MEMBERS and listed[0]["more_links"] == 200 - report.MAX_LINKS
    assert sum(c["detail"] for c in listed) == report.DETAIL_LARGEST + report.DETAIL_SAMPLE
    assert sum(c["n"] == 1 for c in listed) > 1000  # the sample reaches the singletons too
    assert "near-duplicate: 200,500 links" in page and "syndicated: 200,500 links" in page


def test_text_budget_bounds_the_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Long texts in every detailed cluster: the text budget stops adding texts, and says so."""
    monkeypatch.setattr(report, "TEXT_BUDGET", 300_000)
    def story(k: int) -> str:  # about 20,000 characters: cut at MAX_TEXT_CHARS
        return " ".join(f"S{k}w{j}{'.' if j % 12 == 11 else ''}" for j in range(2_500))

    docs = [{"id": f"s{k}-{i}", "text": story(k)} for k in range(40) for i in range(3)]
    result = dedupe.deduplicate(docs)
    assert sum(len(c.members) > 1 for c in result.clusters) == 40
    path = dedupe.write_report(result, tmp_path / "r.html")
    page = path.read_text(encoding="utf-8")
    data = page_data(page)
    texts = [d["text"] for d in data["docs"].values() if "text" in d]
    assert texts and all(len(t) == report.MAX_TEXT_CHARS for t in texts)
    assert sum(len(t) for t in texts) <= 300_000
    assert "clusters are listed without their texts" in page
    assert any(not c["detail"] for c in data["clusters"] if c["n"] > 1)
