"""Tests of the ``dedupe`` command: outputs, messages, exit status and determinism.

Everything runs in-process through :func:`dedupe.cli.main`, except one test
that calls the installed console command.
"""

from __future__ import annotations

import json
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dedupe.cli import main

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
SEED_IDS = sorted(p.name for p in SEEDS.glob("*.txt"))
OUTPUTS = ("canonical.jsonl", "clusters.jsonl", "rejected.jsonl", "summary.json")
GOOD_TEXT = "Russian military instructors arrived in Niger with an air defence system, state media said.\n"


def rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def summary(outdir: Path) -> dict:
    return json.loads((outdir / "summary.json").read_text(encoding="utf-8"))


def assert_accounted(outdir: Path) -> dict:
    counts = summary(outdir)["counts"]
    assert counts["read"] == counts["canonical"] + counts["duplicates"] + counts["rejected"]
    assert counts["accounted"] is True
    return counts


def assert_no_progress_bar(err: str) -> None:
    assert "\r" not in err and "[#" not in err and "..." not in err


# --------------------------------------------------------------------------- run


def test_run_on_seeds_writes_the_four_outputs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert main(["run", str(SEEDS), "-o", str(out), "--workers", "1"]) == 0
    err = capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUTS)
    clusters = rows(out / "clusters.jsonl")
    members = [m for c in clusters for m in c["members"]]
    assert sorted(members) == SEED_IDS  # every accepted id in exactly one cluster
    for c in clusters:
        assert c["canonical"] == c["members"][0] and c["canonical_reason"]
    canonical = rows(out / "canonical.jsonl")
    assert sorted(d["id"] for d in canonical) == sorted(c["canonical"] for c in clusters)
    assert all(d["text"].strip() and "changes" not in d for d in canonical)
    assert rows(out / "rejected.jsonl") == []
    counts = assert_accounted(out)
    assert counts["read"] == 5 and counts["rejected"] == 0
    # The closing summary line, and nothing else (no progress bar when stderr is not a terminal).
    assert err.splitlines() == [f"dedupe: read 5, cleaned 5, rejected 0; {counts['clusters']} clusters, "
                                f"{counts['duplicates']} duplicates -> {out}"]
    assert_no_progress_bar(err)


def test_run_explain_lists_changes_in_canonical(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["run", str(SEEDS), "-o", str(out), "--explain", "-q", "--workers", "1"]) == 0
    for doc in rows(out / "canonical.jsonl"):
        assert isinstance(doc["changes"], list)
        assert all(c["rule"] for c in doc["changes"])


def test_run_quiet_prints_nothing_for_a_clean_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", str(SEEDS), "-o", str(tmp_path / "out"), "--quiet", "--workers", "1"]) == 0
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""


def test_run_with_rejections_exits_0_and_reports_each(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inp = tmp_path / "in"
    shutil.copytree(SEEDS, inp)
    (inp / "blank.txt").write_text("\n", encoding="utf-8")
    (inp / "bin.txt").write_bytes(b"\x00\x01")
    out = tmp_path / "out"
    assert main(["run", str(inp), "-o", str(out), "--workers", "1"]) == 0
    err = capsys.readouterr().err
    assert re.search(rf"^dedupe: skipped {re.escape(str(inp / 'blank.txt'))}: .* \[empty\]$", err, re.M), err
    assert re.search(rf"^dedupe: skipped {re.escape(str(inp / 'bin.txt'))}: .* \[binary\]$", err, re.M), err
    assert "read 7, cleaned 5, rejected 2" in err
    assert {(r["id"], r["reason"]) for r in rows(out / "rejected.jsonl")} == {("blank.txt", "empty"), ("bin.txt", "binary")}
    assert assert_accounted(out)["read"] == 7


def test_many_rejections_are_capped_on_stderr_but_all_listed(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "in.jsonl"
    lines = [json.dumps({"id": "ok", "text": GOOD_TEXT})] + ["{bad"] * 30
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", str(path), "-o", str(out), "--workers", "1"]) == 0
    err = capsys.readouterr().err
    assert err.count("[malformed-json]") == 20
    assert "every one is listed in rejected.jsonl" in err
    assert len(rows(out / "rejected.jsonl")) == 30
    assert assert_accounted(out)["read"] == 31


def test_run_reads_jsonl_from_stdin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    import io

    data = "".join(json.dumps({"id": p.name, "text": p.read_text(encoding="utf-8")}) + "\n"
                   for p in sorted(SEEDS.glob("*.txt")))
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data.encode()), encoding="utf-8"))
    out = tmp_path / "out"
    assert main(["run", "-", "-o", str(out), "-q", "--workers", "1"]) == 0
    assert sorted(m for c in rows(out / "clusters.jsonl") for m in c["members"]) == SEED_IDS


