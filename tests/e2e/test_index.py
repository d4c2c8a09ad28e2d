"""The persistent index (dedupe.Index, ``dedupe index``): its guarantees, each tested.

- adding inputs one at a time gives the clusters of one batch run over all of them (a generated
  syndication corpus split by publication period, and the seeds split in two), and removing
  documents gives the batch run over the rest;
- a process killed (SIGKILL) in the middle of an add leaves the index as it was, and the next add works;
- one writer with readers at once: readers never fail and always see a whole state; nothing is lost
  or stored twice;
- foreign or damaged files given as the index: a clear error, exit 2, the file unchanged;
- other parameters than the index's: a clear error naming them;
- two writers at once (two processes adding different halves): nothing lost, nothing stored twice,
  the batch run's clusters.

The guarantees that do not depend on the file run on both backends (the ``where`` fixture): SQLite,
and Redis against a real ``redis-server`` started on 127.0.0.1 on a free port for the session (and
stopped at its end). A machine without ``redis-server`` fails these tests, saying how to install it;
they are never skipped.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Callable, Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dedupe import DedupConfig, DedupeError, Index, IndexFormatError, IndexMismatchError, MissingDependencyError, \
    RunConfig, run
from dedupe.cli import main

from test_quality_floor import load_generator, invented_base

SRC = str(Path(__file__).resolve().parents[2] / "src")
CONFIG = RunConfig(workers=1)


# ----------------------------------------------------------------------------- where an index lives


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real ``redis-server`` on 127.0.0.1 on a free port, no persistence, its own folder; stopped
    at the end of the session. Its URL (database 0)."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is not installed: the Redis index tests need a real server. Install it with "
                    "'apt-get install -y redis-server' (as .ci/run does)")
    import redis

    folder = tmp_path_factory.mktemp("redis")
    for attempt in range(5):
        port = _free_port()
        proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
                                 "no", "--dir", str(folder)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        client = redis.Redis(port=port, socket_connect_timeout=1)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        client.close()
        if proc.poll() is None:
            break
    else:
        pytest.fail(f"redis-server did not start: {proc.stdout.read().decode(errors='replace')[-2000:]}")
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(params=["sqlite", "redis"])
def where(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Callable[[], str]:
    """Where a new index goes, each call another one: an SQLite file, or a Redis prefix."""
    if request.param == "sqlite":
        folder = tmp_path_factory.mktemp("index")
        count = itertools.count()
        return lambda: str(folder / f"i{next(count)}.idx")
    url = request.getfixturevalue("redis_server")
    return lambda: f"{url}?prefix=t{uuid.uuid4().hex}"


def _batch(paths: list[str]) -> tuple[list[dict], list[tuple[str, str]], dict]:
    result = run(paths, CONFIG)
    return ([c.to_dict() for c in result.clusters], sorted((r.id, r.reason) for r in result.rejected),
            result.stats)


def _state(index: Index) -> tuple[list[dict], list[tuple[str, str]]]:
    return [c.to_dict() for c in index.clusters()], sorted((r.id, r.reason) for r in index.rejected())


@pytest.fixture(scope="module")
def periods(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """A generated syndication corpus (invented base, as test_quality_floor makes it) of 360
    documents, split by publication date into 6 consecutive periods: one JSONL file each."""
    gen = load_generator()
    base = invented_base(tmp_path_factory, 16)
    out = tmp_path_factory.mktemp("corpus")
    assert gen.main(["--base", str(base), "--out", str(out), "--docs", "360", "--seed", "16"]) == 0
    rows = [json.loads(line) for line in (out / "docs.jsonl").read_text(encoding="utf-8").splitlines()]
    rows.sort(key=lambda r: (r.get("published", ""), r["id"]))
    paths = []
    k = 6
    for i in range(k):
        path = out / f"period{i}.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in rows[i * len(rows) // k:(i + 1) * len(rows) // k]),
                        encoding="utf-8")
        paths.append(str(path))
    return paths


@pytest.fixture(scope="module")
def batch_of_periods(periods: list[str]) -> tuple[list[dict], list[tuple[str, str]], dict]:
    return _batch(periods)


def test_periods_one_at_a_time_give_the_batch_clusters(periods, batch_of_periods, where):
    clusters, rejected, stats = batch_of_periods
    # The stated condition of the guarantee: no capped bucket in the batch run.
    assert stats["capped_keys"] == 0
    assert len(clusters) < 300  # there are copies to find
    restripped = 0
    with Index.open(where(), CONFIG) as index:
        for path in periods:
            update = index.add([path])
            restripped += update.restripped
        assert _state(index) == (clusters, rejected)
        assert len(index) + len(index.rejected()) == 360
        _assert_keys_are_the_representatives(index)
    # Learned furniture grew as periods came: stored documents were cleaned again.
    assert restripped > 0


def _assert_keys_are_the_representatives(index: Index) -> None:
    """The stored band key entries are exactly those of the exact-copy representatives' texts."""
    from dedupe._stages import sign_partition

    store = index._store
    reps = sorted(n for n, rep, state in store.scan(("rep", "state")) if rep == n and state is None)
    ids = dict(store.scan(("id",)))
    signed = sign_partition([index.document(ids[n]).text or "" for n in reps], index.config.dedup)
    expected = sorted(zip(signed.keys.view("int64").tolist(), [reps[o] for o in signed.owners.tolist()],
                          signed.aux.view("int64").tolist()))
    assert sorted(store.entries()) == sorted(set(expected))


