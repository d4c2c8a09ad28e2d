"""report.html in a real headless browser (Debian's chromium at /usr/bin/chromium; .ci/run installs it).

The page's state after its script ran is read back with ``chromium --dump-dom``; the
page's console (errors, CSP violations, uncaught exceptions) with ``--enable-logging``.
Deep links drive it: ``#q=WORDS`` searches, ``#c=CLUSTER`` opens a cluster and its links.
"""

from __future__ import annotations

import html
import json
import random
import re
import struct
import subprocess
import time
from pathlib import Path

import pytest

from dedupe.cli import main

CHROMIUM = Path("/usr/bin/chromium")
INSTALL = "apt-get update && apt-get install -y chromium  (Debian's package; .ci/run installs it when missing)"


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """``browse(url, screenshot=None)`` -> (DOM after the script ran, the page's console lines)."""
    if not CHROMIUM.is_file():
        pytest.fail(f"the browser tests need chromium at {CHROMIUM}: install it with {INSTALL}")
    profile = tmp_path_factory.mktemp("chromium-profile")

    def browse(url: str, screenshot: Path | None = None, size: str = "1280,1800") -> tuple[str, list[str]]:
        cmd = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
               f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", "--hide-scrollbars",
               f"--window-size={size}"]
        cmd += [f"--screenshot={screenshot}"] if screenshot else ["--dump-dom"]
        done = subprocess.run(cmd + [url], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-2000:]
        console = [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
        return done.stdout, console

    return browse


def url(path: Path, fragment: str = "") -> str:
    return path.resolve().as_uri() + (f"#{fragment}" if fragment else "")


def rows(dom: str) -> list[str]:
    return re.findall(r'<div class="cluster[^"]*" id="cluster-[^"]+" data-cluster="([^"]+)"', dom)


def marks(dom: str) -> list[tuple[str, str]]:
    return [(int(n), html.unescape(t)) for n, t in
            re.findall(r'<mark class="p\d" title="shared passage (\d+)">(.*?)</mark>', dom, re.S)]


@pytest.fixture(scope="module")
def seeds_report(tmp_path_factory: pytest.TempPathFactory, seeds_dir: Path) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("seeds-browser") / "out"
    assert main(["run", str(seeds_dir), "-o", str(out), "--report", "-q", "--workers", "1"]) == 0
    story = next(json.loads(line) for line in (out / "clusters.jsonl").read_text(encoding="utf-8").splitlines()
                 if len(json.loads(line)["members"]) == 3)
    assert sorted(m[:3] for m in story["members"]) == ["001", "002", "003"]
    return out / "report.html", story["cluster"]


def test_seeds_report_opens_without_console_errors(browser, seeds_report) -> None:  # type: ignore[no-untyped-def]
    page, story = seeds_report
    dom, console = browser(url(page))
    assert console == []
    assert 'data-ready="1"' in dom
    assert rows(dom)[0] == story and len(rows(dom)) == 3  # all three clusters, the largest first
    assert "3 clusters listed" in dom


def test_search_finds_a_cluster(browser, seeds_report) -> None:  # type: ignore[no-untyped-def]
    page, story = seeds_report
    dom, console = browser(url(page, "q=001_ea845a7ca8160811"))
    assert console == [] and rows(dom) == [story]
    assert "1 of 3 listed clusters match" in dom
    dom, _ = browser(url(page, "q=" + story[:8]))  # a prefix of the cluster id
    assert rows(dom) == [story]
    dom, _ = browser(url(page, "q=no-such-word-anywhere"))
    assert rows(dom) == [] and "No listed cluster matches." in dom


def test_seeds_story_cluster_shows_its_shared_passages(browser, seeds_report) -> None:  # type: ignore[no-untyped-def]
    page, story = seeds_report
    dom, console = browser(url(page, f"c={story}"))
    assert console == []
    assert f'class="cluster open" id="cluster-{story}"' in dom
    for seed in ("001_ea845a7ca8160811.txt", "002_a28da0caf1e1bcbb.txt", "003_7b6072c9e044c106.txt"):
        assert seed in dom
    assert dom.count('class="pair"') == 2  # both links open, two texts side by side each
    found = marks(dom)
    # 001-003: 4 passages, 9 shared sentences; 002-003: 3 passages; each sentence marked on both sides.
    assert len(found) >= 2 * 9 + 2 * 5
    text = " ".join(t for _, t in found)
    assert "Russia will help" in text and "air defense systems" in text
    assert "most complete text" in dom  # the canonical's reason


def test_screenshot_of_an_open_cluster(browser, seeds_report, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page, story = seeds_report
    shot = tmp_path / "cluster.png"
    browser(url(page, f"c={story}"), screenshot=shot, size="1280,1800")
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24]) == (1280, 1800)
    # A blank page of this size is about 12 KB; text, charts and highlights make it several times that.
    assert 60_000 < len(data) < 5_000_000


# ------------------------------------------------------------------------------------------ a generated corpus

NOUNS = ["council", "bridge", "harbour", "school", "hospital", "railway", "market", "museum", "factory", "airport"]
TOWNS = ["Ashcombe", "Birchley", "Cranmoor", "Dunhallow", "Elverton", "Fernhollow"]
VERBS = ["rebuild", "close", "expand", "inspect", "fund", "sell"]
OUTLETS = ["alpha.example", "beta.example", "gamma.example"]