# --------------------------------------------------------------------------- clean


def test_clean_explain_names_the_rule_of_every_change(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "clean.jsonl"
    assert main(["clean", str(SEEDS), "-o", str(out), "--explain", "--workers", "1"]) == 0
    err = capsys.readouterr().err
    docs = {d["id"]: d for d in rows(out)}
    assert sorted(docs) == SEED_IDS
    for doc in docs.values():
        assert isinstance(doc["changes"], list)
        for change in doc["changes"]:
            assert change["rule"] and ("removed" in change or "before" in change)
    audio = [c for c in docs["000_ea5ec20f11802e9d.txt"]["changes"] if c["rule"] == "audio_widget"]
    assert [c["removed"] for c in audio] == ["Audio By Carbonatix"]
    assert "Audio By Carbonatix" not in docs["000_ea5ec20f11802e9d.txt"]["text"]
    footer = [c for c in docs["003_7b6072c9e044c106.txt"]["changes"] if c["rule"] == "syndication_footer"]
    assert len(footer) == 1 and footer[0]["removed"].startswith("Source link")
    assert footer[0]["removed"] not in docs["003_7b6072c9e044c106.txt"]["text"]
    assert err.splitlines() == [f"dedupe: read 5, cleaned 5, rejected 0 -> {out}"]


def test_clean_without_explain_has_no_changes(tmp_path: Path) -> None:
    out = tmp_path / "clean.jsonl"
    assert main(["clean", str(SEEDS), "-o", str(out), "-q", "--workers", "1"]) == 0
    docs = rows(out)
    assert len(docs) == 5 and all("changes" not in d and d["text"] for d in docs)


def test_clean_with_nothing_usable_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inp = tmp_path / "in"
    inp.mkdir()
    (inp / "blank.txt").write_text("   ", encoding="utf-8")
    out = tmp_path / "clean.jsonl"
    assert main(["clean", str(inp), "-o", str(out), "--workers", "1"]) == 1
    assert str(inp / "blank.txt") in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == ""


# --------------------------------------------------------------------------- dedup


def test_dedup_on_clean_text_groups_copies(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cleaned = tmp_path / "clean.jsonl"
    assert main(["clean", str(SEEDS), "-o", str(cleaned), "-q", "--workers", "1"]) == 0
    out = tmp_path / "out"
    assert main(["dedup", str(cleaned), "-o", str(out), "--workers", "1"]) == 0
    err = capsys.readouterr().err
    clusters = rows(out / "clusters.jsonl")
    assert sorted(m for c in clusters for m in c["members"]) == SEED_IDS
    assert any(len(c["members"]) > 1 for c in clusters)
    assert rows(out / "rejected.jsonl") == []
    assert assert_accounted(out)["read"] == 5
    assert "read 5, cleaned 5, rejected 0" in err


def test_dedup_rejects_html_with_a_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inp = tmp_path / "in"
    shutil.copytree(SEEDS, inp)
    (inp / "page.html").write_text("<html><body><p>" + GOOD_TEXT + "</p></body></html>", encoding="utf-8")
    jl = tmp_path / "more.jsonl"
    jl.write_text(json.dumps({"id": "h", "html": "<p>" + GOOD_TEXT + "</p>"}) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["dedup", str(inp), str(jl), "-o", str(out), "--workers", "1"]) == 0
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if "skipped" in line]
    assert len(lines) == 2
    assert str(inp / "page.html") in lines[0] and "dedupe run" in lines[0]
    assert f"{jl}:1" in lines[1]
    rejected = rows(out / "rejected.jsonl")
    assert [(r["id"], r["reason"]) for r in rejected] == [("page.html", "bad-field"), ("h", "bad-field")]
    assert sorted(m for c in rows(out / "clusters.jsonl") for m in c["members"]) == SEED_IDS
    assert assert_accounted(out)["read"] == 7


# --------------------------------------------------------------------------- exit status


def test_all_rejected_exits_1_and_still_writes_outputs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inp = tmp_path / "in"
    inp.mkdir()
    (inp / "blank.txt").write_text("\n", encoding="utf-8")
    (inp / "bin.txt").write_bytes(b"\x00")
    out = tmp_path / "out"
    assert main(["run", str(inp), "-o", str(out), "--workers", "1"]) == 1
    assert "rejected 2" in capsys.readouterr().err
    assert len(rows(out / "rejected.jsonl")) == 2 and rows(out / "clusters.jsonl") == []
    assert assert_accounted(out)["read"] == 2


def test_no_documents_exits_1(tmp_path: Path) -> None:
    inp = tmp_path / "empty"
    inp.mkdir()
    (inp / "readme.md").write_text("not an input\n", encoding="utf-8")
    assert main(["run", str(inp), "-o", str(tmp_path / "out"), "-q", "--workers", "1"]) == 1
    assert summary(tmp_path / "out")["counts"]["read"] == 0
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", encoding="utf-8")
    assert main(["dedup", str(empty), "-o", str(tmp_path / "out2"), "-q", "--workers", "1"]) == 1


@pytest.mark.parametrize("argv", [
    ["run", str(SEEDS), "-o", "OUT", "--no-such-option"],
    ["run", str(SEEDS)],  # -o is required
    ["frobnicate", str(SEEDS)],
    ["run", str(SEEDS), "-o", "OUT", "--canonical", "random"],
    ["run", str(SEEDS), "-o", "OUT", "--workers", "many"],
])
def test_wrong_invocation_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    argv = [str(tmp_path / "out") if a == "OUT" else a for a in argv]
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    assert "usage:" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("command", ["run", "clean", "dedup"])
def test_missing_input_path_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str) -> None:
    missing = tmp_path / "nope"
    assert main([command, str(missing), "-o", str(tmp_path / "out"), "--workers", "1"]) == 2
    err = capsys.readouterr().err
    assert err.splitlines() == [f"dedupe: {missing}: no such file or directory"]


