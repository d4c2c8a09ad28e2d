"""Bad input of every kind: each is read or rejected with a reason code and a one-line
message naming the file (or file:line), the run goes on, and one corpus holding
all of them is accounted for to the last item (read = canonical + duplicates + rejected).

Unreadable files are simulated without root-only tricks (tests may run as root,
where permissions do not stop a read): a FIFO named ``*.txt``, a symlink loop,
``open`` monkeypatched to raise PermissionError for one file, and ``os.scandir``
monkeypatched to raise PermissionError for one directory.
"""

from __future__ import annotations

import codecs
import gzip
import json
import os
import signal
import socket
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest

import dedupe.readers
from dedupe import Document, Limits, Rejected, read_inputs
from dedupe.cli import main
from dedupe.records import REASONS

STORY = ("Russian military instructors arrived in Niger on Wednesday with an air defence system, state media said. "
         "The junta ordered French troops out last year and has turned to Moscow for security support. ")
OTHER = ("The central bank left its main interest rate unchanged on Thursday, citing slowing inflation. "
         "Analysts had expected the pause after three increases earlier in the year. ")
ARTICLE = "<html><head><title>Niger</title></head><body><article>" + "".join(
    f"<p>{s}.</p>" for s in STORY.split(". ") if s.strip()) * 3 + "</article></body></html>"


def rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main([*argv, "--workers", "1"])
    return code, capsys.readouterr().err


def skipped_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("dedupe: skipped ")]


@contextmanager
def deadline(seconds: int) -> Iterator[None]:
    """Fail instead of hanging (a FIFO opened for reading blocks until a writer comes)."""
    def expired(signum: int, frame: object) -> None:
        raise TimeoutError(f"did not finish within {seconds} s")

    old = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def gzip_bomb(decompressed_mb: int) -> bytes:
    """A valid multi-member gzip of ``decompressed_mb`` MB of one endless line of zeros (~1 KB per MB)."""
    member = gzip.compress(b"0" * (1 << 20), compresslevel=9)
    return gzip.compress(b'{"id": "bomb", "text": "') + member * decompressed_mb


def deny_listing(monkeypatch: pytest.MonkeyPatch, directory: Path) -> None:
    real = os.scandir

    def scandir(path=".", *args, **kwargs):  # type: ignore[no-untyped-def]
        if os.fspath(path) == os.fspath(directory):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(os, "scandir", scandir)


def deny_open(monkeypatch: pytest.MonkeyPatch, target: Path) -> None:
    real = open

    def fake_open(file, *args, **kwargs):  # type: ignore[no-untyped-def]
        if os.fspath(file) == os.fspath(target):
            raise PermissionError(13, "Permission denied", os.fspath(file))
        return real(file, *args, **kwargs)

    monkeypatch.setattr(dedupe.readers, "open", fake_open, raising=False)


# --------------------------------------------------------------------------- the whole corpus


