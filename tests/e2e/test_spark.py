"""The Spark engine (dedupe.engines.spark) against the local engine: the same output files, byte
for byte (summary.json apart from its timings), with 1, 3 and 7 partitions; and its connected
components against union-find.

One SparkSession (pyspark local mode, two threads, the driver bound to 127.0.0.1) serves the
whole module; the engine uses the active session. Corpora are small: each Spark run costs a few
seconds of job overhead, whatever its size.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import os
import random
import sys
from pathlib import Path
from types import ModuleType
from typing import Iterator

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dedupe
from dedupe.cli import main
from dedupe._cluster import components
from dedupe.config import RunConfig
from dedupe.engines.spark import FAULT_ENV, DocumentIds, SparkRunResult, output_task, connected_components, run_spark
from dedupe.writers import canonical_line, write_outputs

from test_bad_input import ARTICLE, OTHER, STORY, gzip_bomb

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
GENERATOR_PATH = ROOT / "benchmarks" / "syndication" / "generate.py"
FILES = ("canonical.jsonl", "clusters.jsonl", "rejected.jsonl")


@pytest.fixture(scope="session")
def faults(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where a test puts the stage names whose next task must crash (dedupe.engines.spark.FAULT_ENV)."""
    return tmp_path_factory.mktemp("faults")


@pytest.fixture(scope="session")
def spark(faults: Path) -> Iterator[object]:
    import shutil

    from pyspark.sql import SparkSession

    if shutil.which("java") is None:
        pytest.fail("the Spark engine's tests need Java 17 or later: apt-get install -y openjdk-17-jre-headless")

    # local[2, 4]: two task threads, and a failed task is tried again (up to 4 times), as on a cluster.
    session = (SparkSession.builder.master("local[2,4]").appName("dedupe-tests")
               .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
               .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
               .config("spark.pyspark.python", sys.executable)
               .config(f"spark.executorEnv.{FAULT_ENV}", str(faults))
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def local_outputs(inputs: list[str], outdir: Path, config: RunConfig | None = None) -> Path:
    write_outputs(dedupe.run(inputs, config or RunConfig(workers=2)), outdir)
    return outdir


@pytest.fixture(scope="module")
def local_reference(tmp_path_factory: pytest.TempPathFactory):
    """The local engine's outputs for ``(inputs, config)`` in ``output_format``, computed once per
    module (the partition counts of one corpus compare against one local run)."""
    results: dict[tuple, dedupe.RunResult] = {}
    done: dict[tuple, Path] = {}

    def outputs(inputs: list[str], config: RunConfig | None = None, output_format: str = "jsonl") -> Path:
        key = (tuple(inputs), repr(config))
        if key not in results:
            results[key] = dedupe.run(inputs, config or RunConfig(workers=2))
        if key + (output_format,) not in done:
            done[key + (output_format,)] = folder = tmp_path_factory.mktemp("local")
            write_outputs(results[key], folder, output_format=output_format)
        return done[key + (output_format,)]

    return outputs


def assert_same_outputs(local: Path, other: Path) -> None:
    files = FILES if (local / "canonical.jsonl").exists() else ("canonical.parquet", "clusters.parquet",
                                                               "rejected.jsonl")
    for name in files:
        assert (other / name).read_bytes() == (local / name).read_bytes(), name
    summaries = []
    for folder in (local, other):
        summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        summary.pop("timings_s")
        summaries.append(summary)
    assert summaries[0] == summaries[1]


def spark_outputs(inputs: list[str], config: RunConfig, partitions: int, out: Path,
                  explain: bool = False, output_format: str = "jsonl") -> SparkRunResult:
    """The Spark engine's outputs as ``dedupe run --engine spark`` writes them: canonical and clusters
    from the tasks (run_spark's write_to), the driver holding only ids."""
    result = run_spark(inputs, config, partitions=partitions, write_to=out, explain=explain,
                       output_format=output_format)
    assert isinstance(result.documents, DocumentIds) and result.canonical_parts is not None
    assert result.clusters_parts is not None and not any(c.links for c in result.clusters)  # no link on the driver
    try:
        write_outputs(result, out, explain=explain, output_format=output_format)
    finally:
        result.remove_parts()
    files = ("canonical.parquet", "clusters.parquet", "rejected.jsonl") if output_format == "parquet" else FILES
    assert sorted(p.name for p in out.iterdir()) == sorted(files + ("summary.json",))  # no part left
    return result


# --------------------------------------------------------------------------- corpora


def _load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("syndication_generate_spark", GENERATOR_PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


WORDS = ("council harbour ferry minister budget election court river bridge school hospital union strike "
         "airport storm flood museum festival police village market farmers rail tunnel energy wind "
         "report inquiry mayor tax housing plan vote league club coach final season record").split()


def invented_base(root: Path, articles: int, seed: int) -> Path:
    """A folder shaped like the BBC base the syndication generator reads, of invented articles."""
    rng = random.Random(seed)
    for i in range(articles):
        topic = ("business", "tech", "sport")[i % 3]
        folder = root / "bbc" / topic
        folder.mkdir(parents=True, exist_ok=True)
        paragraphs = []
        for p in range(rng.randint(4, 7)):
            sentences = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(9, 18))).capitalize()
                         + f" in {topic} story {i}, part {p}." for _ in range(rng.randint(2, 3))]
            paragraphs.append(" ".join(sentences))
        title = f"Story {i}: " + " ".join(rng.choice(WORDS) for _ in range(5))
        (folder / f"{i + 1:03d}.txt").write_text(title + "\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8")
    return root


