"""Tests of the syndication corpus generator (benchmarks/syndication/generate.py).

The generator is loaded from its file with importlib (benchmarks/ is not a
package). Every test builds its own tiny base folder of invented articles in
the bbc_news layout (``bbc/<topic>/NNN.txt``), so nothing under /work/shared
is needed.
"""

from __future__ import annotations

import doctest
import importlib.util
import json
import random
import re
import shutil
import sys
from collections import Counter, defaultdict
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

import pytest

GENERATOR_PATH = Path(__file__).resolve().parents[2] / "benchmarks" / "syndication" / "generate.py"


def _load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("syndication_generate", GENERATOR_PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


gen = _load_generator()

# --------------------------------------------------------------------------- a tiny invented base

TOWNS = ["Ashcombe", "Birchley", "Cranmoor", "Dunhallow", "Elverton", "Fernhollow", "Gildersby", "Hartwell",
         "Ivybridge Marsh", "Kelderwick"]
PEOPLE = ["Jose Abernathy", "Mr Tobias Lindgren", "Dr Ama Oyelowo", "Mr Piet Vandersloot", "Rosa Kettleby",
          "Mr Idris Fenwick", "Jose Carrasquel", "Dr Wren Halloway", "Mr Osric Pembury", "Mirela Dunstan"]
TOPICS = {
    "business": ("ferry operator", "profits", "shares"),
    "tech": ("robot workshop", "downloads", "servers"),
    "sport": ("rowing club", "medals", "supporters"),
}


def invented_article(topic: str, i: int) -> str:
    """A small made-up article: title, blank line, five paragraphs separated by blank lines."""
    thing, metric, other = TOPICS[topic]
    town, person = TOWNS[i], PEOPLE[(i + len(topic)) % len(PEOPLE)]
    n = 11 * i + len(topic)
    title = f"{town} {thing} reports record {metric}"
    paragraphs = [
        f"The {thing} in {town} has reported record {metric} for the {n}th season in a row, "
        f"the local organisation said on Tuesday.",
        f"{person}, who has led the {thing} since {1990 + i}, said: \"We did not expect {n} per cent growth "
        f"in {metric} - nobody did.\" The US and UK branches will share a £{n}m bonus, officials confirmed.",
        f"Rivals in Zurich described the {metric} figures for {town} as a favourite talking point, "
        f"although analysts were sceptical about the colour of the accounts, according to reports.",
        f"In a separate move the {thing} said it would open a new centre near {town} harbour next year, "
        f"creating {n + 40} jobs for {other} and local apprentices in the region.",
        f"Mr {town.split()[0]}son, a spokesman, added that the {n} new {other} would be 'warmly welcomed' "
        f"and that the {thing} would organise a celebration, the statement ended.",
    ]
    return title + "\n\n" + "\n\n".join(paragraphs) + "\n"


@pytest.fixture(scope="module")
def base_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """30 invented articles in three topics, plus one exact duplicate that must be dropped."""
    root = tmp_path_factory.mktemp("bbc_news")
    for topic in TOPICS:
        folder = root / "bbc" / topic
        folder.mkdir(parents=True)
        for i in range(len(TOWNS)):
            (folder / f"{i + 1:03d}.txt").write_text(invented_article(topic, i), encoding="utf-8")
    shutil.copy(root / "bbc" / "tech" / "004.txt", root / "bbc" / "tech" / "099.txt")
    (root / "bbc" / "README.TXT").write_text("not an article\n", encoding="utf-8")
    return root


ALL_ON = gen.GeneratorConfig(repost=1.0, abridged=1.0, edited=1.0, partial=1.0, noisy=1.0, heavy=1.0,
                             max_copies_per_kind=1, no_url=0.3, mojibake=1.0)


@pytest.fixture(scope="module")
def corpus(base_dir: Path) -> Any:
    return gen.build_corpus(base_dir, 80, 7, ALL_ON)


def originals_by_story(docs: list[Any]) -> dict[int, Any]:
    return {d.story: d for d in docs if d.kind == "original"}


# --------------------------------------------------------------------------- base loading


def test_load_base_reads_sorted_and_drops_duplicates(base_dir: Path) -> None:
    articles, n_files = gen.load_base(base_dir)
    assert n_files == 31  # README.TXT is not a *.txt file in a topic folder
    assert len(articles) == 30  # tech/099.txt repeats tech/004.txt
    assert all(a.path != "tech/099.txt" for a in articles)
    assert [a.path for a in articles] == sorted(a.path for a in articles)
    first = articles[0]
    assert first.path == "business/001.txt"
    assert first.title == "Ashcombe ferry operator reports record profits"
    assert len(first.paragraphs) == 5
    # The folder holding the topics directly is accepted too.
    assert len(gen.load_base(base_dir / "bbc")[0]) == 30


def test_wire_text_has_typography_to_damage(base_dir: Path) -> None:
    articles, _ = gen.load_base(base_dir)
    title, paragraphs = gen.wire_text(articles[0])
    body = "\n".join(paragraphs)
    assert "“" in body and "”" in body and " – " in body and "£" in body
    assert '"' not in body and " - " not in body
    assert "José" in body or "Zürich" in body


# --------------------------------------------------------------------------- determinism and output files


def run_cli(base_dir: Path, out: Path, seed: int, *extra: str) -> None:
    status = gen.main(["--base", str(base_dir), "--out", str(out), "--docs", "60", "--seed", str(seed), *extra])
    assert status == 0


def test_same_seed_gives_byte_identical_files(base_dir: Path, tmp_path: Path) -> None:
    run_cli(base_dir, tmp_path / "a", 3)
    run_cli(base_dir, tmp_path / "b", 3)
    for name in ("docs.jsonl", "gold.jsonl"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert gen.generate(base_dir, 60, 3) == gen.generate(base_dir, 60, 3)


def test_different_seed_gives_different_output(base_dir: Path, tmp_path: Path) -> None:
    run_cli(base_dir, tmp_path / "a", 3)
    run_cli(base_dir, tmp_path / "b", 4)
    assert (tmp_path / "a" / "docs.jsonl").read_bytes() != (tmp_path / "b" / "docs.jsonl").read_bytes()
    assert (tmp_path / "a" / "gold.jsonl").read_bytes() != (tmp_path / "b" / "gold.jsonl").read_bytes()


def test_cli_knobs_and_files(base_dir: Path, tmp_path: Path) -> None:
    run_cli(base_dir, tmp_path / "x", 5, "--heavy", "0", "--noisy", "1", "--mojibake", "1")
    docs = [json.loads(line) for line in (tmp_path / "x" / "docs.jsonl").read_text(encoding="utf-8").split("\n")
            if line]
    gold = [json.loads(line) for line in (tmp_path / "x" / "gold.jsonl").read_text(encoding="utf-8").split("\n")
            if line]
    assert len(docs) == len(gold) == 60
    kinds = Counter(g["kind"] for g in gold)
    assert kinds["heavy"] == 0 and kinds["noisy"] > 0
    for row in docs:
        assert list(row)[0] == "id" and "text" in row and "published" in row
        assert set(row) <= {"id", "text", "source", "url", "published"}
    assert [r["id"] for r in docs] == [g["id"] for g in gold]


def test_jsonl_lines_survive_any_line_splitter(base_dir: Path, tmp_path: Path) -> None:
    # latin-1 mojibake makes C1 controls such as U+0085 (NEL), which str.splitlines() treats as line
    # breaks: the writer escapes them.
    config = gen.GeneratorConfig(noisy=1.0, mojibake=1.0)
    docs, gold = gen.generate(base_dir, 60, 11, config)
    assert any(re.search("[\x80-\x9f]", d["text"]) for d in docs)
    gen.write_corpus(tmp_path, docs, gold)
    raw = (tmp_path / "docs.jsonl").read_text(encoding="utf-8")
    assert not re.search("[\x80-\x9f\u2028\u2029]", raw)
    lines = raw.splitlines()
    assert len(lines) == len(docs)
    assert [json.loads(line) for line in lines] == docs


def test_too_small_base_raises(base_dir: Path) -> None:
    with pytest.raises(ValueError, match="too few unique articles"):
        gen.build_corpus(base_dir, 10_000, 1)


def test_config_is_validated() -> None:
    with pytest.raises(ValueError, match="repost"):
        gen.GeneratorConfig(repost=1.5)
    with pytest.raises(ValueError, match="abridged_keep"):
        gen.GeneratorConfig(abridged_keep=(0.9, 0.5))


# --------------------------------------------------------------------------- ids and gold


def test_ids_unique_and_every_doc_in_gold_once(corpus: Any) -> None:
    docs = corpus.docs
    assert len(docs) == 80
    ids = [d.id for d in docs]
    assert len(set(ids)) == len(ids)
    assert ids == [f"d{i:06d}" for i in range(len(ids))]
    gold_ids = [d.gold_row()["id"] for d in docs]
    assert Counter(gold_ids) == Counter(ids)
    members: dict[str, list[Any]] = defaultdict(list)
    for d in docs:
        assert d.kind in gen.KINDS
        members[d.cluster].append(d)
    for cluster, group in members.items():
        heads = [d for d in group if d.kind in ("original", "unrelated")]
        assert len(heads) == 1, cluster  # one original (or one unrelated brief) per cluster
        if heads[0].kind == "unrelated":
            assert len(group) == 1
        assert len({d.story for d in group}) == 1
        assert len({d.base_path for d in group}) == 1


def test_copies_not_adjacent_and_published_after_original(corpus: Any) -> None:
    docs = corpus.docs
    assert all(docs[i].cluster != docs[i - 1].cluster for i in range(1, len(docs)))
    originals = originals_by_story(docs)
    for d in docs:
        if d.kind in gen.COPY_KINDS:
            assert d.published > originals[d.story].published
            assert d.outlet != originals[d.story].outlet


# --------------------------------------------------------------------------- kinds


def test_every_copy_kind_present_when_its_knob_is_on(corpus: Any) -> None:
    kinds = Counter(d.kind for d in corpus.docs)
    for kind in ("original", *gen.COPY_KINDS):
        assert kinds[kind] > 0, kind
    assert corpus.kinds == {k: kinds.get(k, 0) for k in gen.KINDS}


def test_knobs_turn_kinds_off(base_dir: Path) -> None:
    config = gen.GeneratorConfig(heavy=0.0, noisy=0.0)
    kinds = Counter(d.kind for d in gen.build_corpus(base_dir, 60, 2, config).docs)
    assert kinds["heavy"] == 0 and kinds["noisy"] == 0
    assert kinds["repost"] > 0
    only_singles = gen.GeneratorConfig(**{k: 0.0 for k in gen.COPY_KINDS})
    kinds = Counter(d.kind for d in gen.build_corpus(base_dir, 20, 2, only_singles).docs)
    assert set(kinds) <= {"original", "unrelated"}


def test_default_config_mixes_singletons_and_unrelated(base_dir: Path) -> None:
    config = gen.GeneratorConfig(singletons=0.3, unrelated=0.3)
    docs = gen.build_corpus(base_dir, 40, 1, config).docs
    sizes = Counter(d.cluster for d in docs)
    singleton_originals = [d for d in docs if d.kind == "original" and sizes[d.cluster] == 1]
    assert singleton_originals, "expected stories without copies"
    assert any(d.kind == "unrelated" for d in docs)


def test_repost_is_verbatim(corpus: Any) -> None:
    originals = originals_by_story(corpus.docs)
    reposts = [d for d in corpus.docs if d.kind == "repost"]
    assert reposts
    for d in reposts:
        assert d.body_blocks() == originals[d.story].body_blocks()


def test_abridged_copies_are_prefixes_of_the_original(corpus: Any) -> None:
    originals = originals_by_story(corpus.docs)
    abridged = [d for d in corpus.docs if d.kind == "abridged"]
    assert abridged
    for d in abridged:
        original = originals[d.story]
        # Furniture removed from the published text, blocks that remain: [title, *paragraphs].
        title, *body = d.body_blocks()
        o_title, *o_body = original.body_blocks()
        assert title == o_title
        assert 1 <= len(body) < len(o_body)
        assert body == o_body[: len(body)]
        assert list(d.origin) == list(range(len(body)))


def test_abridged_prefix_holds_in_the_written_rows(corpus: Any) -> None:
    # The same check from docs.jsonl rows, removing the furniture recorded for each document.
    rows = {d.id: d.doc_row() for d in corpus.docs}
    originals = originals_by_story(corpus.docs)
    for d in corpus.docs:
        if d.kind != "abridged":
            continue
        o = originals[d.story]

        def body(doc: Any) -> list[str]:
            return [b for b in rows[doc.id]["text"].split("\n\n") if b not in set(doc.furniture)][1:]

        assert body(o)[: len(body(d))] == body(d)


def test_partial_copies_mix_in_foreign_paragraphs(corpus: Any) -> None:
    originals = originals_by_story(corpus.docs)
    for d in (x for x in corpus.docs if x.kind == "partial"):
        o = originals[d.story]
        wire = [i for i in d.origin if i >= 0]
        foreign = [p for p, i in zip(d.paragraphs, d.origin) if i < 0]
        assert wire == sorted(wire) and len(set(wire)) == len(wire)
        assert 1 <= len(wire) < len(o.paragraphs)
        assert 1 <= len(foreign) <= 3
        assert all(p not in o.paragraphs for p in foreign)
        assert [d.paragraphs[k] for k, i in enumerate(d.origin) if i >= 0] == [o.paragraphs[i] for i in wire]


def test_foreign_paragraphs_are_used_once_and_never_published(corpus: Any) -> None:
    assert corpus.fillers_reused == 0
    foreign = Counter(p for d in corpus.docs for p, i in zip(d.paragraphs, d.origin) if i < 0 and d.kind != "heavy")
    assert foreign and max(foreign.values()) == 1
    published = {p for d in corpus.docs if d.kind in ("original", "unrelated") for p in d.paragraphs}
    assert not published & set(foreign)


def test_heavy_copies(corpus: Any) -> None:
    originals = originals_by_story(corpus.docs)
    heavy = [d for d in corpus.docs if d.kind == "heavy"]
    assert heavy
    for d in heavy:
        o = originals[d.story]
        kept = [i for i in d.origin if i >= 0]
        assert 1 <= len(kept) < len(o.paragraphs)
        assert 1 <= sum(i < 0 for i in d.origin) <= len(kept)
        assert d.body_blocks() != o.body_blocks()


def test_edited_copies_follow_the_house_style(corpus: Any) -> None:
    originals = originals_by_story(corpus.docs)
    outlets = {o.key: o for o in gen.OUTLETS}
    edited = [d for d in corpus.docs if d.kind == "edited"]
    assert edited
    for d in edited:
        o = originals[d.story]
        outlet = outlets[d.outlet]
        body = "\n".join(d.paragraphs)
        assert sorted(d.origin) == list(range(len(o.paragraphs)))
        assert list(d.origin) != list(range(len(o.paragraphs)))  # two paragraphs swapped
        if outlet.quotes == "straight":
            assert not re.search("[“”‘’]", body)
        if outlet.expand_abbreviations:
            assert not re.search(r"\b(US|UK|Mr|Dr)\b(?!\$)", body)
            assert "United States" in body
        if outlet.spelling == "american":
            assert "organiz" in body and "organis" not in body
        if outlet.dash != "en":
            assert " – " not in body


def test_noisy_copies_are_damaged(corpus: Any) -> None:
    originals = originals_by_story(corpus.docs)
    noisy = [d for d in corpus.docs if d.kind == "noisy"]
    assert noisy
    for d in noisy:
        o = originals[d.story]
        assert d.paragraphs != o.paragraphs
        assert d.codec in ("cp1252", "latin-1")  # mojibake=1.0 in ALL_ON
        assert "Ã" in d.text or "â" in d.text or "Â" in d.text
    # The whole page, furniture included, went through the mis-decoding: every block is repaired
    # by the inverse (text -> bytes via the codec -> UTF-8), and some furniture changes doing so.
    inverse_cp1252: dict[str, int] = {}
    for byte in range(256):
        try:
            inverse_cp1252[bytes([byte]).decode("cp1252")] = byte
        except UnicodeDecodeError:
            inverse_cp1252[chr(byte)] = byte  # bytes cp1252 leaves undefined were read as latin-1

    def repair(text: str, codec: str) -> str:
        if codec == "latin-1":
            return text.encode("latin-1").decode("utf-8")
        return bytes(inverse_cp1252[ch] for ch in text).decode("utf-8")

    changed_furniture = 0
    for d in noisy:
        for block in d.blocks:
            fixed = repair(block.text, d.codec)
            changed_furniture += block.furniture and fixed != block.text
    assert changed_furniture > 0


# --------------------------------------------------------------------------- outlets, furniture, urls


def test_every_document_carries_its_outlets_furniture(corpus: Any) -> None:
    outlets = {o.key: o for o in gen.OUTLETS}
    for d in corpus.docs:
        assert any(b.furniture for b in d.blocks)
        assert d.text.split("\n\n") == [b.text for b in d.blocks]
        if d.url is not None:
            host = urlsplit(d.url).hostname or ""
            assert host.removeprefix("www.") == outlets[d.outlet].domain
            assert d.source == outlets[d.outlet].domain


def test_furniture_is_shared_across_unrelated_articles_of_an_outlet(base_dir: Path) -> None:
    docs = gen.build_corpus(base_dir, 70, 3).docs
    clusters_with: dict[tuple[str, str], set[str]] = defaultdict(set)
    outlets_with: dict[str, set[str]] = defaultdict(set)
    for d in docs:
        if d.codec is not None:
            continue
        for block in d.furniture:
            for line in block.split("\n"):
                clusters_with[(d.outlet, line)].add(d.cluster)
                outlets_with[line].add(d.outlet)
    by_outlet = Counter(d.outlet for d in docs)
    checked = 0
    for outlet, n in sorted(by_outlet.items()):
        if n < 6:
            continue
        checked += 1
        shared = [line for (o, line), cl in clusters_with.items() if o == outlet and len(cl) >= 3]
        assert shared, f"no furniture line of {outlet} recurs across stories"
        # Some of it is the outlet's own, printed by no other outlet.
        assert any(outlets_with[line] == {outlet} for line in shared)
    assert checked >= 3
    # Trending blocks: headlines from the outlet's pool recur on pages of different stories.
    wire_titles = [gen.wire_text(a)[0] for a in gen.load_base(base_dir)[0]]
    titles = {gen.restyle(t, o) for t in wire_titles for o in gen.OUTLETS}  # each outlet styles its list
    recurring = [
        (o, line) for (o, line), cl in clusters_with.items()
        if re.sub(r"^(?:\d+[.)] |• |– )", "", line) in titles and len(cl) >= 2
    ]
    assert recurring


def test_documents_without_url_and_without_source_exist(corpus: Any) -> None:
    no_url = [d for d in corpus.docs if d.url is None]
    assert no_url
    assert any(d.source is None for d in no_url)
    assert all(d.source is not None for d in corpus.docs if d.url is not None)
    rows = [d.doc_row() for d in no_url]
    assert all("url" not in r for r in rows)


def test_ids_do_not_reveal_clusters(corpus: Any) -> None:
    # Consecutive ids never share a cluster, and the cluster ids are not derived from doc ids.
    docs = corpus.docs
    assert all(a.cluster != b.cluster for a, b in zip(docs, docs[1:]))
    clusters_in_id_order = [d.cluster for d in docs]
    assert clusters_in_id_order != sorted(clusters_in_id_order)
    assert all(re.fullmatch(r"d\d{6}", d.id) for d in docs)


# --------------------------------------------------------------------------- text transforms


def test_text_transforms() -> None:
    assert gen.convert_spelling("Colour, centre and Labour", "american") == "Color, center and Labour"
    assert gen.convert_spelling("the favorite program", "british") == "the favourite program"
    assert gen.expand_abbreviations("Mr Smith went to the US") == "Mister Smith went to the United States"
    assert gen.curl_quotes("\"Yes,\" he said. 'No.'") == "“Yes,” he said. ‘No.’"
    assert gen.straighten_quotes("“It’s”") == "\"It's\""
    assert gen.mojibake("é", "latin-1") == "Ã©"
    with pytest.raises(ValueError):
        gen.mojibake("x", "utf-16")


def test_ocr_noise_rate() -> None:
    rng = random.Random(0)
    text = "modern clear rainfall in the valley " * 400
    noisy = gen.ocr_noise(text, 0.02, rng)
    assert noisy != text
    changed = sum(a != b for a, b in zip(text, noisy)) / len(text)
    assert 0.005 < changed  # a misalignment after the first edit makes this a loose lower bound
    assert abs(len(noisy) - len(text)) < 0.03 * len(text)
    assert gen.ocr_noise(text, 0.0, rng) == text


def test_module_doctests() -> None:
    result = doctest.testmod(gen)
    assert result.attempted > 0 and result.failed == 0