def test_the_order_of_adds_does_not_matter(periods, batch_of_periods, where):
    clusters, rejected, _ = batch_of_periods
    with Index.open(where(), CONFIG) as index:
        for path in reversed(periods):
            index.add([path])
        assert _state(index) == (clusters, rejected)


def test_remove_gives_the_batch_run_over_the_rest(periods, tmp_path, where):
    with Index.open(where(), CONFIG) as index:
        for path in periods:
            index.add([path])
        rows = [json.loads(line) for p in periods for line in Path(p).read_text(encoding="utf-8").splitlines()]
        cut = sorted(r["published"] for r in rows)[len(rows) // 2][:10]
        update = index.remove(before=cut)
        kept = [r for r in rows if r["published"] >= cut]
        assert sorted(update.removed) == sorted(r["id"] for r in rows if r["published"] < cut)
        rest = tmp_path / "rest.jsonl"
        rest.write_text("".join(json.dumps(r) + "\n" for r in kept), encoding="utf-8")
        assert _state(index) == _batch([str(rest)])[:2]
        _assert_keys_are_the_representatives(index)


def test_seeds_split_in_two_give_the_batch_clusters(seeds_dir, tmp_path, where):
    names = sorted(p.name for p in seeds_dir.iterdir())
    halves = [tmp_path / "a", tmp_path / "b"]
    for half, part in zip(halves, (names[::2], names[1::2])):  # 000, 002, 004 | 001, 003
        half.mkdir()
        for name in part:
            shutil.copy(seeds_dir / name, half / name)
    with Index.open(where(), CONFIG) as index:
        first = index.add([str(halves[0])])
        assert len(first.clusters) == 3  # three unrelated stories so far
        second = index.add([str(halves[1])])
        assert _state(index) == _batch([str(seeds_dir)])[:2]
        story = [c for c in index.clusters() if len(c.members) == 3]
        assert len(story) == 1 and sorted(story[0].members) == [n for n in names if n[:3] in ("001", "002", "003")]
        assert story[0].id in {c.id for c in second.clusters}


_WORDS = ("rain", "river", "council", "bridge", "vote", "mayor", "flood", "road", "school", "budget", "police",
          "storm", "north", "south", "market", "price", "water", "power", "train", "court")


def _story(rng: random.Random, n: int) -> list[str]:
    return [" ".join(rng.choice(_WORDS) for _ in range(14)).capitalize() + "." for _ in range(n)]


@settings(max_examples=6, suppress_health_check=[HealthCheck.function_scoped_fixture])  # `where` makes a new index a call
@given(seed=st.integers(0, 10_000), parts=st.integers(1, 4), data=st.data())
def test_any_split_and_order_gives_the_batch_clusters(tmp_path_factory, where, seed, parts, data):
    """Stories, their exact copies (ids above and below the original's), abridged and extended
    copies, split at random into adds in a random order: the batch run's clusters each time."""
    rng = random.Random(seed)
    docs = []
    for s in range(4):
        body = _story(rng, 8)
        docs.append({"id": f"s{s}-m", "text": "\n".join(body), "source": f"o{s % 2}.example"})
        docs.append({"id": f"s{s}-a", "text": "\n".join(body), "source": "copy.example"})  # below: takes over
        docs.append({"id": f"s{s}-z", "text": "\n".join(body[:5]), "source": "copy.example"})
        docs.append({"id": f"s{s}-x", "text": "\n".join(body + _story(rng, 4)), "source": "other.example"})
    docs.append({"id": "empty", "text": "  "})
    groups = [data.draw(st.integers(0, parts - 1)) for _ in docs]
    order = data.draw(st.permutations(range(parts)))
    tmp = tmp_path_factory.mktemp("split")
    all_path = tmp / "all.jsonl"
    all_path.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
    refused = set()  # the index keeps what survives per-document cleaning; the add reports the rest
    with Index.open(where(), CONFIG) as index:
        for g in order:
            part = tmp / f"part{g}.jsonl"
            part.write_text("".join(json.dumps(d) + "\n" for d, dg in zip(docs, groups) if dg == g), encoding="utf-8")
            update = index.add([str(part)])
            refused.update((r.id, r.reason) for r in update.rejected)
        clusters, rejected = _state(index)
    expected_clusters, expected_rejected, _ = _batch([str(all_path)])
    assert clusters == expected_clusters
    assert sorted(refused | set(rejected)) == expected_rejected == [("empty", "empty")]


# ----------------------------------------------------------------------------- kill -9

_KILLER = """
import os, signal, sys
sys.path.insert(0, {src!r})
from dedupe import Index, RunConfig
from dedupe import index as index_module
from dedupe import _index_redis as index_redis
index_redis.LOCK_TTL_S = 2  # the lock a killed writer leaves behind lives 2 s (the next add waits for it)
original = index_module.Index.{where}
def dying(self, *args, **kwargs):
    result = original(self, *args, **kwargs)
    os.kill(os.getpid(), signal.SIGKILL)  # kill -9 in the middle of the add's transaction
    return result
index_module.Index.{where} = dying
with Index.open({path!r}, RunConfig(workers=1)) as index:
    index.add([{input!r}])
"""


def _counts(index: Index) -> dict:
    return {k: v for k, v in index.stats().items() if k not in ("bytes", "path")}


def _snapshot(path: Path | str) -> tuple:
    with Index.open(path, CONFIG) as index:
        s = index.stats()
        return _state(index), {k: v for k, v in s.items() if k not in ("bytes", "path")}


@pytest.mark.parametrize("point", ["_pair_new", "_recluster"])
def test_kill_9_during_add_leaves_the_index_as_before(periods, where, point):
    path = where()
    with Index.open(path, CONFIG) as index:
        index.add(periods[:2])
    before = _snapshot(path)
    script = _KILLER.format(src=SRC, where=point, path=str(path), input=periods[2])
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=300)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()
    assert _snapshot(path) == before
    with Index.open(path, CONFIG) as index:  # the next add works, and the result is the batch's
        index.add(periods[2:4])
        assert _state(index) == _batch(periods[:4])[:2]