PEOPLE = ["Ama Oyelowo", "Piet Vandersloot", "Rosa Kettleby", "Idris Fenwick", "Wren Halloway", "Osric Pembury",
          "Mirela Dunstan", "Tobias Lindgren", "Jose Carrasquel", "Kai Moreno"]


def sentence(rng: random.Random, s: int, i: int) -> str:
    person, noun, town = rng.choice(PEOPLE), rng.choice(NOUNS), TOWNS[s]
    return rng.choice([
        f"{person} told reporters in {town} that plan {s}{i}7 for the {noun} would {rng.choice(VERBS)} "
        f"{rng.randint(12, 950)} homes near the river before {rng.randint(2026, 2040)}.",
        f"The {noun} of {town} has asked {person} to explain why scheme {s}{i}3 cost {rng.randint(2, 900)} "
        f"million more than the first estimate.",
        f"According to {person}, the {rng.choice(NOUNS)} and the {noun} in {town} will share {rng.randint(3, 90)} "
        f"staff under proposal {s}{i}9 from the spring.",
    ])


def generated_corpus(path: Path) -> dict[str, str]:
    """Six stories, each printed by three outlets (full, abridged with a local line, exact copy); each
    outlet's page footer (learned furniture); a story holding markup; a malformed line. Returns title -> id."""
    rows, titles = [], {}
    for s in range(6):
        rng = random.Random(s)
        body = [sentence(rng, s, i) for i in range(9)]
        title = f"{TOWNS[s]} {NOUNS[s]} plan story {s}"
        for k, outlet in enumerate(OUTLETS):
            text = body if k != 1 else body[:7] + [f"Readers of {outlet} wrote in about the plan in {TOWNS[s]}."]
            if s == 5:
                text = text[:4] + ["He wrote </script><script>document.body.setAttribute('data-pwned','1')</script> "
                                   "and <img src=x onerror=\"document.body.setAttribute('data-pwned','2')\">."] + text[4:]
            doc_id = f"{outlet}/{s}"
            rows.append({"id": doc_id, "title": title if k == 0 else f"{title} ({outlet})",
                         "url": f"https://{outlet}/news/{s}", "published": f"2024-04-1{s}",
                         "text": "\n".join(text + [f"Follow {outlet} for the news you need every day of the week."])})
            if k == 0:
                titles[title] = doc_id
    with open(path, "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row) + "\n")
        fh.write('{"id": "broken", "text": \n')
    return titles


@pytest.fixture(scope="module")
def generated_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str], list[dict]]:
    base = tmp_path_factory.mktemp("generated")
    titles = generated_corpus(base / "corpus.jsonl")
    out = base / "out"
    assert main(["run", str(base / "corpus.jsonl"), "-o", str(out), "--report", "-q", "--workers", "1"]) == 0
    clusters = [json.loads(line) for line in (out / "clusters.jsonl").read_text(encoding="utf-8").splitlines()]
    return out / "report.html", titles, clusters


def test_generated_corpus_report(browser, generated_report) -> None:  # type: ignore[no-untyped-def]
    page, titles, clusters = generated_report
    assert sorted(len(c["members"]) for c in clusters) == [3] * 6  # the corpus groups as built
    dom, console = browser(url(page))
    assert console == [] and 'data-ready="1"' in dom and len(rows(dom)) == 6
    assert "Learned furniture: documents changed per source" in dom and ">alpha.example</text>" in dom
    assert "malformed-json" in dom  # the rejected line, with its reason
    # Title words find the story's cluster.
    cluster_of = {m: c["cluster"] for c in clusters for m in c["members"]}
    dom, console = browser(url(page, "q=Cranmoor story 2"))
    assert console == [] and rows(dom) == [cluster_of[titles["Cranmoor harbour plan story 2"]]]


def test_markup_in_a_document_appears_as_text(browser, generated_report) -> None:  # type: ignore[no-untyped-def]
    page, titles, clusters = generated_report
    cluster = next(c["cluster"] for c in clusters if titles["Fernhollow railway plan story 5"] in c["members"])
    dom, console = browser(url(page, f"c={cluster}"))
    assert console == []
    assert "data-pwned" not in dom.split("<body", 1)[1].split(">", 1)[0]  # the body's attributes
    assert "<img src=x" not in dom
    texts = re.findall(r'<div class="text">(.*?)</div>', dom, re.S)
    assert len(texts) >= 4  # two links, two texts each
    assert all("He wrote &lt;/script&gt;&lt;script&gt;document.body.setAttribute(" in t for t in texts)


def test_a_million_document_report_opens_in_seconds(browser, large_run_report: Path) -> None:  # type: ignore[no-untyped-def]
    start = time.monotonic()
    dom, console = browser(url(large_run_report))
    elapsed = time.monotonic() - start
    assert console == [] and 'data-ready="1"' in dom
    assert len(rows(dom)) == 100  # one page of rows; "Show more" adds the next
    assert elapsed < 20, f"the page took {elapsed:.1f} s to open"
