"""Tests of dedupe.readers: every input form, and every kind of bad input.

Each bad input must become a :class:`dedupe.Rejected` with its reason code and
an origin naming the file (or ``file:line``), the rest of the input must still
be read, and through the CLI it must give one stderr line naming the file and
one row in ``rejected.jsonl``, with the run's accounting intact.
"""

from __future__ import annotations

import codecs
import gc
import gzip
import io
import json
import os
import signal
import sys
import warnings
from pathlib import Path

import pytest

import dedupe
from dedupe import Document, InputError, Limits, Rejected, read_inputs
from dedupe.cli import main
from dedupe.errors import DocumentError
from dedupe.records import REASONS
from dedupe.readers import decode_bytes, decode_document, input_kind

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
GOOD_TEXT = "Russian military instructors arrived in Niger with an air defence system, state media said.\n"


def jsonl(path: Path, *rows: object) -> Path:
    """Write rows (dicts are dumped, strings written as they are) one per line."""
    lines = [r if isinstance(r, str) else json.dumps(r) for r in rows]
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def read_all(*inputs: Path | str, limits: Limits | None = None) -> tuple[list[Document], list[Rejected]]:
    items = list(read_inputs([str(i) for i in inputs], limits))
    return [i for i in items if isinstance(i, Document)], [i for i in items if isinstance(i, Rejected)]


def only_rejection(rejected: list[Rejected]) -> Rejected:
    assert len(rejected) == 1, rejected
    assert rejected[0].reason in REASONS
    return rejected[0]


def run_cli(capsys: pytest.CaptureFixture[str], inp: Path | str, out: Path) -> tuple[int, str, list[dict], dict]:
    """``dedupe run INPUT -o OUT``: exit code, stderr, rejected.jsonl rows, summary.json."""
    code = main(["run", str(inp), "-o", str(out), "--workers", "1"])
    err = capsys.readouterr().err
    rows = [json.loads(line) for line in (out / "rejected.jsonl").read_text(encoding="utf-8").splitlines()]
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    return code, err, rows, summary


def assert_reported(capsys: pytest.CaptureFixture[str], inp: Path, out: Path, reason: str, where: str) -> None:
    """Through the CLI: exit 0, one stderr line naming ``where`` and the reason, one rejected row, accounting."""
    code, err, rows, summary = run_cli(capsys, inp, out)
    assert code == 0, err
    lines = [line for line in err.splitlines() if f"[{reason}]" in line]
    assert len(lines) == 1, err
    assert where in lines[0]
    assert [r["reason"] for r in rows] == [reason]
    assert where in rows[0]["origin"]
    assert set(rows[0]) == {"id", "reason", "origin", "message"} and rows[0]["message"]
    counts = summary["counts"]
    assert counts["rejected"] == 1
    assert counts["read"] == counts["canonical"] + counts["duplicates"] + counts["rejected"]
    assert counts["accounted"] is True


# --------------------------------------------------------------------------- input forms


def test_directory_ids_are_relative_posix_paths_sorted_and_other_files_ignored(tmp_path: Path) -> None:
    (tmp_path / "b" / "c").mkdir(parents=True)
    (tmp_path / "z.txt").write_text(GOOD_TEXT, encoding="utf-8")
    (tmp_path / "b" / "c" / "a.TXT").write_text(GOOD_TEXT, encoding="utf-8")
    (tmp_path / "b" / "page.htm").write_text("<html><body><p>x</p></body></html>", encoding="utf-8")
    (tmp_path / "b" / "other.HTML").write_text("<html><body><p>y</p></body></html>", encoding="utf-8")
    (tmp_path / "notes.md").write_text(GOOD_TEXT, encoding="utf-8")
    (tmp_path / "data.json").write_text("{}", encoding="utf-8")
    docs, rejected = read_all(tmp_path)
    assert rejected == []
    # Top-down, names sorted in each directory: a directory's files, then its subdirectories.
    assert [d.id for d in docs] == ["z.txt", "b/other.HTML", "b/page.htm", "b/c/a.TXT"]
    assert [d.html is not None for d in docs] == [False, True, True, False]
    assert docs[0].text == GOOD_TEXT and docs[0].origin == str(tmp_path / "z.txt")


