"""WARC input: real files written with warcio, read with FastWARC (dedupe.formats.warc).

HTML responses become documents; every other record is counted in
``summary.json``'s ``counts.skipped_records``; a file cut anywhere keeps the
records before the cut and gets one rejection row.
"""

from __future__ import annotations

import gzip
import io
import json
import sys
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from dedupe import Document, Limits, MissingDependencyError, Rejected, read_inputs
from dedupe.cli import main
from dedupe.records import REASONS

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
TEXTS = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]


def page(text: str, date: str | None = None) -> bytes:
    head = f'<meta property="article:published_time" content="{date}">' if date else ""
    paras = "".join(f"<p>{line}</p>" for line in text.split("\n") if line.strip())
    return (f"<!doctype html><html><head><title>Story</title>{head}</head><body><nav><a href='/'>Home</a></nav>"
            f"<article>{paras}</article></body></html>").encode("utf-8")


def http(status: str = "200 OK", ctype: str | None = "text/html; charset=utf-8", extra: tuple = ()) -> StatusAndHeaders:
    headers = ([("Content-Type", ctype)] if ctype else []) + list(extra)
    return StatusAndHeaders(status, headers, protocol="HTTP/1.1")


class Warc:
    """A WARC written record by record with warcio; remembers each record's id and end offset."""

    def __init__(self, gz: bool) -> None:
        self.buf = io.BytesIO()
        self.writer = WARCWriter(self.buf, gzip=gz)
        self.ids: list[str] = []
        self.types: list[str] = []
        self.ends: list[int] = []

    def add(self, rtype: str, url: str, payload: bytes = b"", headers: StatusAndHeaders | None = None,
            **kw: object) -> str:
        rec = self.writer.create_warc_record(url, rtype, payload=io.BytesIO(payload), http_headers=headers,
                                             length=len(payload) if rtype == "response" and headers else None, **kw)
        self.writer.write_record(rec)
        rid = rec.rec_headers.get_header("WARC-Record-ID")[1:-1]
        self.ids.append(rid)
        self.types.append(rtype)
        self.ends.append(self.buf.tell())
        return rid

    def response(self, url: str, body: bytes, **kw: object) -> str:
        return self.add("response", url, body, kw.pop("headers", None) or http(), **kw)

    def save(self, path: Path) -> Path:
        path.write_bytes(self.buf.getvalue())
        return path


def news_warc(gz: bool = True) -> Warc:
    """Three HTML responses among the records a crawl also writes."""
    w = Warc(gz)
    w.add("warcinfo", "", b"software: test\r\n", warc_content_type="application/warc-fields")
    for i, text in enumerate(TEXTS[:3]):
        url = f"https://www.outlet{i}.example/world/story-{i}"
        w.add("request", url, b"", StatusAndHeaders("GET /world HTTP/1.1", [("Host", "x")], is_http_request=True))
        w.response(url, page(text, "2024-04-1%d" % (i + 1)))
        w.add("metadata", url, b"fetchTimeMs: 12\r\n", warc_content_type="application/warc-fields")
    w.response("https://www.outlet0.example/logo.png", b"\x89PNG\r\n\x1a\n" + bytes(100),
               headers=http(ctype="image/png"))
    w.response("https://www.outlet0.example/gone", page(TEXTS[3]), headers=http("404 Not Found"))
    w.response("https://www.outlet0.example/moved", b"", headers=http("301 Moved Permanently", None))
    return w


def read_all(*inputs: Path, limits: Limits | None = None) -> tuple[list[Document], list[Rejected], Counter]:
    skipped: Counter[str] = Counter()
    items = list(read_inputs([str(i) for i in inputs], limits, skipped=skipped))
    return ([i for i in items if isinstance(i, Document)], [i for i in items if isinstance(i, Rejected)], skipped)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(["run", *argv, "--workers", "1"])
    return code, capsys.readouterr().err


def jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("gz", [True, False], ids=["warc.gz", "warc"])
def test_html_responses_become_documents_and_other_records_are_counted(tmp_path: Path, gz: bool) -> None:
    w = news_warc(gz)
    path = w.save(tmp_path / ("crawl.warc.gz" if gz else "crawl.warc"))
    docs, rejected, skipped = read_all(path)
    assert rejected == []
    responses = [rid for rid, t in zip(w.ids, w.types) if t == "response"]
    assert [d.id for d in docs] == responses[:3]
    assert [d.url for d in docs] == [f"https://www.outlet{i}.example/world/story-{i}" for i in range(3)]
    for doc, text in zip(docs, TEXTS):
        assert doc.text is None and doc.html and text.split("\n")[2] in doc.html
        assert doc.published is None and doc.meta["warc_date"].startswith("20")
        assert isinstance(doc.meta["warc_offset"], int)
    # The 1-based record number of the first response (after warcinfo and a request).
    assert docs[0].origin == f"{path}:3"
    assert skipped == {"warc-warcinfo": 1, "warc-request": 3, "warc-metadata": 3, "warc-response-not-html": 1,
                       "warc-response-status-4xx": 1, "warc-response-status-3xx": 1}