def test_kill_9_at_a_random_moment_leaves_a_whole_state(periods, tmp_path):
    """A real ``kill -9`` from outside, at some moment of an add: the index holds the state before
    the add or after it, never a part of it."""
    path = tmp_path / "i.idx"
    with Index.open(path, CONFIG) as index:
        index.add([periods[0]])
    before = _snapshot(path)
    script = (f"import sys; sys.path.insert(0, {SRC!r})\nfrom dedupe import Index, RunConfig\n"
              f"with Index.open({str(path)!r}, RunConfig(workers=1)) as index:\n"
              f"    print('open', flush=True)\n    index.add([{periods[1]!r}])\n")
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE)
    assert proc.stdout.readline().strip() == b"open"
    threading.Event().wait(0.5)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    after = _snapshot(path)
    if after != before:  # the add had committed before the kill
        assert after[0] == _batch(periods[:2])[:2]


# ----------------------------------------------------------------------------- readers and a writer

def test_one_writer_and_readers(periods, tmp_path):
    path = tmp_path / "i.idx"
    Index.open(path, CONFIG).close()
    errors: list[BaseException] = []
    seen_sizes: set[int] = set()
    done = threading.Event()
    first = json.loads(Path(periods[0]).read_text(encoding="utf-8").splitlines()[0])
    probe = dict(first, id="probe")

    def reader() -> None:
        try:
            with Index.open(path, CONFIG) as index:
                while not done.is_set():
                    clusters = index.clusters()
                    members = [m for c in clusters for m in c.members]
                    assert len(members) == len(set(members))  # a partition: no document twice
                    seen_sizes.add(len(members))
                    found, refused = index.query(documents=[probe])
                    assert set(found) | {r.id for r in refused} == {"probe"}
                    if found["probe"]:
                        assert first["id"] in [m.id for m in found["probe"]]  # its exact copy
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=reader) for _ in range(2)]
    for t in threads:
        t.start()
    sizes = [0]
    try:
        with Index.open(path, CONFIG) as writer:
            for p in periods[:4]:
                writer.add([p])
                sizes.append(len(writer))
    finally:
        done.set()
        for t in threads:
            t.join(timeout=120)
    assert not errors, errors
    assert seen_sizes <= set(sizes)  # readers saw whole states only
    with Index.open(path, CONFIG) as index:
        ids = [m for c in index.clusters() for m in c.members] + [r.id for r in index.rejected()]
        expected = [json.loads(line)["id"] for p in periods[:4] for line in Path(p).read_text().splitlines()]
        assert sorted(ids) == sorted(expected)  # nothing lost, nothing twice