def test_seeds_directory_reads_five_text_documents() -> None:
    docs, rejected = read_all(SEEDS)
    assert rejected == []
    assert len(docs) == 5 and all(d.text and d.id.endswith(".txt") for d in docs)


def test_single_text_file_id_is_the_path_as_given(tmp_path: Path) -> None:
    path = tmp_path / "one.txt"
    path.write_text(GOOD_TEXT, encoding="utf-8")
    docs, rejected = read_all(path)
    assert rejected == [] and [d.id for d in docs] == [str(path)]


def test_jsonl_fields_integer_id_and_default_id(tmp_path: Path) -> None:
    path = jsonl(
        tmp_path / "in.jsonl",
        {"id": "a", "text": GOOD_TEXT, "url": "https://www.example.com/x", "title": "T", "published": "2024-04-12",
         "meta": {"k": 1}},
        {"id": 7, "html": "<p>hello</p>"},
        {"text": GOOD_TEXT},
        "",
    )
    docs, rejected = read_all(path)
    assert rejected == []
    assert [d.id for d in docs] == ["a", "7", f"{path}:3"]
    assert docs[0].url == "https://www.example.com/x" and docs[0].outlet == "example.com"
    assert docs[0].meta == {"k": 1} and docs[0].origin == f"{path}:1"
    assert docs[1].html == "<p>hello</p>" and docs[1].text is None


