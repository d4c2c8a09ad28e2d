"""Read throughput on one core: WARC (with and without HTML extraction), Parquet and JSONL, in one run.

The same N generated news pages are written as a ``.warc.gz`` (warcio, one
gzip member per record, with a request record before each response, as
crawls write them), as Parquet (text column) and as JSONL (text field).
Reading is :func:`dedupe.read_inputs`; "with extraction" also runs
:func:`dedupe.clean_document` (trafilatura, the page rules and text cleaning)
on every WARC document. MB/s are of the file on disk (compressed for
``.warc.gz``, as stored for Parquet).

    python benchmarks/speed/bench_read.py --docs 2000
"""

from __future__ import annotations

import argparse
import io
import json
import random
import tempfile
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from dedupe import clean_document, read_inputs
from dedupe.records import Document

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def corpus(n: int, seed: int = 1) -> list[tuple[str, str]]:
    """``n`` (url, text) pairs: seed sentences shuffled into 20-sentence articles."""
    sentences = [s.strip() + "." for p in sorted(SEEDS.glob("*.txt"))
                 for s in p.read_text(encoding="utf-8").replace("\n", " ").split(". ") if len(s.split()) > 5]
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        paras = [" ".join(rnd.sample(sentences, 4)) for _ in range(5)]
        out.append((f"https://www.outlet{i % 50}.example/world/{i}", "\n".join(paras)))
    return out


def page(text: str) -> bytes:
    paras = "".join(f"<p>{p}</p>" for p in text.split("\n"))
    return (f"<!doctype html><html><head><title>Story</title></head><body><nav><a href='/'>Home</a></nav>"
            f"<article><h1>Story</h1>{paras}</article><footer>Copyright</footer></body></html>").encode()


def write_all(docs: list[tuple[str, str]], root: Path) -> dict[str, Path]:
    warc = root / "news.warc.gz"
    with open(warc, "wb") as fh:
        w = WARCWriter(fh, gzip=True)
        for url, text in docs:
            w.write_record(w.create_warc_record(url, "request", payload=io.BytesIO(b""), http_headers=StatusAndHeaders(
                "GET / HTTP/1.1", [("Host", "x")], is_http_request=True)))
            body = page(text)
            w.write_record(w.create_warc_record(url, "response", payload=io.BytesIO(body), length=len(body),
                                                http_headers=StatusAndHeaders("200 OK", [(
                                                    "Content-Type", "text/html; charset=utf-8")],
                                                    protocol="HTTP/1.1")))
    parquet = root / "news.parquet"
    pq.write_table(pa.table({"id": [f"d{i}" for i in range(len(docs))], "url": [u for u, _ in docs],
                             "text": [t for _, t in docs]}), parquet, row_group_size=1000)
    jsonl = root / "news.jsonl"
    jsonl.write_text("".join(json.dumps({"id": f"d{i}", "url": u, "text": t}) + "\n"
                             for i, (u, t) in enumerate(docs)), encoding="utf-8")
    return {"warc": warc, "parquet": parquet, "jsonl": jsonl}


def timed(path: Path, clean: bool) -> tuple[int, float]:
    t = time.perf_counter()
    n = 0
    for item in read_inputs([str(path)]):
        if isinstance(item, Document):
            if clean:
                clean_document(item)
            n += 1
    return n, time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=2000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        files = write_all(corpus(args.docs), Path(tmp))
        print(f"| input | file MB | docs | seconds | MB/s | docs/s |\n|---|---|---|---|---|---|")
        for label, key, clean in (("WARC .warc.gz, reading only", "warc", False),
                                  ("WARC .warc.gz, with HTML extraction", "warc", True),
                                  ("Parquet", "parquet", False), ("JSONL", "jsonl", False)):
            size = files[key].stat().st_size / 1e6
            best = min((timed(files[key], clean) for _ in range(1 if clean else 3)), key=lambda r: r[1])
            n, secs = best
            print(f"| {label} | {size:.1f} | {n:,} | {secs:.2f} | {size / secs:.1f} | {n / secs:,.0f} |")


if __name__ == "__main__":
    main()