def test_a_corpus_with_every_bad_input_kind_is_fully_accounted_for(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    inp = tmp_path / "in"
    (inp / "locked").mkdir(parents=True)
    (inp / "locked" / "hidden.txt").write_text(STORY, encoding="utf-8")
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-7f3a9c", encoding="utf-8")
    files: dict[str, bytes] = {
        "ok.txt": STORY.encode(),
        "copy.txt": STORY.encode(),  # an exact copy: a duplicate
        "other.txt": OTHER.encode(),
        "page.html": ARTICLE.encode(),
        "latin1.txt": ("Le café est fermé à Niamey. " + OTHER).encode("latin-1"),
        "cp1252.txt": ("Niger’s junta – “a new partnership”. " + OTHER + " €5 million.").encode("cp1252"),
        "utf16.txt": ("Niger’s army. " + OTHER + " Again.").encode("utf-16"),
        "utf16-bad.txt": codecs.BOM_UTF16_LE + b"o\x00k\x00\x00\xd8",
        "late-nul.txt": STORY.encode() * 800 + b"\x00",
        "image.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        "zero.txt": b"",
        "spaces.txt": b" \n\t \r\n",
        "big.txt": STORY.encode() * 6000,  # 1.2 MB
        "nested.html": b"<html><body>" + b"<div>" * 20000 + STORY.encode() + b"</div>" * 20000 + b"</body></html>",
        "xxe.html": (f'<!DOCTYPE html [<!ENTITY xxe SYSTEM "file://{secret}">]>'
                     + ARTICLE.replace("<article>", "<article><p>&xxe;</p>")).encode(),
    }
    for name, data in files.items():
        (inp / name).write_bytes(data)
    os.mkfifo(inp / "fifo.txt")
    (inp / "loop.txt").symlink_to(inp / "loop.txt")
    (inp / "denied.txt").write_text(STORY, encoding="utf-8")
    deny_open(monkeypatch, inp / "denied.txt")
    deny_listing(monkeypatch, inp / "locked")

    lines = [
        json.dumps({"id": "j-ok", "text": OTHER + " Second copy with an extra sentence at its end."}),
        json.dumps({"id": "j-type", "text": 42}),
        json.dumps({"id": "j-notext", "title": "no body"}),
        json.dumps({"id": "ok.txt", "text": "An id already used by the directory."}),
        json.dumps({"id": "../../../etc/passwd", "text": "A story whose id looks like a path, kept as data."}),
        '{"id": "j-broken", "text": ',
        json.dumps({"id": "j-long", "text": STORY * 100}),
    ]
    jl = tmp_path / "more.jsonl"
    jl.write_bytes("\n".join(lines).encode() + b'\n{"id": "j-bad-utf8", "text": "caf\xe9"}\n{"id": "j-cut", "te')
    cut = tmp_path / "cut.jsonl.gz"
    packed = gzip.compress("".join(json.dumps({"id": f"g{i}", "text": f"Story {i}. " + OTHER}) + "\n"
                                   for i in range(300)).encode())
    cut.write_bytes(packed[: len(packed) // 2])
    bomb = tmp_path / "bomb.jsonl.gz"
    bomb.write_bytes(gzip_bomb(200))

    out = tmp_path / "out"
    with deadline(120):
        code, err = cli(capsys, "run", str(inp), str(jl), str(cut), str(bomb), "-o", str(out),
                        "--max-doc-bytes", "1M", "--max-line-bytes", "10k", "--max-decompressed-bytes", "8M")
    assert code == 0, err
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    counts = summary["counts"]
    rejected = rows(out / "rejected.jsonl")
    by_id = {r["id"]: r for r in rejected}
    expected = {
        "utf16-bad.txt": "encoding", "late-nul.txt": "binary", "image.txt": "binary", "zero.txt": "empty",
        "spaces.txt": "empty", "big.txt": "too-large", "fifo.txt": "unreadable",
        "loop.txt": "unreadable", "denied.txt": "unreadable", "locked/": "unreadable",
        "j-type": "bad-field", "j-notext": "bad-field", "ok.txt": "duplicate-id", f"{jl}:6": "malformed-json",
        f"{jl}:7": "too-large", "j-bad-utf8": "encoding", f"{jl}:9": "malformed-json",
        f"{bomb}:1": "too-large",
    }
    truncated = [r for r in rejected if r["reason"] == "truncated"]
    assert len(truncated) == 1 and truncated[0]["origin"].startswith(f"{cut}:")
    assert {i: r["reason"] for i, r in by_id.items() if r["reason"] != "truncated"} == expected
    gz_docs = int(truncated[0]["origin"].rsplit(":", 1)[1]) - 1
    assert gz_docs > 50  # the lines before the damage are kept
    # Every item is accounted for: 19 files/dirs, 9 JSONL lines, the gzip's lines and its damage, the bomb.
    assert counts["read"] == len(files) + 4 + 9 + gz_docs + 1 + 1
    assert counts["read"] == counts["canonical"] + counts["duplicates"] + counts["rejected"]
    assert counts["accounted"] is True and counts["rejected"] == len(rejected) == len(expected) + 1
    assert counts["rejected_by_reason"]["unreadable"] == 4
    assert counts["decoded_by_encoding"] == {"cp1252": 2, "utf-16": 1}
    # Accepted ids are exactly the cluster members; read and rejected partition the inputs.
    members = [m for c in rows(out / "clusters.jsonl") for m in c["members"]]
    assert len(members) == len(set(members)) == counts["cleaned"]
    assert {"ok.txt", "copy.txt", "page.html", "latin1.txt", "cp1252.txt", "utf16.txt", "xxe.html", "j-ok",
            "../../../etc/passwd"} <= set(members)
    assert any("copy.txt" in c["members"] and "ok.txt" in c["members"] for c in rows(out / "clusters.jsonl"))
    # The story inside 20,000 nested <div>s is read by the fallback extractor and found to be a copy of ok.txt.
    assert any({"nested.html", "ok.txt"} <= set(c["members"]) for c in rows(out / "clusters.jsonl"))
    # One stderr line per rejection, naming where and why.
    lines_out = skipped_lines(err)
    assert len(lines_out) == len(rejected)
    for r in rejected:
        assert sum(1 for line in lines_out if line.startswith(f"dedupe: skipped {r['origin']}: ")
                   and line.endswith(f"[{r['reason']}]")) >= 1, r
        assert r["reason"] in REASONS and r["message"]
    # The external entity was not resolved, and nothing was written outside the output directory.
    for path in out.iterdir():
        assert "SECRET-7f3a9c" not in path.read_text(encoding="utf-8")
    assert sorted(p.name for p in out.iterdir()) == ["canonical.jsonl", "clusters.jsonl", "rejected.jsonl",
                                                     "summary.json"]


# --------------------------------------------------------------------------- one kind at a time


def read_all(*inputs: Path | str, limits: Limits | None = None) -> tuple[list[Document], list[Rejected]]:
    items = list(read_inputs([str(i) for i in inputs], limits))
    return [i for i in items if isinstance(i, Document)], [i for i in items if isinstance(i, Rejected)]


def test_nul_byte_far_into_a_file_is_binary(tmp_path: Path) -> None:
    path = tmp_path / "late.txt"
    path.write_bytes(STORY.encode() * 2000 + b"\x00tail")  # the NUL is past the first 300 KB
    docs, rejected = read_all(path)
    assert docs == [] and [r.reason for r in rejected] == ["binary"]
    assert f"offset {len(STORY) * 2000}" in rejected[0].message


@pytest.mark.parametrize("header, what", [(b"GIF89a", "GIF image"), (b"%PDF-1.7\n", "PDF document"),
                                          (b"\xff\xd8\xff\xe0", "JPEG image"), (b"PK\x03\x04", "ZIP archive"),
                                          (b"BZh91AY&SY", "bzip2")])
def test_binary_formats_are_recognised_without_nul_bytes(tmp_path: Path, header: bytes, what: str) -> None:
    path = tmp_path / "picture.txt"
    path.write_bytes(header + bytes(range(1, 256)) * 4)
    _, rejected = read_all(path)
    assert [r.reason for r in rejected] == ["binary"] and what in rejected[0].message


def test_text_that_merely_starts_like_a_magic_number_is_text(tmp_path: Path) -> None:
    path = tmp_path / "bzh.txt"
    path.write_bytes(b"BZh, the band, played in Niamey on Wednesday. " + STORY.encode("cp1252"))
    docs, rejected = read_all(path)
    assert rejected == [] and (docs[0].text or "").startswith("BZh, the band")


def test_zero_byte_and_whitespace_files_are_empty(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inp = tmp_path / "in"
    inp.mkdir()
    (inp / "a.txt").write_text(STORY, encoding="utf-8")
    (inp / "zero.txt").write_bytes(b"")
    (inp / "ws.html").write_bytes("\u3000 \n\t\r\n".encode())
    code, err = cli(capsys, "run", str(inp), "-o", str(tmp_path / "out"))
    assert code == 0
    assert sorted((r["id"], r["reason"]) for r in rows(tmp_path / "out" / "rejected.jsonl")) == [
        ("ws.html", "empty"), ("zero.txt", "empty")]
    assert len(skipped_lines(err)) == 2


def test_a_50_mb_single_line_document_is_bounded_and_fast(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = ("word " * 10_000_000).encode()  # 50 MB, no newline
    inp = tmp_path / "in"
    inp.mkdir()
    (inp / "huge.txt").write_bytes(line)
    (inp / "ok.txt").write_text(STORY, encoding="utf-8")
    jl = tmp_path / "huge.jsonl"
    jl.write_bytes(b'{"id": "ok", "text": "' + STORY.encode() + b'"}\n{"id": "huge", "text": "' + line + b'"}\n')
    start = time.monotonic()
    code, err = cli(capsys, "run", str(inp), str(jl), "-o", str(tmp_path / "out"))
    assert code == 0
    assert time.monotonic() - start < 60
    assert [(r["id"], r["reason"], r["origin"]) for r in rows(tmp_path / "out" / "rejected.jsonl")] == [
        ("huge.txt", "too-large", str(inp / "huge.txt")), ("huge", "too-large", f"{jl}:2")]
    assert "max_doc_bytes" in err
    # With a higher limit it is read as one document (the limits are configuration, not constants).
    docs, rejected = read_all(inp / "huge.txt", limits=Limits(max_doc_bytes=60_000_000))
    assert rejected == [] and len(docs[0].text or "") == len(line)


def test_deeply_nested_and_malformed_html(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inp = tmp_path / "in"
    inp.mkdir()
    body = "".join(f"<p>{s}.</p>" for s in STORY.split(". ") if s.strip()) * 3
    (inp / "deep.html").write_text("<html><body>" + "<div><span>" * 50_000 + body + "</body></html>", encoding="utf-8")
    (inp / "broken.html").write_text(
        "<html><head><title>x</title><body><article><p>" + body.replace("</p>", "") + "<b><i></b></i><p class='x"
        "<table><tr><td>cell</table></td></div></div></span><script>var x = '<p>';", encoding="utf-8")
    (inp / "tagsoup.htm").write_text("<<<>>></></p><!-- unterminated comment <p>" + STORY, encoding="utf-8")
    (inp / "ok.txt").write_text(OTHER, encoding="utf-8")
    with deadline(120):
        code, err = cli(capsys, "run", str(inp), "-o", str(tmp_path / "out"))
    assert code == 0
    rejected = {r["id"]: r for r in rows(tmp_path / "out" / "rejected.jsonl")}
    members = {m for c in rows(tmp_path / "out" / "clusters.jsonl") for m in c["members"]}
    # Each page is either cleaned or rejected as html, with a message; none is lost, none crashes the run.
    for name in ("deep.html", "broken.html", "tagsoup.htm"):
        assert (name in members) != (name in rejected), name
        if name in rejected:
            assert rejected[name]["reason"] == "html" and str(inp / name) in err
    assert "broken.html" in members and "ok.txt" in members
    assert "deep.html" in members  # 50,000 levels deep: read by the fallback extractor (dedupe.clean._textwalk)
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["counts"]["read"] == 4 and summary["counts"]["accounted"] is True


@pytest.mark.parametrize("form", ["file", "jsonl"])
def test_external_entities_are_never_resolved(tmp_path: Path, capsys: pytest.CaptureFixture[str], form: str) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-91be2d", encoding="utf-8")
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    listener.setblocking(False)
    port = listener.getsockname()[1]
    doctype = (f'<?xml version="1.0"?><!DOCTYPE html [<!ENTITY file SYSTEM "file://{secret}">'
               f'<!ENTITY net SYSTEM "http://127.0.0.1:{port}/entity"><!ENTITY % dtd SYSTEM '
               f'"http://127.0.0.1:{port}/dtd"> %dtd;]>')
    page = doctype + ARTICLE.replace("<article>", "<article><p>&file; &net;</p>").replace(
        "</head>", f'<link rel="stylesheet" href="http://127.0.0.1:{port}/css"></head>')
    if form == "file":
        inp = tmp_path / "page.html"
        inp.write_text(page, encoding="utf-8")
    else:
        inp = tmp_path / "pages.jsonl"
        inp.write_text(json.dumps({"id": "p", "html": page, "url": f"http://127.0.0.1:{port}/page"}) + "\n",
                       encoding="utf-8")
    out = tmp_path / "out"
    try:
        code, _ = cli(capsys, "run", str(inp), "-o", str(out), "--explain")
        with pytest.raises(BlockingIOError):
            listener.accept()  # nobody connected
    finally:
        listener.close()
    assert code == 0
    canonical = rows(out / "canonical.jsonl")
    assert len(canonical) == 1 and "Russian military instructors" in canonical[0]["text"]
    for path in out.iterdir():
        assert "SECRET-91be2d" not in path.read_text(encoding="utf-8"), path.name


def test_truncated_last_jsonl_line_names_the_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "in.jsonl"
    good = "".join(json.dumps({"id": f"d{i}", "text": f"Story {i}. " + STORY}) + "\n" for i in range(3))
    path.write_text(good + '{"id": "d3", "text": "Story 3. Russian milit', encoding="utf-8")
    code, err = cli(capsys, "run", str(path), "-o", str(tmp_path / "out"))
    assert code == 0
    assert [(r["id"], r["reason"], r["origin"]) for r in rows(tmp_path / "out" / "rejected.jsonl")] == [
        (f"{path}:4", "malformed-json", f"{path}:4")]
    assert skipped_lines(err) == [
        f"dedupe: skipped {path}:4: malformed JSON at column 22: Unterminated string starting at [malformed-json]"]


@pytest.mark.parametrize("doc_id", ["../../escape", "/etc/passwd", "a/../../b", "..", "C:\\Windows\\x", "sub/dir/id",
                                    "~/x", "nul\u0000byte", "new\nline"])
def test_ids_that_look_like_paths_are_only_data(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                doc_id: str) -> None:
    work = tmp_path / "work"
    (work / "deep" / "er").mkdir(parents=True)
    jl = work / "deep" / "er" / "in.jsonl"
    jl.write_text(json.dumps({"id": doc_id, "text": STORY}) + "\n" + json.dumps({"id": doc_id, "text": OTHER}) + "\n",
                  encoding="utf-8")
    before = sorted(p for p in tmp_path.rglob("*"))
    out = work / "deep" / "er" / "out"
    code, err = cli(capsys, "run", str(jl), "-o", str(out))
    assert code == 0
    # Only the four outputs were created, whatever the id says.
    assert sorted(p for p in tmp_path.rglob("*")) == sorted(before + [out] + [out / n for n in (
        "canonical.jsonl", "clusters.jsonl", "rejected.jsonl", "summary.json")])
    assert [c["members"] for c in rows(out / "clusters.jsonl")] == [[doc_id]]
    assert [(r["id"], r["reason"]) for r in rows(out / "rejected.jsonl")] == [(doc_id, "duplicate-id")]
    assert len(skipped_lines(err)) == 1  # a newline in the id does not break the one-line message


def test_decompression_bomb_is_bounded(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bomb = tmp_path / "bomb.jsonl.gz"
    bomb.write_bytes(gzip_bomb(1000))  # 1 GB of zeros in ~1 MB
    assert bomb.stat().st_size < 2_000_000
    start = time.monotonic()
    items = list(read_inputs([str(bomb)], Limits(max_decompressed_bytes=20_000_000)))
    assert time.monotonic() - start < 20  # stopped at the limit, not after inflating the whole gigabyte
    assert [(i.reason, i.origin) for i in items] == [("too-large", f"{bomb}:1")]  # type: ignore[union-attr]
    assert "max_decompressed_bytes" in items[0].message  # type: ignore[union-attr]
    code, err = cli(capsys, "run", str(bomb), "-o", str(tmp_path / "out"), "--max-decompressed-bytes", "20M")
    assert code == 1 and "max_decompressed_bytes" in err  # nothing else to process: exit 1


def test_zstd_bomb_is_bounded(tmp_path: Path) -> None:
    zstandard = pytest.importorskip("zstandard")
    bomb = tmp_path / "bomb.jsonl.zst"
    cctx = zstandard.ZstdCompressor(level=3)
    frame = cctx.compress(b"0" * (64 << 20))
    bomb.write_bytes(cctx.compress(b'{"id": "z", "text": "') + frame * 16)  # 1 GB in ~40 KB
    items = list(read_inputs([str(bomb)], Limits(max_decompressed_bytes=50_000_000)))
    assert [(i.reason, i.origin) for i in items] == [("too-large", f"{bomb}:1")]  # type: ignore[union-attr]


def test_fifo_in_a_directory_is_rejected_without_blocking(tmp_path: Path) -> None:
    inp = tmp_path / "in"
    inp.mkdir()
    (inp / "a.txt").write_text(STORY, encoding="utf-8")
    os.mkfifo(inp / "pipe.txt")  # opening it for reading would wait for a writer forever
    with deadline(20):
        docs, rejected = read_all(inp)
    assert [d.id for d in docs] == ["a.txt"]
    assert [(r.id, r.reason, r.message) for r in rejected] == [("pipe.txt", "unreadable",
                                                                "not a regular file (a FIFO)")]


def test_permission_denied_file_is_rejected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    inp = tmp_path / "in"
    inp.mkdir()
    (inp / "a.txt").write_text(STORY, encoding="utf-8")
    (inp / "secret.txt").write_text(OTHER, encoding="utf-8")
    deny_open(monkeypatch, inp / "secret.txt")
    code, err = cli(capsys, "run", str(inp), "-o", str(tmp_path / "out"))
    assert code == 0
    assert skipped_lines(err) == [f"dedupe: skipped {inp / 'secret.txt'}: cannot read: Permission denied [unreadable]"]
    assert [(r["id"], r["reason"]) for r in rows(tmp_path / "out" / "rejected.jsonl")] == [("secret.txt", "unreadable")]


def test_unlistable_subdirectory_is_a_rejection_row(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    inp = tmp_path / "in"
    (inp / "b" / "locked").mkdir(parents=True)
    (inp / "a.txt").write_text(STORY, encoding="utf-8")
    (inp / "b" / "c.txt").write_text(OTHER, encoding="utf-8")
    (inp / "b" / "locked" / "d.txt").write_text(STORY + " More.", encoding="utf-8")
    deny_listing(monkeypatch, inp / "b" / "locked")
    code, err = cli(capsys, "run", str(inp), "-o", str(tmp_path / "out"))
    assert code == 0
    assert [(r["id"], r["reason"], r["origin"]) for r in rows(tmp_path / "out" / "rejected.jsonl")] == [
        ("b/locked/", "unreadable", str(inp / "b" / "locked"))]
    assert skipped_lines(err) == [f"dedupe: skipped {inp / 'b' / 'locked'}: cannot list directory: Permission denied; "
                                  "files below it are not read [unreadable]"]
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["counts"]["read"] == 3 and summary["counts"]["accounted"] is True
    # The input directory itself unlistable: one row, named by the path as given.
    deny_listing(monkeypatch, inp)
    _, rejected = read_all(inp)
    assert [(r.id, r.reason) for r in rejected] == [(str(inp), "unreadable")]


def test_file_names_that_are_not_utf8_or_hold_a_newline(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inp = tmp_path / "in"
    inp.mkdir()
    with open(os.path.join(os.fsencode(inp), b"caf\xe9.txt"), "wb") as fh:  # a latin-1 file name
        fh.write(STORY.encode())
    (inp / "two\nlines.txt").write_bytes(b"\x00")
    code, err = cli(capsys, "run", str(inp), "-o", str(tmp_path / "out"))
    assert code == 0, err
    assert [c["members"] for c in rows(tmp_path / "out" / "clusters.jsonl")] == [["caf\\xe9.txt"]]
    assert [r["id"] for r in rows(tmp_path / "out" / "rejected.jsonl")] == ["two\nlines.txt"]
    assert skipped_lines(err) == [f"dedupe: skipped {inp}/two\\nlines.txt: binary content (a NUL byte at offset 0), "
                                  "not text [binary]"]


def test_limits_on_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    jl = tmp_path / "in.jsonl"
    jl.write_text(json.dumps({"id": "a", "text": STORY}) + "\n" + json.dumps({"id": "b", "text": OTHER * 20}) + "\n",
                  encoding="utf-8")
    code, err = cli(capsys, "run", str(jl), "-o", str(tmp_path / "out"), "--max-doc-bytes", "1KiB")
    assert code == 0
    assert [(r["id"], r["reason"]) for r in rows(tmp_path / "out" / "rejected.jsonl")] == [("b", "too-large")]
    assert "exceeds the limit of 1024 (max_doc_bytes)" in err
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["config"]["limits"]["max_doc_bytes"] == 1024
    with pytest.raises(SystemExit) as exc:
        main(["run", str(jl), "-o", str(tmp_path / "o2"), "--max-line-bytes", "lots"])
    assert exc.value.code == 2 and "is not a size" in capsys.readouterr().err
    assert main(["run", str(jl), "-o", str(tmp_path / "o3"), "--max-doc-bytes", "0"]) == 2
    assert "max_doc_bytes=0 is out of range" in capsys.readouterr().err


def test_damaged_deflate_data_mid_file(tmp_path: Path) -> None:
    body = "".join(json.dumps({"id": f"d{i}", "text": f"story {i} " * 20}) + "\n" for i in range(300)).encode()
    packed = bytearray(gzip.compress(body))
    packed[len(packed) // 2] ^= 0xFF
    path = tmp_path / "in.jsonl.gz"
    path.write_bytes(bytes(packed))
    docs, rejected = read_all(path)
    assert docs and rejected and rejected[-1].origin.startswith(f"{path}:")
    # A flipped byte is reported by zlib (or, when it only garbles text, as a bad line); never an exception.
    assert {r.reason for r in rejected} <= {"truncated", "malformed-json", "encoding", "bad-field"}