def syndication_corpus(root: Path, docs: int, articles: int) -> Path:
    """``docs`` documents from the syndication generator (reposts, abridged, edited, partial,
    noisy and heavy copies; exact copies; furniture) over ``articles`` invented base articles,
    shuffled so that the input order differs from the id order."""
    gen = _load_generator()
    rows, _gold = gen.generate(invented_base(root / "base", articles, 5), docs, 3)
    random.Random(1).shuffle(rows)
    return write_jsonl(root / "docs.jsonl", rows)


@pytest.fixture(scope="module")
def syndication_input(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """About 250 documents of the syndication generator (the tests that run Spark more than once)."""
    return syndication_corpus(tmp_path_factory.mktemp("synd"), 250, 110)


@pytest.fixture(scope="module")
def syndication_2k_input(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """2,000 documents of the syndication generator."""
    return syndication_corpus(tmp_path_factory.mktemp("synd2k"), 2000, 800)


SHARED_GENERATOR_PATH = ROOT / "benchmarks" / "shared" / "generate.py"


def _load_shared_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("shared_generate_spark", SHARED_GENERATOR_PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def shared_input(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """600 documents of benchmarks/shared/generate.py (paragraphs printed by several unrelated
    documents, stock sentences, tables, copies of four kinds, registration walls) over invented
    text, plus exact copies. Four outlets instead of 24 and 3 % walls instead of 0.5 %, so that
    learned furniture is learned at this size and some walls are only found furniture-only once
    it is stripped (the case a 20,000-document run found the Spark engine getting wrong)."""
    gen = _load_shared_generator()
    gen.SOURCES = gen.SOURCES[:4]
    gen.FURNITURE_ONLY = 0.03
    rng = random.Random(3)
    syllables = "ka lo mi ne ru sa to vi pe da go ri la mo nu fe ti ba ko se".split()
    vocab = sorted({"".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))) for _ in range(3000)})

    def sentence() -> str:
        return " ".join(rng.choice(vocab) for _ in range(rng.randint(8, 20))).capitalize() + "."

    titles = [" ".join(rng.choice(vocab) for _ in range(6)).capitalize() for _ in range(200)]
    paragraphs = [" ".join(sentence() for _ in range(rng.randint(2, 5))) for _ in range(1500)]
    docs = [doc for doc, _gold in gen.documents(titles, paragraphs, 600, 2, 0.2, 6.0)]
    docs += [{"id": f"x{i}", "text": docs[i]["text"], "source": docs[i]["source"]} for i in range(0, 60, 7)]
    random.Random(2).shuffle(docs)
    return write_jsonl(tmp_path_factory.mktemp("shared") / "docs.jsonl", docs)


@pytest.fixture(scope="module")
def hostile_input(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """The bad inputs of docs/robustness.md that need no monkeypatching (Spark's Python workers
    are other processes): binary, empty, oversized, badly encoded, deeply nested and external-entity
    HTML, a FIFO, a symlink loop, malformed and truncated JSONL, a cut gzip, a decompression bomb,
    duplicate ids across inputs."""
    tmp = tmp_path_factory.mktemp("hostile")
    inp = tmp / "in"
    inp.mkdir()
    secret = tmp / "secret.txt"
    secret.write_text("SECRET-7f3a9c", encoding="utf-8")
    files: dict[str, bytes] = {
        "ok.txt": STORY.encode(),
        "copy.txt": STORY.encode(),
        "other.txt": OTHER.encode(),
        "page.html": ARTICLE.encode(),
        "latin1.txt": ("Le café est fermé à Niamey. " + OTHER).encode("latin-1"),
        "cp1252.txt": ("Niger’s junta – “a new partnership”. " + OTHER + " €5 million.").encode("cp1252"),
        "utf16.txt": ("Niger’s army. " + OTHER + " Again.").encode("utf-16"),
        "utf16-bad.txt": b"\xff\xfeo\x00k\x00\x00\xd8",
        "late-nul.txt": STORY.encode() * 80 + b"\x00",
        "image.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        "zero.txt": b"",
        "spaces.txt": b" \n\t \r\n",
        "big.txt": STORY.encode() * 6000,
        "nested.html": b"<html><body>" + b"<div>" * 20000 + STORY.encode() + b"</div>" * 20000 + b"</body></html>",
        "xxe.html": (f'<!DOCTYPE html [<!ENTITY xxe SYSTEM "file://{secret}">]>'
                     + ARTICLE.replace("<article>", "<article><p>&xxe;</p>")).encode(),
        "punct.txt": "... — !!! ??? — ...".encode(),
    }
    for name, data in files.items():
        (inp / name).write_bytes(data)
    os.mkfifo(inp / "fifo.txt")
    (inp / "loop.txt").symlink_to(inp / "loop.txt")
    lines = [
        json.dumps({"id": "j-ok", "text": OTHER + " Second copy with an extra sentence at its end."}),
        json.dumps({"id": "j-type", "text": 42}),
        json.dumps({"id": "j-notext", "title": "no body"}),
        json.dumps({"id": "ok.txt", "text": "An id already used by the directory."}),
        json.dumps({"id": "../../../etc/passwd", "text": "A story whose id looks like a path, kept as data."}),
        '{"id": "j-broken", "text": ',
        json.dumps({"id": "j-long", "text": STORY * 100}),
        json.dumps({"id": "j-ok", "text": "The same id again, in the same file."}),
    ]
    jl = tmp / "more.jsonl"
    jl.write_bytes("\n".join(lines).encode() + b'\n{"id": "j-bad-utf8", "text": "caf\xe9"}\n{"id": "j-cut", "te')
    cut = tmp / "cut.jsonl.gz"
    packed = gzip.compress("".join(json.dumps({"id": f"g{i}", "text": f"Story {i}. " + OTHER}) + "\n"
                                   for i in range(60)).encode())
    cut.write_bytes(packed[: len(packed) // 2])
    bomb = tmp / "bomb.jsonl.gz"
    bomb.write_bytes(gzip_bomb(20))
    return [str(inp), str(jl), str(cut), str(bomb)]


HOSTILE_LIMITS = dict(max_doc_bytes=1 << 20, max_line_bytes=10_000, max_decompressed_bytes=8 << 20)


# --------------------------------------------------------------------------- Spark == local


@pytest.mark.parametrize("partitions", [1, 3, 7])
def test_seeds_spark_equals_local(spark: object, tmp_path: Path, local_reference, partitions: int) -> None:
    """The result with the documents gathered on the driver (the API's dedupe.run(engine="spark"))."""
    local = local_reference([str(SEEDS)])
    shown: list[tuple[str, int, int | None]] = []
    result = run_spark([str(SEEDS)], RunConfig(), partitions=partitions, progress=lambda *a: shown.append(a))
    write_outputs(result, tmp_path / "spark")
    assert_same_outputs(local, tmp_path / "spark")
    # Progress: the running stage's tasks, every half second (the run takes longer than that).
    assert shown and all(total and 0 <= done <= total for _, done, total in shown)
    assert {stage for stage, _, _ in shown} <= {"read", "clean", "sign", "candidates", "verify", "cluster", "collect"}
    assert not isinstance(result.documents, DocumentIds) and result.canonical_parts is None
    clusters = [json.loads(line) for line in (tmp_path / "spark" / "clusters.jsonl").read_text().splitlines()]
    assert sorted(len(c["members"]) for c in clusters) == [1, 1, 3]


def sliced_groups(monkeypatch: pytest.MonkeyPatch, per_slice: int) -> list[list[int]]:
    """Evidence groups cut into slices of ``per_slice`` entries (the driver decides; the tasks get the
    cut as arguments), and the clusters written in parts of 97; returns the list that receives each
    run's slice bits per group."""
    from dedupe.engines import spark as engine

    seen: list[list[int]] = []
    real = engine.slice_bits

    def recorded(entries: dict[int, int], size: int) -> list[int]:
        seen.append(real(entries, size))
        return seen[-1]

    monkeypatch.setattr(engine, "ENTRIES_PER_SLICE", per_slice)
    monkeypatch.setattr(engine, "slice_bits", recorded)
    monkeypatch.setattr(engine, "_CLUSTERS_PER_PART", 97)  # clusters.jsonl in several parts too
    return seen


@pytest.mark.parametrize("partitions", [1, 3, 7])
def test_syndication_corpus_spark_equals_local(spark: object, tmp_path: Path, syndication_2k_input: Path,
                                               local_reference, partitions: int,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """With evidence groups cut into slices computed by separate tasks (a few thousand entries each here)."""
    seen = sliced_groups(monkeypatch, 3000)
    local = local_reference([str(syndication_2k_input)])
    spark_outputs([str(syndication_2k_input)], RunConfig(), partitions, tmp_path / "spark")
    assert_same_outputs(local, tmp_path / "spark")
    summary = json.loads((tmp_path / "spark" / "summary.json").read_text())
    # The corpus exercises what the engine routes: copies of every kind, exact copies, furniture.
    assert summary["counts"]["clusters_with_copies"] >= 300
    assert summary["dedup"]["exact_copies"] >= 50 and summary["dedup"]["verified_links"] >= 1000
    assert summary["dedup"]["on_demand_checks"] >= 1 and summary["learned_furniture_lines"] >= 50
    assert len(seen) == 1 and min(seen[0]) >= 2  # every group in 4 slices or more


@pytest.mark.parametrize("partitions", [1, 3, 7])
def test_shared_paragraph_corpus_spark_equals_local(spark: object, tmp_path: Path, shared_input: Path,
                                                    local_reference, partitions: int,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Hot keys (capped buckets) and evidence groups cut into slices (a few hundred entries each).
    With 7 partitions, Parquet output (canonical and clusters written by the tasks too)."""
    seen = sliced_groups(monkeypatch, 500)
    config = RunConfig(dedup=dedupe.DedupConfig(max_bucket=4))  # hot keys: capped buckets
    output_format = "parquet" if partitions == 7 else "jsonl"
    local = local_reference([str(shared_input)], config, output_format)
    spark_outputs([str(shared_input)], config, partitions, tmp_path / "spark", output_format=output_format)
    assert_same_outputs(local, tmp_path / "spark")
    summary = json.loads((tmp_path / "spark" / "summary.json").read_text())
    stats = summary["dedup"]
    assert stats["pruned_pairs"] > 0 and stats["capped_keys"] > 0 and stats["exact_copies"] >= 6
    assert stats["on_demand_checks"] > 0 and summary["learned_furniture_lines"] >= 1
    assert summary["counts"]["rejected_by_reason"]["furniture-only"] >= 5
    assert len(seen) == 1 and min(seen[0]) >= 2


@pytest.mark.parametrize("partitions", [1, 3, 7])
def test_hostile_inputs_spark_equals_local(spark: object, tmp_path: Path, hostile_input: list[str],
                                           local_reference, partitions: int) -> None:
    config = RunConfig(limits=dedupe.Limits(**HOSTILE_LIMITS))
    local = local_reference(hostile_input, config)
    spark_outputs(hostile_input, config, partitions, tmp_path / "spark")
    assert_same_outputs(local, tmp_path / "spark")
    reasons = {json.loads(line)["reason"] for line in (tmp_path / "spark" / "rejected.jsonl").read_text().splitlines()}
    assert {"binary", "empty", "encoding", "too-large", "unreadable", "duplicate-id", "malformed-json", "bad-field",
            "truncated"} <= reasons
    for name in FILES:
        assert "SECRET-7f3a9c" not in (tmp_path / "spark" / name).read_text(encoding="utf-8")


def test_tasks_killed_mid_run_and_retried_give_the_same_output(spark: object, tmp_path: Path, faults: Path,
                                                               syndication_input: Path, local_reference) -> None:
    stages = ("clean", "sign", "evidence", "bound", "verify", "cluster", "write", "write-clusters")
    for stage in stages:
        (faults / stage).touch()
    spark_outputs([str(syndication_input)], RunConfig(), 3, tmp_path / "spark")
    assert not any((faults / stage).exists() for stage in stages)  # one task of each stage was killed
    assert_same_outputs(local_reference([str(syndication_input)]), tmp_path / "spark")


def test_slices_of_evidence_groups_are_sized_from_their_entries() -> None:
    from dedupe.engines.spark import MAX_SLICE_BITS, slice_bits, slice_of

    bits = slice_bits({0: 0, 1: 1000, 2: 1001, 3: 4000, 4: 4001, 5: 10**12}, 1000)
    assert bits[:6] == [0, 0, 1, 2, 3, MAX_SLICE_BITS] and bits[6:] == [0] * 10
    keys = np.array([0x3000_0000_0000_0000, 0x37FF_FFFF_FFFF_FFFF, 0x3800_0000_0000_0000, 0x3FFF_FFFF_FFFF_FFFF],
                    dtype=np.uint64)  # all of group 3
    assert slice_of(keys, 1).tolist() == [0, 0, 1, 1] and slice_of(keys, 2).tolist() == [0, 1, 2, 3]


class _Broadcast:
    def __init__(self, value: object) -> None:
        self.value = value


def test_the_output_task_writes_the_canonical_lines_and_returns_no_text(tmp_path: Path) -> None:
    """The stage that writes canonical.jsonl (dedupe.engines.spark.output_task): the part file holds the
    canonical documents' lines in the range's order; what goes back to the driver is ids and counts."""
    docs = [dedupe.Document(f"d{k}", text=f"Text number {k} of the range, private-{k}.", source="example.org",
                            meta={"input_encoding": "cp1252"} if k % 3 == 0 else {},
                            changes=(dedupe.Change("learned-furniture", removed="Menu"),) if k % 2 else ())
            for k in range(10)]
    canonical = {"d1", "d4", "d5", "d9"}
    records = list(enumerate(docs, start=100))
    for explain in (False, True):
        folder = tmp_path / f"parts-{explain}"
        folder.mkdir()
        (out,) = output_task(7, iter(records), _Broadcast(frozenset(canonical)), _Broadcast(frozenset({"d2"})),
                              str(folder), explain)
        part, ids, encodings, rules, name, size = out
        expected = "".join(canonical_line(d, explain) for d in docs if d.id in canonical).encode("utf-8")
        assert part == 7 and name == str(folder / "part-00007") and size == len(expected)
        assert (folder / "part-00007").read_bytes() == expected and os.listdir(folder) == ["part-00007"]
        assert ids == [d.id for d in docs if d.id != "d2"]
        assert encodings == {"cp1252": 4} and rules == {"learned-furniture": 5}
        sent = repr(out)
        assert not any(f"private-{k}" in sent for k in range(10))
    # A range without a canonical document writes no part.
    (out,) = output_task(0, iter(records[:1]), _Broadcast(frozenset()), _Broadcast(frozenset()), str(tmp_path), False)
    assert out[4] is None and out[5] == 0 and out[1] == ["d0"]


def test_the_clusters_task_writes_its_range_of_clusters_and_returns_no_link(tmp_path: Path) -> None:
    from dedupe.engines.spark import _cluster_part, _clusters_task
    from dedupe.writers import cluster_line

    clusters = dedupe.run([str(SEEDS)], RunConfig(workers=1)).clusters
    assert any(c.links for c in clusters)
    records = [(c.canonical, c) for c in clusters]
    (out,) = _clusters_task(4, iter(records), str(tmp_path), "jsonl")
    assert out == (4, str(tmp_path / "part-00004"), len("".join(map(cluster_line, clusters)).encode("utf-8")))
    assert (tmp_path / "part-00004").read_text(encoding="utf-8") == "".join(map(cluster_line, clusters))
    assert list(_clusters_task(5, iter([]), str(tmp_path), "jsonl")) == [(5, None, 0)]
    assert os.listdir(tmp_path) == ["part-00004"]
    # Ranges of canonical ids: a cluster whose canonical is a bound starts the next part.
    assert [_cluster_part(k, ["b", "d"]) for k in ("a", "b", "c", "d", "e")] == [0, 1, 1, 2, 2]


_PART_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)


def assert_parquet_from_parts_is_local(kind: str, rows: list[dict], cuts: list[int], batch: int,
                                       group_rows: int) -> None:
    """``rows`` written by dedupe.writers.write_parquet, and as the Spark tasks write them (Arrow IPC
    parts of ``cuts`` rows, record batches of ``batch``) joined by write_parquet_parts: the same bytes,
    with row groups of ``group_rows``."""
    import tempfile
    from unittest import mock

    from dedupe.engines import spark as engine
    from dedupe.writers import parquet_schema, write_parquet, write_parquet_parts

    schema = parquet_schema(kind)
    with tempfile.TemporaryDirectory() as tmp, mock.patch("dedupe.writers._PARQUET_ROWS", group_rows), \
            mock.patch.object(engine, "_IPC_ROWS", batch):
        expected, _, _ = write_parquet(Path(tmp, f"{kind}.parquet"), rows, schema, temporary=True)
        parts, at = [], 0
        for part, cut in enumerate(cuts + [len(rows)]):
            if at >= len(rows):
                break
            writer = engine._PartFile(tmp, part, "parquet", schema)
            for row in rows[at:at + cut]:
                writer.row(row)
            at += cut
            parts.append(writer.close()[0])
        joined, size, _ = write_parquet_parts(Path(tmp, f"{kind}.parquet"), parts, schema, temporary=True)
        assert Path(joined).read_bytes() == Path(expected).read_bytes(), kind
        assert size == os.path.getsize(joined)


def canonical_rows(docs: list[tuple]) -> list[dict]:
    return [{"id": f"d{k}", "text": text, "url": url, "title": None, "published": "2024-01-01" if n else None,
             "source": "example.org", "meta": json.dumps({"n": n}) if n else None}
            for k, (url, text, n) in enumerate(docs)]


@settings(max_examples=40)
@given(st.lists(st.tuples(st.one_of(st.none(), _PART_TEXT), _PART_TEXT, st.integers(0, 3)), max_size=40),
       st.lists(st.integers(0, 12), min_size=1, max_size=6), st.integers(1, 5), st.integers(1, 9))
def test_parquet_joined_from_the_tasks_parts_is_the_local_parquet_byte_for_byte(
        docs: list[tuple], cuts: list[int], batch: int, group_rows: int) -> None:
    """canonical.parquet and clusters.parquet from Arrow IPC parts (as the tasks write them, any cut,
    any record batch size) are the bytes that the local engine's writer writes from the rows."""
    score = dict.fromkeys(("score", "jaccard", "containment_a", "containment_b", "coverage_a", "coverage_b",
                           "close_coverage_a", "close_coverage_b"), 0.5)
    clusters = [{"cluster": f"c{k}", "canonical": f"d{k}", "members": [f"d{k}"] + [f"e{j}" for j in range(n)],
                 "canonical_reason": "longest",
                 "links": [{"a": f"d{k}", "b": f"e{j}", "kind": "syndicated", "exact": j % 2 == 0, **score,
                            "shared_sentences": j, "passages": [{"a_sentences": [j], "b_sentences": [0, j],
                                                                 "text": text}] * j} for j in range(n)]}
                for k, (_, text, n) in enumerate(docs)]
    assert_parquet_from_parts_is_local("canonical", canonical_rows(docs), cuts, batch, group_rows)
    assert_parquet_from_parts_is_local("clusters", clusters, cuts, batch, group_rows)


def test_parquet_joined_from_parts_with_pages_of_a_megabyte_is_the_local_parquet() -> None:
    """Columns past Parquet's 1 MB data page: a row group made of several record batches gives other
    pages, other bytes, unless its columns are combined into one chunk (as write_parquet_parts does)."""
    rng = random.Random(3)
    docs = [(None, f"word{k} " * rng.randint(2_000, 8_000), k % 3) for k in range(60)]
    assert_parquet_from_parts_is_local("canonical", canonical_rows(docs), [7, 0, 11, 30], 3, 40)


def test_written_by_the_tasks_the_driver_keeps_ids_only(spark: object, tmp_path: Path, local_reference) -> None:
    local = local_reference([str(SEEDS)])
    result = spark_outputs([str(SEEDS)], RunConfig(), 3, tmp_path / "spark")
    assert_same_outputs(local, tmp_path / "spark")
    assert list(result.documents) == result.order and len(result.documents) == 5
    with pytest.raises(KeyError, match="the Spark tasks wrote the documents"):
        result.documents[result.order[0]]
    assert result.order[0] in result.documents and "no-such-id" not in result.documents
    # --explain: the tasks write the changes too.
    write_outputs(dedupe.run([str(SEEDS)], RunConfig(workers=2)), tmp_path / "local-explain", explain=True)
    spark_outputs([str(SEEDS)], RunConfig(), 2, tmp_path / "spark-explain", explain=True)
    assert_same_outputs(tmp_path / "local-explain", tmp_path / "spark-explain")


def test_input_order_does_not_change_the_clusters(spark: object, tmp_path: Path, syndication_input: Path) -> None:
    rows = [json.loads(line) for line in syndication_input.read_text(encoding="utf-8").splitlines()]
    first = write_jsonl(tmp_path / "a.jsonl", rows[: len(rows) // 2])
    second = write_jsonl(tmp_path / "b.jsonl", rows[len(rows) // 2:])
    write_outputs(run_spark([str(first), str(second)], RunConfig(), partitions=3), tmp_path / "ab")
    write_outputs(run_spark([str(second), str(first)], RunConfig(), partitions=2), tmp_path / "ba")
    assert (tmp_path / "ab" / "clusters.jsonl").read_bytes() == (tmp_path / "ba" / "clusters.jsonl").read_bytes()


def test_cli_engine_spark_and_parquet_output(spark: object, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for engine, out in (("local", "local"), ("spark", "spark")):
        code = main(["run", str(SEEDS), "-o", str(tmp_path / out), "--engine", engine, "--spark-partitions", "3",
                     "--output-format", "parquet", "-q"])
        assert code == 0
    for name in ("canonical.parquet", "clusters.parquet", "rejected.jsonl"):
        assert (tmp_path / "spark" / name).read_bytes() == (tmp_path / "local" / name).read_bytes(), name
    code = main(["run", str(SEEDS), "-o", str(tmp_path / "api"), "--engine", "spark", "-q"])
    assert code == 0
    code = main(["run", str(SEEDS), "-o", str(tmp_path / "api-local"), "-q"])
    assert code == 0
    assert_same_outputs(tmp_path / "api-local", tmp_path / "api")  # canonical.jsonl written by the tasks
    assert sorted(p.name for p in (tmp_path / "api").iterdir()) == sorted(FILES + ("summary.json",))
    via_api = dedupe.run([str(SEEDS)], RunConfig(), engine="spark", spark_partitions=2)
    assert [c.to_dict() for c in via_api.clusters] == [
        json.loads(line) for line in (tmp_path / "api" / "clusters.jsonl").read_text(encoding="utf-8").splitlines()]


def test_a_job_that_fails_after_its_retries_is_reported_as_a_spark_failure(
        spark: object, tmp_path: Path, faults: Path, capsys: pytest.CaptureFixture[str]) -> None:
    always = faults / "sign.always"  # every try of every signing task crashes: the job fails after 4 tries
    always.touch()
    try:
        code = main(["run", str(SEEDS), "-o", str(tmp_path / "out"), "--engine", "spark", "-q"])
    finally:
        always.unlink()
    err = capsys.readouterr().err
    assert code == 4, err  # not 2 (a wrong invocation or an unwritable output), not 3 (a bug)
    assert "the Spark engine failed in stage 'sign'" in err and "failed 4 times" in err, err
    assert "cannot write" not in err and not (tmp_path / "out").exists()
    with pytest.raises(dedupe.EngineError, match="stage 'sign'") as info:
        always.touch()
        try:
            run_spark([str(SEEDS)], RunConfig(), partitions=2)
        finally:
            always.unlink()
    assert info.value.stage == "sign" and info.value.engine == "Spark"
    # The session survives a failed job: the next run completes.
    assert run_spark([str(SEEDS)], RunConfig(), partitions=2).read == 5


def test_a_lost_connection_to_the_jvm_is_a_spark_failure_not_an_unwritable_output(
        spark: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """What PySpark raises when the driver's JVM died (a socket to it refused) used to be reported as
    'cannot write OUT: Connection refused' (an OSError, exit 2)."""
    from dedupe.engines import spark as engine

    def jvm_gone(self: object, units: object, on_reject: object) -> None:
        self.begin("verify")  # type: ignore[attr-defined]
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(engine.SparkRun, "run_stages", jvm_gone)
    code = main(["run", str(SEEDS), "-o", str(tmp_path / "out"), "--engine", "spark", "-q"])
    err = capsys.readouterr().err
    assert code == 4, err
    assert "the Spark engine failed in stage 'verify'" in err and "lost the connection to Spark's JVM" in err
    assert "Connection refused" in err and "spark.driver.memory" in err and "cannot write" not in err


def test_an_unreachable_master_is_a_spark_failure_naming_it_within_seconds(tmp_path: Path) -> None:
    """``--spark-master spark://HOST:PORT`` with nothing listening: Spark's standalone client would try
    to register for 60 s and fail with "Cannot call methods on a stopped SparkContext" (84 s, its
    reason only in the JVM's log); dedupe checks the master first. A new process, as a user runs it
    (this test process's active session would run the job whatever the master)."""
    import socket
    import subprocess
    import time

    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))  # bound, never listening: connections to it are refused
        master = f"spark://127.0.0.1:{closed.getsockname()[1]}"
        started = time.monotonic()
        proc = subprocess.run(
            [sys.executable, "-c", "import sys; from dedupe.cli import main; sys.exit(main())", "run", str(SEEDS),
             "-o", str(tmp_path / "out"), "--engine", "spark", "--spark-master", master],
            capture_output=True, text=True, timeout=120,
            env={**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])})
        took = time.monotonic() - started
    assert proc.returncode == 4, proc.stderr
    assert proc.stderr.splitlines() == [
        f"dedupe: the Spark engine failed in stage 'start': cannot reach the Spark master {master} "
        f"({master.removeprefix('spark://')}: Connection refused); nothing was written"], proc.stderr
    assert took < 30 and not (tmp_path / "out").exists()
    # High availability: the first address that answers is enough; all are named when none does.
    from dedupe.engines.spark import check_master

    with socket.socket() as listening, socket.socket() as closed:
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        closed.bind(("127.0.0.1", 0))
        up, down = (f"127.0.0.1:{s.getsockname()[1]}" for s in (listening, closed))
        check_master(f"spark://{down},{up}")
        check_master("local[2]")
        check_master("yarn")
        with pytest.raises(dedupe.EngineError, match=f"spark://{down},{down} [(]{down}: Connection refused; "
                                                     f"{down}: Connection refused[)]"):
            check_master(f"spark://{down},{down}")
        with pytest.raises(dedupe.EngineError, match="not a Spark master URL"):
            check_master("spark://no-port")
    # A master that answers but does not register the application: Spark stops the context after 60 s.
    from dedupe.engines.spark import spark_failure

    stopped = RuntimeError("java.lang.IllegalStateException: Cannot call methods on a stopped SparkContext.\n\tat ...")
    assert str(spark_failure(stopped, "start", "spark://h:7077")) == (
        "the Spark engine failed in stage 'start': java.lang.IllegalStateException: Cannot call methods on a "
        "stopped SparkContext.; the master did not accept the application (Spark's log above says why) "
        "(master spark://h:7077)")


def test_unknown_engine_and_bad_partitions_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(dedupe.ConfigError, match="engine='flink'"):
        dedupe.run([str(SEEDS)], engine="flink")
    with pytest.raises(dedupe.ConfigError, match="partitions=0"):
        run_spark([str(SEEDS)], partitions=0)


def test_missing_pyspark_names_the_extra(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(sys.modules, "pyspark", None)  # import pyspark raises ImportError
    with pytest.raises(dedupe.MissingDependencyError, match=r"pip install 'news-dedupe\[spark\]'"):
        dedupe.run([str(SEEDS)], engine="spark")
    assert main(["run", str(SEEDS), "-o", str(tmp_path / "out"), "--engine", "spark"]) == 2
    assert "news-dedupe[spark]" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------- connected components


def spark_components(spark: object, n: int, edges: list[tuple[int, int]], partitions: int) -> list[list[int]]:
    sc = spark.sparkContext  # type: ignore[attr-defined]
    labels = dict(connected_components(sc.parallelize(edges, partitions), partitions).collect())
    groups: dict[int, list[int]] = {}
    for node in range(n):
        groups.setdefault(labels.get(node, node), []).append(node)
    for root, members in groups.items():
        assert root == members[0]  # the label is the component's smallest node
    return sorted(groups.values())


@settings(max_examples=12, deadline=None)
@given(n=st.integers(2, 60), data=st.data(), partitions=st.sampled_from([1, 3, 7]))
def test_components_equal_union_find_on_random_graphs(spark: object, n: int, data: st.DataObject,
                                                      partitions: int) -> None:
    edges = data.draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=3 * n))
    assert spark_components(spark, n, edges, partitions) == sorted(components(n, edges))


@settings(max_examples=4, deadline=None)
@given(data=st.data(), shape=st.sampled_from(["chains", "giant"]), partitions=st.sampled_from([1, 3, 7]))
def test_components_equal_union_find_on_random_chains_and_giants(spark: object, data: st.DataObject, shape: str,
                                                                 partitions: int) -> None:
    n = data.draw(st.integers(2, 300))
    order = data.draw(st.permutations(range(n)))
    if shape == "chains":  # one path through the nodes in a random order, cut in a few places
        cuts = set(data.draw(st.lists(st.integers(1, n - 1), max_size=3)))
        edges = [(order[k - 1], order[k]) for k in range(1, n) if k not in cuts]
    else:  # a random tree over every node: one giant component
        parents = data.draw(st.lists(st.integers(0, n), min_size=n - 1, max_size=n - 1))
        edges = [(order[k], order[parents[k - 1] % k]) for k in range(1, n)]
    edges += data.draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=n // 10))
    assert spark_components(spark, n, edges, partitions) == sorted(components(n, edges))


@pytest.mark.parametrize("shape", ["chain", "reversed-chain", "giant", "many-stars"])
def test_components_of_long_chains_and_a_giant_component(spark: object, shape: str) -> None:
    rng = random.Random(7)
    n = 3000
    if shape == "chain":  # one path through the nodes in a random order: the most rounds
        order = list(range(n))
        rng.shuffle(order)
        edges = list(zip(order, order[1:]))
    elif shape == "reversed-chain":
        edges = [(k + 1, k) for k in range(n - 1)]
    elif shape == "giant":  # one component holding every node, plus random extra edges
        edges = [(k, rng.randrange(k)) for k in range(1, n)] + [(rng.randrange(n), rng.randrange(n)) for _ in range(n)]
    else:
        edges = [(rng.randrange(n // 30) * 30, k) for k in range(n) if k % 30]
    assert spark_components(spark, n, edges, 3) == sorted(components(n, edges))