def test_gzip_per_record_warc_gives_the_same_documents_as_the_plain_file(tmp_path: Path) -> None:
    w = news_warc(gz=True)
    gz_path = w.save(tmp_path / "crawl.warc.gz")
    # gzip per record: the file is a series of gzip members, one per record.
    assert gz_path.read_bytes().count(b"\x1f\x8b\x08") >= len(w.ids)
    plain = tmp_path / "crawl.warc"
    plain.write_bytes(gzip.decompress(gz_path.read_bytes()))
    a, _, skipped_a = read_all(gz_path)
    b, _, skipped_b = read_all(plain)
    def key(d: Document) -> tuple:
        return d.id, d.url, d.html, d.meta["warc_date"]

    assert [key(d) for d in a] == [key(d) for d in b]
    assert skipped_a == skipped_b


def test_run_takes_published_from_the_page_and_reports_skipped_records(tmp_path: Path,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    path = news_warc().save(tmp_path / "crawl.warc.gz")
    code, err = run(capsys, str(path), "-o", str(tmp_path / "out"))
    assert code == 0, err
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    counts = summary["counts"]
    assert counts["read"] == 3 and counts["rejected"] == 0 and counts["accounted"] is True
    assert counts["skipped_records"]["warc-request"] == 3 and sum(counts["skipped_records"].values()) == 10
    canonical = {d["id"]: d for d in jsonl(tmp_path / "out" / "canonical.jsonl")}
    members = [m for c in jsonl(tmp_path / "out" / "clusters.jsonl") for m in c["members"]]
    assert len(members) == 3
    for doc in canonical.values():
        assert doc["published"].startswith("2024-04-1")  # from the page's meta, not the fetch date
        assert doc["meta"]["warc_date"] != doc["published"]
        assert doc["meta"]["extractor"] == "trafilatura"
        assert doc["source"].startswith("outlet")
        assert "Home" not in doc["text"].split("\n")


def _cut_cases() -> list[tuple[bool, int]]:
    return [(gz, k) for gz in (True, False) for k in (1, 40, 400)]


@pytest.mark.parametrize("gz,back", _cut_cases())
def test_truncated_warc_keeps_the_records_before_the_cut(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                         gz: bool, back: int) -> None:
    w = Warc(gz)
    for i, text in enumerate(TEXTS):
        w.response(f"https://www.outlet{i}.example/story", page(text))
    data = w.buf.getvalue()
    path = tmp_path / ("cut.warc.gz" if gz else "cut.warc")
    path.write_bytes(data[: w.ends[-2] + back])  # inside the last record
    docs, rejected, _ = read_all(path)
    assert [d.id for d in docs] == w.ids[:-1]
    assert len(rejected) == 1
    bad = rejected[0]
    assert bad.reason == "truncated" and bad.origin == f"{path}:{len(TEXTS)}"
    assert "the records before it are kept" in bad.message
    # Through the CLI: exit 0, one stderr line naming the file, one row, accounting intact.
    code, err = run(capsys, str(path), "-o", str(tmp_path / "out"))
    assert code == 0
    assert [line for line in err.splitlines() if "[truncated]" in line and str(path) in line]
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["counts"]["rejected_by_reason"] == {"truncated": 1}
    assert summary["counts"]["accounted"] is True


_PLAIN = Warc(gz=False)
for _i, _text in enumerate(TEXTS[:3]):
    _PLAIN.add("request", f"https://a.example/{_i}", b"", StatusAndHeaders("GET / HTTP/1.1", [], is_http_request=True))
    _PLAIN.response(f"https://a.example/{_i}", page(_text))
_PLAIN_BYTES = _PLAIN.buf.getvalue()


@settings(max_examples=80)
@given(st.integers(min_value=0, max_value=len(_PLAIN_BYTES)))
def test_a_warc_cut_anywhere_gives_a_prefix_of_its_documents_and_at_most_one_rejection(cut: int) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cut.warc"
        path.write_bytes(_PLAIN_BYTES[:cut])
        docs, rejected, _ = read_all(path)
    full = [rid for rid, t in zip(_PLAIN.ids, _PLAIN.types) if t == "response"]
    assert [d.id for d in docs] == full[: len(docs)]
    assert len(rejected) <= 1 and all(r.reason in REASONS for r in rejected)
    # Cut at a record's end (or within the blank line that closes it) loses nothing; anywhere else, one row.
    at_boundary = any(end - 4 <= cut <= end for end in _PLAIN.ends)
    if cut == 0:
        assert [r.reason for r in rejected] == ["empty"]
    elif not at_boundary:
        assert [r.reason for r in rejected] == ["truncated"], (cut, rejected)
        # The cut record: its id when its header was read, else its position in the file.
        record = next(k for k, end in enumerate(_PLAIN.ends) if cut < end)
        assert rejected[0].id in (_PLAIN.ids[record], f"{path}:{record + 1}")
        assert rejected[0].origin == f"{path}:{record + 1}"
    else:
        assert rejected == []


def test_garbage_empty_and_damaged_warc_files_are_rejected(tmp_path: Path) -> None:
    (tmp_path / "notes.warc").write_text("these are not WARC records\n", encoding="utf-8")
    (tmp_path / "empty.warc").write_bytes(b"")
    w = news_warc(gz=False)
    data = w.buf.getvalue()
    (tmp_path / "junk-inside.warc").write_bytes(data[: w.ends[4]] + b"junk line\r\n\r\n" + data[w.ends[4]:])
    docs, rejected, _ = read_all(tmp_path / "notes.warc", tmp_path / "empty.warc", tmp_path / "junk-inside.warc")
    assert [(r.reason, Path(r.origin.rsplit(":", 1)[0]).name if r.origin.count(":") else Path(r.origin).name)
            for r in rejected] == [("malformed-warc", "notes.warc"), ("empty", "empty.warc"),
                                   ("malformed-warc", "junk-inside.warc")]
    assert rejected[0].origin.endswith("notes.warc:1")
    assert rejected[2].origin.endswith(f"junk-inside.warc:{5 + 1}")
    # The one response before the junk is kept.
    assert [d.id for d in docs] == [w.ids[2]]


def test_limits_apply_to_warc_records(tmp_path: Path) -> None:
    w = Warc(gz=True)
    small = w.response("https://a.example/1", page(TEXTS[0]))
    big = w.response("https://a.example/2", page(TEXTS[1] * 20))
    after = w.response("https://a.example/3", page(TEXTS[2]))
    path = w.save(tmp_path / "limits.warc.gz")
    docs, rejected, _ = read_all(path, limits=Limits(max_doc_bytes=20_000))
    assert [d.id for d in docs] == [small, after]
    assert [(r.id, r.reason, r.origin) for r in rejected] == [(big, "too-large", f"{path}:2")]
    assert "max_doc_bytes" in rejected[0].message
    # max_decompressed_bytes bounds the record blocks read from one file.
    docs, rejected, _ = read_all(path, limits=Limits(max_decompressed_bytes=len(page(TEXTS[0])) + 500))
    assert [d.id for d in docs] == [small]
    assert [(r.reason, r.id) for r in rejected] == [("too-large", big)]
    assert "max_decompressed_bytes" in rejected[0].message


def test_chunked_gzip_payload_and_http_charset_are_decoded(tmp_path: Path) -> None:
    body = page(TEXTS[0])
    packed = gzip.compress(body, mtime=0)
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(packed[i:i + 500]), packed[i:i + 500])
                       for i in range(0, len(packed), 500)) + b"0\r\n\r\n"
    latin = "<html><body><article><p>Le café de la gare ferme à midi, a annoncé la mairie jeudi soir.</p>" \
            "</article></body></html>"
    w = Warc(gz=False)
    a = w.response("https://a.example/packed", chunked, headers=http(extra=(("Content-Encoding", "gzip"),
                                                                            ("Transfer-Encoding", "chunked"))))
    b = w.response("https://b.example/latin", latin.encode("cp1252"),
                   headers=http(ctype="text/html; charset=windows-1252"))
    c = w.response("https://c.example/bad", b"\x1f\x8b not really gzip",
                   headers=http(extra=(("Content-Encoding", "gzip"),)))
    docs, rejected, _ = read_all(w.save(tmp_path / "enc.warc"))
    assert [d.id for d in docs] == [a, b]
    assert docs[0].html == body.decode("utf-8")
    assert "Le café de la gare" in (docs[1].html or "") and docs[1].meta["input_encoding"] == "cp1252"
    assert [(r.id, r.reason) for r in rejected] == [(c, "encoding")]


def test_a_response_without_content_type_is_read_when_it_starts_like_html(tmp_path: Path) -> None:
    w = Warc(gz=False)
    html_id = w.response("https://a.example/1", page(TEXTS[0]), headers=http(ctype=None))
    w.response("https://a.example/2", b"plain words, not a page", headers=http(ctype=None))
    docs, rejected, skipped = read_all(w.save(tmp_path / "untyped.warc"))
    assert [d.id for d in docs] == [html_id] and rejected == []
    assert skipped == {"warc-response-not-html": 1}


def test_missing_fastwarc_names_the_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    path = news_warc().save(tmp_path / "crawl.warc.gz")
    monkeypatch.setitem(sys.modules, "fastwarc", None)  # import fails as when it is not installed
    with pytest.raises(MissingDependencyError, match=r"pip install 'news-dedupe\[warc\]'"):
        list(read_inputs([str(path)]))
    code = main(["run", str(path), "-o", str(tmp_path / "out")])
    assert code == 2 and "news-dedupe[warc]" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