def test_jsonl_gz_and_zst_are_decompressed(tmp_path: Path) -> None:
    rows = "".join(json.dumps({"id": f"d{i}", "text": GOOD_TEXT}) + "\n" for i in range(3)).encode()
    gz = tmp_path / "in.jsonl.gz"
    gz.write_bytes(gzip.compress(rows))
    docs, rejected = read_all(gz)
    assert rejected == [] and [d.id for d in docs] == ["d0", "d1", "d2"]
    zstandard = pytest.importorskip("zstandard")
    zst = tmp_path / "in.jsonl.zst"
    cctx = zstandard.ZstdCompressor()
    zst.write_bytes(cctx.compress(rows[: len(rows) // 3 + 1]) + cctx.compress(rows[len(rows) // 3 + 1:]))  # two frames
    docs, rejected = read_all(zst)
    assert rejected == [] and [d.id for d in docs] == ["d0", "d1", "d2"]


def test_stdin_jsonl(monkeypatch: pytest.MonkeyPatch) -> None:
    data = (json.dumps({"id": "s1", "text": GOOD_TEXT}) + "\n{broken\n").encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    docs, rejected = read_all("-")
    assert [d.id for d in docs] == ["s1"] and docs[0].origin == "<stdin>:1"
    bad = only_rejection(rejected)
    assert bad.reason == "malformed-json" and bad.origin == "<stdin>:2"
    assert not sys.stdin.closed


def test_unknown_format_and_missing_path_raise_input_error(tmp_path: Path) -> None:
    csv = tmp_path / "in.csv"
    csv.write_text("a,b\n", encoding="utf-8")
    with pytest.raises(InputError, match="unknown input format"):
        input_kind(str(csv))
    with pytest.raises(InputError, match="no such file"):
        list(read_inputs([str(tmp_path / "nope")]))


def test_utf8_bom_on_first_jsonl_line_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.jsonl"
    path.write_bytes(codecs.BOM_UTF8 + (json.dumps({"id": "a", "text": GOOD_TEXT}) + "\n").encode())
    docs, rejected = read_all(path)
    assert rejected == [] and [d.id for d in docs] == ["a"]


def test_jsonl_files_are_closed(tmp_path: Path) -> None:
    path = jsonl(tmp_path / "in.jsonl", {"id": "a", "text": GOOD_TEXT})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        read_all(path)
        gc.collect()
    assert not [w for w in caught if issubclass(w.category, ResourceWarning)]


# --------------------------------------------------------------------------- decoding


def test_utf16_with_bom_is_decoded(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "in" / "u16.txt"
    path.parent.mkdir()
    path.write_bytes(GOOD_TEXT.replace("Niger", "Niger’s").encode("utf-16"))
    docs, rejected = read_all(path.parent)
    assert rejected == [] and docs[0].text == GOOD_TEXT.replace("Niger", "Niger’s")
    code, err, rows, _ = run_cli(capsys, path.parent, tmp_path / "out")
    assert code == 0 and rows == [] and "skipped" not in err


def test_decode_bytes_boms_and_html_meta_charset() -> None:
    assert decode_bytes(codecs.BOM_UTF8 + "café".encode()) == "café"
    assert decode_bytes("café".encode("utf-32")) == "café"
    html = '<html><head><meta charset="iso-8859-1"></head><body>café</body></html>'.encode("latin-1")
    assert "café" in decode_bytes(html, html=True)


def test_decode_bytes_raises_a_public_error_with_the_reason_code() -> None:
    """What cannot be decoded raises ``dedupe.errors.DocumentError`` (a ``DedupeError``), whose
    ``reason`` is a code of ``REASONS``, the one the readers write to ``rejected.jsonl``."""
    with pytest.raises(DocumentError) as caught:
        decode_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    assert isinstance(caught.value, dedupe.DedupeError) and isinstance(caught.value, ValueError)
    assert caught.value.reason == "binary" and caught.value.reason in REASONS
    assert "PNG" in str(caught.value)
    with pytest.raises(DocumentError, match="byte-order mark") as caught:
        decode_bytes(codecs.BOM_UTF16_LE + b"\x00\xd8")
    assert caught.value.reason == "encoding"


# --------------------------------------------------------------------------- bad inputs


def test_unreadable_file_is_rejected(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # A dangling symlink cannot be read whatever the user's permissions (tests may run as root).
    inp = tmp_path / "in"
    inp.mkdir()
    (inp / "ok.txt").write_text(GOOD_TEXT, encoding="utf-8")
    (inp / "gone.txt").symlink_to(tmp_path / "missing.txt")
    docs, rejected = read_all(inp)
    bad = only_rejection(rejected)
    assert bad.reason == "unreadable" and bad.id == "gone.txt" and bad.origin == str(inp / "gone.txt")
    assert [d.id for d in docs] == ["ok.txt"]
    assert_reported(capsys, inp, tmp_path / "out", "unreadable", str(inp / "gone.txt"))


def test_latin1_and_cp1252_files_are_read_and_the_fallback_recorded(tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    inp = tmp_path / "in"
    inp.mkdir()
    (inp / "ok.txt").write_text(GOOD_TEXT, encoding="utf-8")
    latin = "Le café est fermé à Niamey, où les troupes sont arrivées mercredi.\n"
    cp1252 = "Niger’s junta – “a new partnership” – said €5 million was paid.\n"
    (inp / "latin.txt").write_bytes(latin.encode("latin-1"))
    (inp / "win.txt").write_bytes(cp1252.encode("cp1252"))
    docs, rejected = read_all(inp)
    assert rejected == []
    by_id = {d.id: d for d in docs}
    assert by_id["latin.txt"].text == latin and by_id["win.txt"].text == cp1252
    assert by_id["latin.txt"].meta == {"input_encoding": "cp1252"} == by_id["win.txt"].meta
    assert by_id["ok.txt"].meta == {}  # UTF-8 is not recorded
    code, _, rows, summary = run_cli(capsys, inp, tmp_path / "out")
    assert code == 0 and rows == []
    assert summary["counts"]["decoded_by_encoding"] == {"cp1252": 2}
    canonical = [json.loads(line) for line in (tmp_path / "out" / "canonical.jsonl").read_text("utf-8").splitlines()]
    assert {d["id"]: d.get("meta") for d in canonical}["latin.txt"] == {"input_encoding": "cp1252"}


def test_bytes_cp1252_leaves_undefined_decode_as_latin1() -> None:
    prose = b"The five bytes cp1252 leaves undefined still decode, one to one, inside ordinary prose: "
    text, encoding = decode_document(prose + b"\x81 \x8d \x8f \x90 \x9d \x93q\x94")
    assert encoding == "cp1252" and text == prose.decode() + "\x81 \x8d \x8f \x90 \x9d \u201cq\u201d"


def test_mostly_control_characters_are_binary_not_cp1252() -> None:
    with pytest.raises(Exception) as exc:
        decode_document(bytes(range(1, 32)) * 20 + b"\xff")
    assert getattr(exc.value, "reason", None) == "binary" and "control characters" in str(exc.value)


def test_invalid_utf16_after_its_bom_is_rejected_as_encoding(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    inp = tmp_path / "in"
    inp.mkdir()
    (inp / "ok.txt").write_text(GOOD_TEXT, encoding="utf-8")
    (inp / "u16.txt").write_bytes(codecs.BOM_UTF16_LE + "ok".encode("utf-16-le") + b"\x00\xd8")  # lone surrogate
    _, rejected = read_all(inp)
    bad = only_rejection(rejected)
    assert bad.reason == "encoding" and "utf-16" in bad.message and bad.origin == str(inp / "u16.txt")
    assert_reported(capsys, inp, tmp_path / "out", "encoding", str(inp / "u16.txt"))


def test_invalid_utf8_in_jsonl_line_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_bytes(json.dumps({"id": "a", "text": GOOD_TEXT}).encode() + b"\n" + b'{"id": "b", "text": "caf\xe9"}\n')
    docs, rejected = read_all(path)
    bad = only_rejection(rejected)
    assert bad.reason == "encoding" and bad.origin == f"{path}:2"
    assert [d.id for d in docs] == ["a"]


def test_unpaired_surrogate_in_jsonl_is_rejected_as_encoding(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # json.loads accepts "\ud800", but the text could never be written out as UTF-8.
    path = jsonl(tmp_path / "in.jsonl", {"id": "a", "text": GOOD_TEXT}, '{"id": "b", "text": "bad \\ud800 text here"}',
                 '{"id": "c", "text": "a pair \\ud83d\\ude00 is fine"}')
    docs, rejected = read_all(path)
    bad = only_rejection(rejected)
    assert bad.reason == "encoding" and bad.id == "b" and bad.origin == f"{path}:2" and "ud800" in bad.message
    assert [d.id for d in docs] == ["a", "c"] and "\U0001f600" in (docs[1].text or "")
    # dedup does not clean, so the surrogate used to reach the writer and crash the run.
    assert main(["dedup", str(path), "-o", str(tmp_path / "out"), "--workers", "1"]) == 0
    assert f"{path}:2" in capsys.readouterr().err


def test_binary_file_is_rejected(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inp = tmp_path / "in"
    inp.mkdir()
    (inp / "ok.txt").write_text(GOOD_TEXT, encoding="utf-8")
    (inp / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")
    _, rejected = read_all(inp)
    bad = only_rejection(rejected)
    assert bad.reason == "binary" and bad.id == "image.txt"
    assert_reported(capsys, inp, tmp_path / "out", "binary", str(inp / "image.txt"))


def test_empty_document_is_rejected(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inp = tmp_path / "in"
    inp.mkdir()
    (inp / "ok.txt").write_text(GOOD_TEXT, encoding="utf-8")
    (inp / "blank.txt").write_text(" \n\t\n", encoding="utf-8")
    _, rejected = read_all(inp)
    assert only_rejection(rejected).reason == "empty"
    assert_reported(capsys, inp, tmp_path / "out", "empty", str(inp / "blank.txt"))


def test_empty_jsonl_text_is_rejected(tmp_path: Path) -> None:
    path = jsonl(tmp_path / "in.jsonl", {"id": "a", "text": "   "})
    _, rejected = read_all(path)
    bad = only_rejection(rejected)
    assert bad.reason == "empty" and bad.id == "a" and bad.origin == f"{path}:1"


def test_malformed_jsonl_line_is_rejected(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = jsonl(tmp_path / "in.jsonl", {"id": "a", "text": GOOD_TEXT}, '{"id": "b", "text": ', {"id": "c", "text": GOOD_TEXT + "!"})
    docs, rejected = read_all(path)
    bad = only_rejection(rejected)
    assert bad.reason == "malformed-json" and bad.origin == f"{path}:2" and "column" in bad.message
    assert [d.id for d in docs] == ["a", "c"]
    assert_reported(capsys, path, tmp_path / "out", "malformed-json", f"{path}:2")


def test_jsonl_line_that_is_not_an_object_is_rejected(tmp_path: Path) -> None:
    path = jsonl(tmp_path / "in.jsonl", "[1, 2]", '"text"')
    _, rejected = read_all(path)
    assert [(r.reason, r.origin) for r in rejected] == [("malformed-json", f"{path}:1"), ("malformed-json", f"{path}:2")]
    assert "expected a JSON object, got list" in rejected[0].message


@pytest.mark.parametrize(
    "row, field",
    [
        ({"id": "x", "text": 5}, "'text'"),
        ({"id": "x", "html": ["<p>"]}, "'html'"),
        ({"id": ["x"], "text": GOOD_TEXT}, "'id'"),
        ({"id": True, "text": GOOD_TEXT}, "'id'"),
        ({"id": "x", "text": GOOD_TEXT, "title": 3}, "'title'"),
        ({"id": "x", "text": GOOD_TEXT, "url": {"a": 1}}, "'url'"),
        ({"id": "x", "text": GOOD_TEXT, "meta": "m"}, "'meta'"),
        ({"id": "", "text": GOOD_TEXT}, "'id'"),
    ],
)
def test_wrong_field_type_is_rejected(tmp_path: Path, row: dict, field: str) -> None:
    path = jsonl(tmp_path / "in.jsonl", {"id": "ok", "text": GOOD_TEXT}, row)
    docs, rejected = read_all(path)
    bad = only_rejection(rejected)
    assert bad.reason == "bad-field" and field in bad.message and bad.origin == f"{path}:2"
    assert [d.id for d in docs] == ["ok"]


def test_wrong_field_type_through_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = jsonl(tmp_path / "in.jsonl", {"id": "ok", "text": GOOD_TEXT}, {"id": "x", "text": 5})
    assert_reported(capsys, path, tmp_path / "out", "bad-field", f"{path}:2")


def test_missing_text_is_rejected(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = jsonl(tmp_path / "in.jsonl", {"id": "ok", "text": GOOD_TEXT}, {"id": "x", "title": "no body"})
    _, rejected = read_all(path)
    bad = only_rejection(rejected)
    assert bad.reason == "bad-field" and bad.id == "x" and "neither 'text' nor 'html'" in bad.message
    assert_reported(capsys, path, tmp_path / "out", "bad-field", f"{path}:2")


def test_duplicate_id_in_jsonl_is_rejected(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = jsonl(tmp_path / "in.jsonl", {"id": "a", "text": GOOD_TEXT}, {"id": "b", "text": GOOD_TEXT + " b"},
                 {"id": "a", "text": "Another text altogether, about something else."})
    docs, rejected = read_all(path)
    bad = only_rejection(rejected)
    assert bad.reason == "duplicate-id" and bad.id == "a" and bad.origin == f"{path}:3"
    assert f"{path}:1" in bad.message  # names the first use
    assert [d.id for d in docs] == ["a", "b"] and docs[0].text == GOOD_TEXT
    assert_reported(capsys, path, tmp_path / "out", "duplicate-id", f"{path}:3")


def test_duplicate_id_across_two_directories(tmp_path: Path) -> None:
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "story.txt").write_text(GOOD_TEXT, encoding="utf-8")
    docs, rejected = read_all(tmp_path / "one", tmp_path / "two")
    bad = only_rejection(rejected)
    assert bad.reason == "duplicate-id" and bad.origin == str(tmp_path / "two" / "story.txt")
    assert str(tmp_path / "one" / "story.txt") in bad.message
    assert [d.origin for d in docs] == [str(tmp_path / "one" / "story.txt")]


def test_truncated_gzip_keeps_earlier_lines_and_names_the_line(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    rows = [json.dumps({"id": f"d{i:03d}", "text": f"Story {i}: " + GOOD_TEXT}) + "\n" for i in range(400)]
    data = gzip.compress("".join(rows).encode())
    path = tmp_path / "in.jsonl.gz"
    path.write_bytes(data[: len(data) // 2])
    docs, rejected = read_all(path)
    bad = only_rejection(rejected)
    assert bad.reason == "truncated" and "rest of the file is skipped" in bad.message
    # The lines before the damage are kept (not thrown away with the buffer they were in).
    assert len(docs) > 50
    assert [d.id for d in docs] == [f"d{i:03d}" for i in range(len(docs))]
    assert bad.origin == f"{path}:{len(docs) + 1}"
    assert_reported(capsys, path, tmp_path / "out", "truncated", f"{path}:{len(docs) + 1}")


def test_truncated_zstd_is_rejected_not_silently_short(tmp_path: Path) -> None:
    zstandard = pytest.importorskip("zstandard")
    rows = "".join(json.dumps({"id": f"d{i}", "text": f"Story {i}: " + GOOD_TEXT}) + "\n" for i in range(50))
    data = zstandard.ZstdCompressor().compress(rows.encode())
    path = tmp_path / "in.jsonl.zst"
    path.write_bytes(data[: len(data) * 2 // 3])
    docs, rejected = read_all(path)
    bad = only_rejection(rejected)
    assert bad.reason == "truncated" and bad.origin == f"{path}:{len(docs) + 1}"


def test_damaged_gzip_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl.gz"
    path.write_bytes(b"this is not gzip at all\n")
    docs, rejected = read_all(path)
    bad = only_rejection(rejected)
    assert docs == [] and bad.reason == "truncated" and bad.origin == f"{path}:1"


def test_symlink_loop_in_directory_does_not_hang(tmp_path: Path) -> None:
    inp = tmp_path / "in"
    (inp / "sub").mkdir(parents=True)
    (inp / "a.txt").write_text(GOOD_TEXT, encoding="utf-8")
    (inp / "sub" / "b.txt").write_text(GOOD_TEXT + " b", encoding="utf-8")
    (inp / "sub" / "back").symlink_to(inp, target_is_directory=True)  # in/sub/back -> in
    (inp / "self").symlink_to(inp / "self")  # a link to itself
    (inp / "x.txt").symlink_to(inp / "y.txt")  # x.txt -> y.txt -> x.txt
    (inp / "y.txt").symlink_to(inp / "x.txt")

    def timeout(signum: int, frame: object) -> None:
        raise TimeoutError("reading a directory with symlink loops did not finish")

    old = signal.signal(signal.SIGALRM, timeout)
    signal.alarm(20)
    try:
        docs, rejected = read_all(inp)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    assert [d.id for d in docs] == ["a.txt", "sub/b.txt"]
    assert sorted((r.id, r.reason) for r in rejected) == [("x.txt", "unreadable"), ("y.txt", "unreadable")]


def test_file_larger_than_max_doc_bytes_is_rejected(tmp_path: Path) -> None:
    inp = tmp_path / "in"
    inp.mkdir()
    (inp / "big.txt").write_text(GOOD_TEXT * 20, encoding="utf-8")
    (inp / "small.txt").write_text(GOOD_TEXT, encoding="utf-8")
    docs, rejected = read_all(inp, limits=Limits(max_doc_bytes=500))
    bad = only_rejection(rejected)
    assert bad.reason == "too-large" and bad.id == "big.txt" and "max_doc_bytes" in bad.message
    assert [d.id for d in docs] == ["small.txt"]


def test_jsonl_document_larger_than_max_doc_bytes_is_rejected(tmp_path: Path) -> None:
    path = jsonl(tmp_path / "in.jsonl", {"id": "big", "text": GOOD_TEXT * 20}, {"id": "small", "text": GOOD_TEXT})
    docs, rejected = read_all(path, limits=Limits(max_doc_bytes=500))
    bad = only_rejection(rejected)
    assert bad.reason == "too-large" and bad.id == "big" and bad.origin == f"{path}:1" and "max_doc_bytes" in bad.message
    assert [d.id for d in docs] == ["small"]


def test_jsonl_line_longer_than_max_line_bytes_is_rejected_and_skipped(tmp_path: Path) -> None:
    path = jsonl(tmp_path / "in.jsonl", {"id": "a", "text": GOOD_TEXT}, {"id": "long", "text": GOOD_TEXT * 50},
                 {"id": "c", "text": GOOD_TEXT + " c"})
    docs, rejected = read_all(path, limits=Limits(max_line_bytes=1000))
    bad = only_rejection(rejected)
    assert bad.reason == "too-large" and bad.origin == f"{path}:2" and "max_line_bytes" in bad.message
    assert [d.id for d in docs] == ["a", "c"] and docs[1].origin == f"{path}:3"


def test_truncation_inside_an_over_long_line_is_a_rejection_not_a_crash(tmp_path: Path) -> None:
    rows = [json.dumps({"id": "a", "text": GOOD_TEXT}), json.dumps({"id": "long", "text": os.urandom(300_000).hex()})]
    data = gzip.compress(("\n".join(rows) + "\n").encode())
    path = tmp_path / "in.jsonl.gz"
    path.write_bytes(data[: len(data) // 2])  # cut inside the long line
    docs, rejected = read_all(path, limits=Limits(max_line_bytes=1000))
    bad = only_rejection(rejected)
    assert bad.reason == "truncated" and bad.origin == f"{path}:2"
    assert [d.id for d in docs] == ["a"]


def test_decompressed_size_limit_stops_the_file(tmp_path: Path) -> None:
    rows = "".join(json.dumps({"id": f"d{i}", "text": GOOD_TEXT}) + "\n" for i in range(100))
    path = tmp_path / "bomb.jsonl.gz"
    path.write_bytes(gzip.compress(rows.encode()))
    docs, rejected = read_all(path, limits=Limits(max_decompressed_bytes=2000))
    bad = only_rejection(rejected)
    assert bad.reason == "too-large" and "max_decompressed_bytes" in bad.message
    assert bad.origin == f"{path}:{len(docs) + 1}" and len(docs) < 100


def test_every_input_is_accounted_for_in_a_mixed_run(tmp_path: Path) -> None:
    inp = tmp_path / "in"
    inp.mkdir()
    for seed in sorted(SEEDS.glob("*.txt")):
        (inp / seed.name).write_bytes(seed.read_bytes())
    (inp / "blank.txt").write_text("\n", encoding="utf-8")
    (inp / "bin.txt").write_bytes(b"\x00\x01\x02")
    path = jsonl(tmp_path / "more.jsonl", {"id": "j1", "text": GOOD_TEXT}, "{oops", {"id": "j1", "text": GOOD_TEXT})
    result = dedupe.run([str(inp), str(path)], dedupe.RunConfig(workers=1))
    assert result.read == 10
    assert sorted(r.reason for r in result.rejected) == ["binary", "duplicate-id", "empty", "malformed-json"]
    assert result.read == len(result.clusters) + result.duplicates + len(result.rejected)