_WRITER = """
import sys
sys.path.insert(0, {src!r})
from dedupe import Index, RunConfig
print("ready", flush=True)
sys.stdin.readline()  # both writers start together
with Index.open({where!r}, RunConfig(workers=1)) as index:
    for path in {paths!r}:
        index.add([path])
        print("added", path, flush=True)
"""


def test_two_writers_at_once_lose_nothing_and_give_the_batch_clusters(periods, batch_of_periods, where):
    """Two processes add different halves of the periods at the same time, one period per add (so
    their adds interleave): every document is stored once, and the clusters are the batch run's."""
    target = where()
    Index.open(target, CONFIG).close()
    halves = (periods[0::2], periods[1::2])
    procs = [subprocess.Popen([sys.executable, "-c", _WRITER.format(src=SRC, where=target, paths=half)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for half in halves]
    for proc in procs:
        assert proc.stdout.readline().strip() == b"ready"
    for proc in procs:
        proc.stdin.write(b"go\n")
        proc.stdin.flush()
    for proc in procs:
        out, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err.decode()
        assert out.decode().count("added") == 3
    clusters, rejected, _ = batch_of_periods
    with Index.open(target, CONFIG) as index:
        ids = [m for c in index.clusters() for m in c.members] + [r.id for r in index.rejected()]
        expected = [json.loads(line)["id"] for p in periods for line in Path(p).read_text().splitlines()]
        assert sorted(ids) == sorted(expected)  # nothing lost, nothing twice
        assert _state(index) == (clusters, rejected)
        assert index.stats()["added_by_day"] and len(index) + len(index.rejected()) == len(expected)
        _assert_keys_are_the_representatives(index)


def test_a_document_added_twice_is_rejected_once(seeds_dir, where):
    with Index.open(where(), CONFIG) as index:
        index.add([str(seeds_dir)])
        again = index.add([str(seeds_dir)])
        assert not again.added and {r.reason for r in again.rejected} == {"duplicate-id"}
        assert len(index) == 5


# ----------------------------------------------------------------------------- bad index files

def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _foreign_sqlite(path: Path) -> None:
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE notes (x TEXT)")
    con.execute("INSERT INTO notes VALUES ('mine')")
    con.commit()
    con.close()


@pytest.mark.parametrize("kind", ["text", "empty", "foreign-sqlite", "damaged-index", "truncated-index"])
def test_a_bad_index_file_is_a_clear_error_and_left_untouched(kind, seeds_dir, tmp_path, capsys):
    path = tmp_path / "bad.idx"
    if kind == "text":
        path.write_text("not an index\n")
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "foreign-sqlite":
        _foreign_sqlite(path)
    else:
        with Index.open(path, CONFIG) as index:
            index.add([str(seeds_dir)])
        con = sqlite3.connect(path)
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        con.close()
        data = bytearray(path.read_bytes())
        if kind == "damaged-index":
            page = 4096
            for at in range(2 * page, len(data), 3 * page):  # overwrite pages, header kept
                data[at:at + page] = bytes(range(256)) * (page // 256)
        else:
            data = data[:len(data) // 2]
        path.write_bytes(bytes(data))
    before = _digest(path)
    for argv in (["index", "add", str(path), str(seeds_dir)], ["index", "query", str(path), str(seeds_dir), "-o",
                                                                  str(tmp_path / "q.jsonl")],
                 ["index", "stats", str(path)], ["index", "remove", str(path), "--before", "2030-01-01"]):
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert str(path) in err and ("not a dedupe index" in err or "damaged" in err or "empty" in err), err
        assert _digest(path) == before
    with pytest.raises(IndexFormatError):
        Index.open(path)


def test_other_parameters_are_refused(seeds_dir, where, capsys):
    path = where()
    with Index.open(path, CONFIG) as index:
        index.add([str(seeds_dir)])
    with pytest.raises(IndexMismatchError, match="seed: index 1, asked 7"):
        Index.open(path, RunConfig(dedup=DedupConfig(seed=7)))
    with pytest.raises(IndexMismatchError, match="num_perm: index 128, asked 256"):
        Index.open(path, RunConfig(dedup=DedupConfig(num_perm=256)))
    assert main(["index", "add", path, str(seeds_dir), "--seed", "7"]) == 2
    assert "seed: index 1, asked 7" in capsys.readouterr().err
    with Index.open(path) as index:  # no configuration: the index's own
        assert index.config.dedup.seed == 1 and len(index) == 5


# ----------------------------------------------------------------------------- query and the CLI

def test_query_finds_the_batch_links_and_changes_nothing(seeds_dir, tmp_path, where):
    names = sorted(p.name for p in seeds_dir.iterdir())
    held = tmp_path / "held"
    held.mkdir()
    for name in names:
        if not name.startswith("002"):
            shutil.copy(seeds_dir / name, held / name)
    batch_links = {(l.a, l.b): l for c in run([str(seeds_dir)], CONFIG).clusters for l in c.links}
    with Index.open(where(), CONFIG) as index:
        index.add([str(held)])
        before = _state(index), _counts(index), index._store.generation()
        new = tmp_path / "new"
        new.mkdir()
        shutil.copy(seeds_dir / names[2], new / names[2])
        found, rejected = index.query([str(new)])
        assert not rejected
        matches = found[names[2]]
        linked = {l.a if l.b == names[2] else l.b for l in batch_links.values() if names[2] in (l.a, l.b)}
        assert linked and {m.id for m in matches} == linked
        for m in matches:
            assert m.link == batch_links[(m.link.a, m.link.b)]  # the link a batch run verifies, evidence and all
            assert m.cluster is not None
        assert (_state(index), _counts(index), index._store.generation()) == before


def test_cli_add_query_stats_remove(seeds_dir, tmp_path, where, capsys):
    path = where()
    out = tmp_path / "out"
    assert main(["index", "add", str(path), str(seeds_dir), "-o", str(out), "--day", "2024-04-12", "--workers",
                 "1"]) == 0
    clusters = [json.loads(line) for line in (out / "clusters.jsonl").read_text().splitlines()]
    assert clusters == _batch([str(seeds_dir)])[0]
    assert json.loads((out / "summary.json").read_text())["added"] == 5
    assert len((out / "canonical.jsonl").read_text().splitlines()) == 3
    q = tmp_path / "q.jsonl"
    assert main(["index", "query", str(path), str(seeds_dir / sorted(os.listdir(seeds_dir))[1]), "-o", str(q)]) == 0
    rows = [json.loads(line) for line in q.read_text().splitlines()]
    assert len(rows) == 1 and {m["kind"] for m in rows[0]["matches"]} >= {"syndicated"}
    capsys.readouterr()
    assert main(["index", "stats", str(path)]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["documents"] == 5 and stats["clusters"] == 3 and stats["added_by_day"] == {"2024-04-12": 5}
    assert main(["index", "remove", str(path), "--before", "2024-04-13", "--by", "added"]) == 0
    assert main(["index", "stats", str(path)]) == 0
    assert json.loads(capsys.readouterr().out)["documents"] == 0
    assert main(["index", "stats", str(tmp_path / "missing.idx")]) == 2
    assert main(["index", "remove", str(path), "--before", "yesterday"]) == 2


def test_cli_add_with_a_missing_input_creates_no_index(seeds_dir, tmp_path, capsys):
    path = tmp_path / "i.idx"
    missing = tmp_path / "nowhere.jsonl"
    assert main(["index", "add", str(path), str(seeds_dir), str(missing)]) == 2
    assert "nowhere.jsonl: no such file or directory" in capsys.readouterr().err
    assert not path.exists()


# ----------------------------------------------------------------------------- Redis: what can go wrong

def test_an_unreachable_redis_server_is_a_clear_error(seeds_dir, capsys):
    url = f"redis://127.0.0.1:{_free_port()}/0"  # nothing listens there
    with pytest.raises(DedupeError, match="cannot reach the Redis server"):
        Index.open(url, CONFIG)
    for argv in (["index", "add", url, str(seeds_dir)], ["index", "stats", url]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert url in err and "cannot reach the Redis server" in err, err


@pytest.mark.parametrize("url", ["redis://127.0.0.1:notaport/0", "redis://127.0.0.1:6379/notadb",
                                 "memcached://127.0.0.1:11211"])
def test_a_bad_index_url_is_a_clear_error(url, seeds_dir, capsys):
    with pytest.raises(DedupeError):
        Index.open(url, CONFIG)
    assert main(["index", "add", url, str(seeds_dir)]) == 2
    assert url in capsys.readouterr().err


def test_foreign_redis_keys_are_refused_and_left_untouched(redis_server, seeds_dir, capsys):
    import redis

    prefix = f"t{uuid.uuid4().hex}"
    client = redis.Redis.from_url(redis_server)
    client.set(f"{prefix}:meta", b"someone else's")
    client.hset(f"{prefix}x:meta", mapping={"format": "other", "n": "1"})
    try:
        for p, kind in ((prefix, "string"), (f"{prefix}x", "hash")):
            url = f"{redis_server}?prefix={p}"
            before = client.dump(f"{p}:meta")
            with pytest.raises(IndexFormatError, match="not a dedupe index"):
                Index.open(url, CONFIG)
            assert main(["index", "add", url, str(seeds_dir)]) == 2
            assert "not a dedupe index" in capsys.readouterr().err
            assert client.dump(f"{p}:meta") == before
            assert sorted(client.keys(f"{p}:*")) == [f"{p}:meta".encode()]
    finally:
        client.delete(f"{prefix}:meta", f"{prefix}x:meta")
        client.close()


def test_without_the_redis_package_the_error_names_the_extra(monkeypatch, redis_server):
    monkeypatch.setitem(sys.modules, "redis", None)  # import redis raises ImportError
    with pytest.raises(MissingDependencyError, match=r"pip install 'news-dedupe\[redis\]'"):
        Index.open(redis_server, CONFIG)