def test_unknown_input_format_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    csv = tmp_path / "in.csv"
    csv.write_text("id,text\n", encoding="utf-8")
    assert main(["run", str(SEEDS), str(csv), "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert str(csv) in err and "unknown input format" in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("option, field", [
    (["--workers", "-1"], "workers"),
    (["--num-perm", "4"], "num_perm"),
    (["--rules", "audio_widget,no_such_rule"], "rules"),
])
def test_bad_config_value_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str], option: list[str],
                                  field: str) -> None:
    assert main(["run", str(SEEDS), "-o", str(tmp_path / "out"), *option]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and f"{field}=" in err and "out of range" in err
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------- determinism


def make_corpus(root: Path, n: int = 300) -> None:
    """``n`` small documents recombined from seed sentences, with exact and near copies."""
    sentences = sorted({
        s.strip()
        for p in SEEDS.glob("*.txt")
        for s in re.split(r"(?<=[.!?])\s+", p.read_text(encoding="utf-8"))
        if len(s.split()) >= 6
    })
    rng = random.Random(1234)
    texts: list[str] = []
    for i in range(n):
        if i >= 40 and i % 10 == 0:
            texts.append(texts[rng.randrange(len(texts))])  # exact copy
        elif i >= 40 and i % 10 == 5:
            base = texts[rng.randrange(len(texts))].split("\n")
            texts.append("\n".join(base[:-1] + [rng.choice(sentences)]))  # near copy
        else:
            texts.append("\n".join(rng.sample(sentences, rng.randint(4, 8))))
    for i, text in enumerate(texts):
        sub = root / f"part{i % 3}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"doc{i:04d}.txt").write_text(text + "\n", encoding="utf-8")
    (root / "part0" / "blank.txt").write_text("\n", encoding="utf-8")  # so rejected.jsonl is not empty


def test_outputs_are_byte_identical_across_runs_and_worker_counts(tmp_path: Path, pool_spy: list[int]) -> None:
    inp = tmp_path / "corpus"
    make_corpus(inp)
    pools = pool_spy
    outs = []
    for name, workers in (("a", "1"), ("b", "1"), ("c", "2")):
        out = tmp_path / name
        assert main(["run", str(inp), "-o", str(out), "-q", "--workers", workers]) == 0
        outs.append(out)
    assert pools and set(pools) == {2}  # the process pool was really used, by the --workers 2 run only
    first = outs[0]
    counts = assert_accounted(first)
    assert counts["read"] == 301 and counts["rejected"] == 1 and counts["duplicates"] >= 26
    for other in outs[1:]:
        for name in ("canonical.jsonl", "clusters.jsonl", "rejected.jsonl"):
            assert (first / name).read_bytes() == (other / name).read_bytes(), name
        a, b = summary(first), summary(other)
        assert a.pop("timings_s").keys() == b.pop("timings_s").keys()
        assert a == b


# --------------------------------------------------------------------------- the installed command


def test_installed_console_command_runs_on_seeds(tmp_path: Path) -> None:
    exe = shutil.which("dedupe") or str(Path(sys.executable).parent / "dedupe")
    assert Path(exe).exists(), "the 'dedupe' console command is not installed (pip install -e .)"
    proc = subprocess.run([exe, "run", str(SEEDS), "-o", str(tmp_path / "out")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    assert proc.stderr.startswith("dedupe: read 5, cleaned 5, rejected 0;")
    assert_no_progress_bar(proc.stderr)
    assert_accounted(tmp_path / "out")


# --------------------------------------------------------------------------- accounting and internal errors


def test_a_result_that_loses_an_input_fails_the_accounting_check_with_exit_3(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import dataclasses

    import dedupe.cli

    real_run = dedupe.cli.run

    def lossy_run(*args, **kwargs):  # type: ignore[no-untyped-def]
        result = real_run(*args, **kwargs)
        # A cluster silently lost: its members are in no output.
        return dataclasses.replace(result, clusters=result.clusters[:-1])

    monkeypatch.setattr(dedupe.cli, "run", lossy_run)
    out = tmp_path / "out"
    assert main(["run", str(SEEDS), "-o", str(out), "--workers", "1"]) == 3
    err = capsys.readouterr().err
    assert "internal error: the outputs do not account for every input" in err
    counts = summary(out)["counts"]
    assert counts["accounted"] is False
    # The sum alone would not notice (duplicates is cleaned - clusters); the member check does.
    assert counts["read"] == counts["canonical"] + counts["duplicates"] + counts["rejected"]
    assert counts["accounting_problems"] == ["1 accepted id(s) in no cluster, 0 unknown id(s) in clusters"]


def test_an_unexpected_exception_is_an_internal_error_exit_3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    import dedupe.cli

    def broken_run(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")

    monkeypatch.setattr(dedupe.cli, "run", broken_run)
    assert main(["run", str(SEEDS), "-o", str(tmp_path / "out"), "--workers", "1"]) == 3
    err = capsys.readouterr().err
    assert err.splitlines() == ["dedupe: internal error, a bug: please report it (run with -v for the traceback): "
                                "RuntimeError: boom"]
    assert main(["run", str(SEEDS), "-o", str(tmp_path / "out"), "--workers", "1", "-v"]) == 3
    assert "Traceback" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_main_restores_the_sigterm_handler(tmp_path: Path) -> None:
    import signal

    before = signal.getsignal(signal.SIGTERM)
    assert main(["run", str(SEEDS), "-o", str(tmp_path / "out"), "-q", "--workers", "1"]) == 0
    assert signal.getsignal(signal.SIGTERM) is before
