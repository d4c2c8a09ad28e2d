"""An index built before a setting existed opens with the code that has it (issue 19 turned four
verdict constants into DedupConfig settings; their defaults are the old constants)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

import dedupe
from dedupe import DedupConfig, IndexMismatchError, RunConfig

NEW = ("near_duplicate_jaccard", "near_duplicate_larger_coverage", "sentence_min_bigrams", "sentence_min_content_words")
TEXT = ("Troops arrived in the capital on Wednesday with new equipment for the army. "
        "The minister said the equipment would help control the airspace over the north.")


def _as_if_older(path: Path) -> None:
    """Rewrite the index's stored parameters as an index built before NEW were settings."""
    con = sqlite3.connect(path)
    params = json.loads(con.execute("SELECT value FROM meta WHERE name = 'params'").fetchone()[0])
    for name in NEW:
        del params["dedup"][name]
    con.execute("UPDATE meta SET value = ? WHERE name = 'params'", (json.dumps(params, sort_keys=True),))
    con.commit()
    con.close()


def test_an_index_from_before_new_settings_opens_at_their_defaults(tmp_path: Path) -> None:
    path = tmp_path / "news.idx"
    with dedupe.Index.open(path) as index:
        index.add(documents=[{"id": "a", "text": TEXT}])
    _as_if_older(path)
    with dedupe.Index.open(path) as index:  # its own parameters
        assert [getattr(index.config.dedup, n) for n in NEW] == [getattr(DedupConfig(), n) for n in NEW]
        update = index.add(documents=[{"id": "b", "text": TEXT}])
        assert update is not None
    with dedupe.Index.open(path, RunConfig()):  # the defaults are what it was built with
        pass
    with pytest.raises(IndexMismatchError, match=r"dedup\.near_duplicate_jaccard: index 0\.9, asked 0\.8"):
        dedupe.Index.open(path, RunConfig(dedup=DedupConfig(near_duplicate_jaccard=0.8)))
