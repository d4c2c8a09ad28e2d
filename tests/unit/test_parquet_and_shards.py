"""Parquet input and output (pyarrow), folders of shards, field mapping, and the extraction fallback."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import sys
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import zstandard
from hypothesis import given
from hypothesis import strategies as st

from dedupe import ConfigError, Document, FieldMap, Limits, MissingDependencyError, Rejected, clean_html, read_inputs
from dedupe.clean._textwalk import walk_text
from dedupe.cli import main

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
TEXTS = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]


def read_all(*inputs: Path | str, limits: Limits | None = None,
             fields: FieldMap | None = None) -> tuple[list[Document], list[Rejected]]:
    items = list(read_inputs([str(i) for i in inputs], limits, fields))
    return [i for i in items if isinstance(i, Document)], [i for i in items if isinstance(i, Rejected)]


def rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main([*argv, "--workers", "1"])
    return code, capsys.readouterr().err


# --------------------------------------------------------------------------- Parquet input


def news_table(n: int = 10) -> pa.Table:
    """Rows named as Hugging Face datasets name them: doc_id, content, link; plus columns dedupe does not read."""
    return pa.table({
        "doc_id": pa.array(range(100, 100 + n), pa.int64()),
        "content": [TEXTS[i % len(TEXTS)] + f"\nRow {i} adds its own closing line." for i in range(n)],
        "link": [f"https://www.outlet{i}.example/story/{i}" for i in range(n)],
        "published": pa.array([dt.datetime(2024, 4, 12, 8, i) for i in range(n)], pa.timestamp("s")),
        "meta": pa.array([{"lang": "en", "fetched": dt.date(2024, 4, 13)} for _ in range(n)]),
        "embedding": [[0.5] * 8 for _ in range(n)],
    })


def test_parquet_with_several_row_groups_and_a_renamed_text_column(tmp_path: Path) -> None:
    path = tmp_path / "news.parquet"
    pq.write_table(news_table(10), path, row_group_size=3)
    assert pq.ParquetFile(path).num_row_groups == 4
    docs, rejected = read_all(path, fields=FieldMap(id="doc_id", text="content", url="link"))
    assert rejected == []
    assert [d.id for d in docs] == [str(i) for i in range(100, 110)]
    assert [d.origin for d in docs] == [f"{path}:{row}" for row in range(1, 11)]
    assert docs[4].text and docs[4].text.endswith("Row 4 adds its own closing line.")
    assert docs[4].url == "https://www.outlet4.example/story/4"
    assert docs[4].published == "2024-04-12T08:04:00"
    assert dict(docs[4].meta) == {"lang": "en", "fetched": "2024-04-13"}


def test_parquet_without_the_text_column_says_which_option_maps_it(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "news.parquet"
    pq.write_table(news_table(4), path)
    docs, rejected = read_all(path)
    assert docs == []
    assert [(r.reason, r.origin) for r in rejected] == [("bad-field", str(path))]
    assert "content" in rejected[0].message and "--text-field" in rejected[0].message
    code, err = cli(capsys, "run", str(path), "-o", str(tmp_path / "out"))
    assert code == 1 and "--text-field" in err
    # The same file with the columns mapped on the command line.
    code, err = cli(capsys, "run", str(path), "-o", str(tmp_path / "out"), "--id-field", "doc_id",
                    "--text-field", "content", "--url-field", "link")
    assert code == 0, err
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["counts"]["read"] == 4 and summary["counts"]["accounted"] is True
    assert summary["config"]["fields"] == {"id": "doc_id", "text": "content", "html": "html", "url": "link"}
    canonical = rows(tmp_path / "out" / "canonical.jsonl")
    assert {d["id"] for d in canonical} <= {"100", "101", "102", "103"}
    assert all(d["source"].startswith("outlet") for d in canonical)


def test_bad_parquet_rows_are_rejected_with_their_row(tmp_path: Path) -> None:
    path = tmp_path / "bad.parquet"
    table = pa.table({
        "id": ["a", None, "c", "d", "e"],
        "text": [TEXTS[0], TEXTS[1], None, "   ", TEXTS[2] * 40],
        "title": pa.array([None, None, None, None, None], pa.string()),
    })
    pq.write_table(table, path, row_group_size=2)
    docs, rejected = read_all(path, limits=Limits(max_doc_bytes=50_000))
    assert [d.id for d in docs] == ["a", f"{path}:2"]
    assert [(r.id, r.reason, r.origin) for r in rejected] == [
        ("c", "bad-field", f"{path}:3"), ("d", "empty", f"{path}:4"), ("e", "too-large", f"{path}:5")]


def test_wrong_column_types_are_bad_fields(tmp_path: Path) -> None:
    path = tmp_path / "types.parquet"
    pq.write_table(pa.table({"id": [1.5, 2.5], "text": [TEXTS[0], TEXTS[1]], "url": [1, 2]}), path)
    docs, rejected = read_all(path)
    assert docs == []
    assert [r.reason for r in rejected] == ["bad-field", "bad-field"]
    assert "'id' (the id) must be a string or integer, got float" in rejected[0].message


def test_damaged_parquet_files_are_rejected(tmp_path: Path) -> None:
    (tmp_path / "text.parquet").write_text("not parquet at all", encoding="utf-8")
    good = tmp_path / "good.parquet"
    pq.write_table(pa.table({"id": ["a", "b"], "text": TEXTS[:2]}), good)
    (tmp_path / "cut.parquet").write_bytes(good.read_bytes()[:-20])  # the footer is gone
    docs, rejected = read_all(tmp_path / "text.parquet", tmp_path / "cut.parquet", good)
    assert [d.id for d in docs] == ["a", "b"]
    assert [(r.reason, Path(r.origin).name) for r in rejected] == [("malformed-parquet", "text.parquet"),
                                                                  ("malformed-parquet", "cut.parquet")]


def test_a_row_group_that_cannot_be_decoded_is_one_row_and_the_next_group_is_read(tmp_path: Path) -> None:
    path = tmp_path / "groups.parquet"
    texts = [f"Story {i}. " + TEXTS[i % 5] for i in range(6)]
    pq.write_table(pa.table({"id": [f"d{i}" for i in range(6)], "text": texts}), path, row_group_size=2,
                   compression="snappy")
    column = pq.ParquetFile(path).metadata.row_group(1).column(1)
    data = bytearray(path.read_bytes())
    start = column.dictionary_page_offset or column.data_page_offset
    data[start:start + 50] = b"\xff" * 50  # the first page of the text of rows 3-4
    path.write_bytes(bytes(data))
    docs, rejected = read_all(path)
    assert [d.id for d in docs] == ["d0", "d1", "d4", "d5"]
    assert [(r.reason, r.origin) for r in rejected] == [("malformed-parquet", f"{path}:3")]
    assert "rows 3-4 are skipped" in rejected[0].message


def test_missing_pyarrow_names_the_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "news.parquet"
    pq.write_table(pa.table({"id": ["a"], "text": [TEXTS[0]]}), path)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)  # import fails as when it is not installed
    with pytest.raises(MissingDependencyError, match=r"pip install 'news-dedupe\[parquet\]'"):
        list(read_inputs([str(path)]))
    code, err = cli(capsys, "run", str(SEEDS), "-o", str(tmp_path / "out"), "--output-format", "parquet")
    assert code == 2 and "news-dedupe[parquet]" in err and not (tmp_path / "out").exists()


# --------------------------------------------------------------------------- field mapping in JSONL


def test_field_options_map_jsonl_keys(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps({"key": f"k{i}", "body": t, "text": "ignored", "page": f"https://a.example/{i}"})
                            + "\n" for i, t in enumerate(TEXTS)), encoding="utf-8")
    docs, rejected = read_all(path, fields=FieldMap(id="key", text="body", url="page"))
    assert rejected == [] and [d.id for d in docs] == [f"k{i}" for i in range(5)]
    assert [d.text for d in docs] == TEXTS and docs[0].url == "https://a.example/0"
    with pytest.raises(ConfigError, match="fields"):
        FieldMap(text="id")
    code, err = cli(capsys, "run", str(path), "-o", str(tmp_path / "out"), "--text-field", "id")
    assert code == 2 and "a different source field" in err


# --------------------------------------------------------------------------- folders of shards


def shard_rows() -> list[dict]:
    out = []
    for i, text in enumerate(TEXTS * 2):
        row = {"id": f"doc-{i}", "text": text if i < 5 else text.replace("Niger", "Niger (West Africa)")}
        if i % 3 == 0:
            row["url"] = f"https://www.outlet{i}.example/a"
        out.append(row)
    return out


def write_jsonl(path: Path, items: list[dict]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in items), encoding="utf-8")


def test_a_folder_of_shards_gives_the_output_of_the_same_documents_in_one_jsonl(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    items = shard_rows()
    folder = tmp_path / "shards"
    (folder / "later").mkdir(parents=True)
    # Sorted order: part-0000.jsonl.gz, part-0001.jsonl, part-0002.jsonl.zst, part-0003.parquet, later/...
    (folder / "part-0000.jsonl.gz").write_bytes(gzip.compress("".join(json.dumps(r) + "\n"
                                                                      for r in items[0:3]).encode()))
    write_jsonl(folder / "part-0001.jsonl", items[3:5])
    (folder / "part-0002.jsonl.zst").write_bytes(zstandard.ZstdCompressor().compress(
        "".join(json.dumps(r) + "\n" for r in items[5:7]).encode()))
    pq.write_table(pa.Table.from_pylist([{"id": r["id"], "text": r["text"], "url": r.get("url")}
                                         for r in items[7:9]]), folder / "part-0003.parquet", row_group_size=1)
    (folder / "later" / "note.txt").write_text(items[9]["text"], encoding="utf-8")
    (folder / "_SUCCESS").write_text("", encoding="utf-8")  # other files are left alone
    single = tmp_path / "all.jsonl"
    write_jsonl(single, items[:9] + [{"id": "later/note.txt", "text": items[9]["text"]}])

    code, err = cli(capsys, "run", str(folder), "-o", str(tmp_path / "a"))
    assert code == 0, err
    code, err = cli(capsys, "run", str(single), "-o", str(tmp_path / "b"))
    assert code == 0, err
    for name in ("canonical.jsonl", "clusters.jsonl", "rejected.jsonl"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    summary = json.loads((tmp_path / "a" / "summary.json").read_text(encoding="utf-8"))
    assert summary["counts"]["read"] == 10 and summary["counts"]["duplicates"] > 0


def test_records_without_an_id_inside_a_folder_are_named_by_their_relative_path(tmp_path: Path) -> None:
    folder = tmp_path / "f"
    (folder / "sub").mkdir(parents=True)
    write_jsonl(folder / "sub" / "part.jsonl", [{"text": TEXTS[0]}, {"id": "own", "text": TEXTS[1]},
                                                {"text": 7}])
    docs, rejected = read_all(folder)
    assert [d.id for d in docs] == ["sub/part.jsonl:1", "own"]
    assert docs[0].origin == f"{folder / 'sub' / 'part.jsonl'}:1"
    assert [(r.id, r.reason, r.origin) for r in rejected] == [
        ("sub/part.jsonl:3", "bad-field", f"{folder / 'sub' / 'part.jsonl'}:3")]


def test_a_folder_with_nothing_readable_lists_what_it_found(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "data"
    (folder / "deeper").mkdir(parents=True)
    for name in ("a.csv", "b.CSV", "deeper/c.csv", "d.json.gz", "README"):
        (folder / name).write_text("x", encoding="utf-8")
    code, err = cli(capsys, "run", str(folder), "-o", str(tmp_path / "out"))
    assert code == 1
    line = next(line for line in err.splitlines() if "no readable file" in line)
    assert f"{folder}: no readable file in this directory (found 3 .csv, 1 (no extension), 1 .json.gz)" in line
    assert ".jsonl.gz" in line and ".parquet" in line and ".warc.gz" in line


# --------------------------------------------------------------------------- --output-format parquet


def test_output_format_parquet_holds_what_the_jsonl_outputs_hold(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    code, _ = cli(capsys, "run", str(SEEDS), "-o", str(tmp_path / "j"), "--explain")
    assert code == 0
    code, _ = cli(capsys, "run", str(SEEDS), "-o", str(tmp_path / "p"), "--explain", "--output-format", "parquet")
    assert code == 0
    assert sorted(p.name for p in (tmp_path / "p").iterdir()) == ["canonical.parquet", "clusters.parquet",
                                                                  "rejected.jsonl", "summary.json"]
    canonical = pq.read_table(tmp_path / "p" / "canonical.parquet").to_pylist()
    for row in canonical:
        row["changes"] = json.loads(row["changes"])
        row.update(meta=json.loads(row["meta"])) if row["meta"] else row.pop("meta")
    expected = rows(tmp_path / "j" / "canonical.jsonl")
    assert [{k: v for k, v in r.items() if v is not None} for r in canonical] == expected
    clusters = pq.read_table(tmp_path / "p" / "clusters.parquet").to_pylist()
    expected = rows(tmp_path / "j" / "clusters.jsonl")
    for row, want in zip(clusters, expected):
        for link, want_link in zip(row["links"], want["links"]):
            assert link.pop("exact") == want_link.pop("exact", False)
        assert row == want
    assert len(clusters) == len(expected) == 3
    summary = json.loads((tmp_path / "p" / "summary.json").read_text(encoding="utf-8"))
    assert set(summary["outputs"]) == {"canonical.parquet", "clusters.parquet", "rejected.jsonl"}
    # Deterministic: the same run gives the same bytes; switching format replaces the other format's files.
    first = (tmp_path / "p" / "clusters.parquet").read_bytes()
    code, _ = cli(capsys, "run", str(SEEDS), "-o", str(tmp_path / "p"), "--explain", "--output-format", "parquet",
                  "--workers", "2")
    assert (tmp_path / "p" / "clusters.parquet").read_bytes() == first
    code, _ = cli(capsys, "run", str(SEEDS), "-o", str(tmp_path / "p"))
    assert sorted(p.name for p in (tmp_path / "p").iterdir()) == ["canonical.jsonl", "clusters.jsonl",
                                                                  "rejected.jsonl", "summary.json"]


def test_dedup_writes_parquet_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _ = cli(capsys, "dedup", str(SEEDS), "-o", str(tmp_path / "out"), "--output-format", "parquet")
    assert code == 0
    members = [m for row in pq.read_table(tmp_path / "out" / "clusters.parquet").to_pylist() for m in row["members"]]
    assert sorted(members) == sorted(p.name for p in SEEDS.glob("*.txt"))


# --------------------------------------------------------------------------- extraction fallback


def nested_page(depth: int, text: str) -> str:
    paras = "".join(f"<p>{line}</p>" for line in text.split("\n") if line.strip())
    return ("<html><head><title>Russian instructors arrive in Niger</title>"
            "<meta property='article:published_time' content='2024-04-12'></head><body>"
            "<nav><a href='/'>Home</a> <a href='/world'>World news</a></nav>"
            + "<div>" * depth + f"<article>{paras}</article>" + "</div>" * depth
            + "<footer>Copyright Example News</footer></body></html>")


def test_an_article_inside_20000_nested_divs_is_extracted_by_the_fallback(tmp_path: Path,
                                                                          capsys: pytest.CaptureFixture[str]) -> None:
    result = clean_html(nested_page(20_000, TEXTS[1]), url="https://www.example.com/a")
    assert result.extractor == "text-walk"
    body = [line for line in TEXTS[1].split("\n") if len(line.split()) > 12]
    assert sum(line in result.text for line in body) >= len(body) - 1 and body
    assert "World news" not in result.text and "Copyright" not in result.text
    assert result.published == "2024-04-12"
    # A shallow copy of the same page is served by trafilatura.
    assert clean_html(nested_page(3, TEXTS[1])).extractor == "trafilatura"
    # Through the CLI, the deep page and a text copy of the story end up in one cluster.
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "deep.html").write_text(nested_page(20_000, TEXTS[1]), encoding="utf-8")
    (folder / "plain.txt").write_text(TEXTS[1], encoding="utf-8")
    code, err = cli(capsys, "run", str(folder), "-o", str(tmp_path / "out"))
    assert code == 0, err
    clusters = rows(tmp_path / "out" / "clusters.jsonl")
    assert [sorted(c["members"]) for c in clusters] == [["deep.html", "plain.txt"]]
    code, err = cli(capsys, "clean", str(folder), "-o", str(tmp_path / "clean.jsonl"))
    assert code == 0, err
    cleaned = {d["id"]: d for d in rows(tmp_path / "clean.jsonl")}
    assert cleaned["deep.html"]["meta"]["extractor"] == "text-walk"
    assert "extractor" not in cleaned["plain.txt"].get("meta", {})


def test_a_page_with_no_text_is_still_rejected(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "menu.html").write_text("<html><body>" + "<div>" * 3000 + "<ul><li><a href='/a'>World</a></li>"
                                      "<li><a href='/b'>Sport</a></li></ul><script>var a = 'text';</script>"
                                      + "</div>" * 3000 + "</body></html>", encoding="utf-8")
    (folder / "ok.txt").write_text(TEXTS[0], encoding="utf-8")
    code, err = cli(capsys, "run", str(folder), "-o", str(tmp_path / "out"))
    assert code == 0
    assert [(r["id"], r["reason"]) for r in rows(tmp_path / "out" / "rejected.jsonl")] == [("menu.html", "html")]


_WORDS = st.text(alphabet="abcdefghij KLM", min_size=1, max_size=40).map(lambda s: " ".join(s.split())).filter(bool)


@given(st.integers(min_value=0, max_value=4000), st.lists(_WORDS, min_size=1, max_size=6),
       st.sampled_from(["div", "section", "span"]))
def test_walk_text_returns_every_paragraph_at_any_depth(depth: int, paragraphs: list[str], tag: str) -> None:
    page = (f"<html><head><title>t</title></head><body>" + f"<{tag}>" * depth
            + "".join(f"<p>{p}</p>" for p in paragraphs) + f"</{tag}>" * depth + "</body></html>")
    assert walk_text(page).split("\n") == paragraphs


def test_the_extractor_of_each_page_is_recorded() -> None:
    docs = [clean_html(nested_page(d, TEXTS[0])).extractor for d in (0, 20_000)]
    assert Counter(docs) == {"trafilatura": 1, "text-walk": 1}
