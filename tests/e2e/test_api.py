"""The curated library surface: users import from `dedupe`, never from private modules."""

from __future__ import annotations

import dedupe

EXPECTED = {
    "__version__",
    "clean_text", "clean_html", "clean_document", "CleanResult",
    "deduplicate", "run", "read_inputs", "write_outputs", "write_report",
    "Cluster", "Link", "DedupResult", "RunResult",
    "Document", "Rejected", "Change",
    "CleanConfig", "DedupConfig", "RunConfig", "Limits", "FieldMap",
    "DedupeError", "ConfigError", "InputError", "MissingDependencyError",
    "Index", "IndexUpdate", "Match", "IndexFormatError", "IndexMismatchError", "EngineError",
}


def test_all_is_the_curated_surface():
    assert set(dedupe.__all__) == EXPECTED
    assert len(dedupe.__all__) == len(set(dedupe.__all__))
    for name in dedupe.__all__:
        assert hasattr(dedupe, name), name


def test_public_callables_are_documented_and_typed():
    for name in dedupe.__all__:
        obj = getattr(dedupe, name)
        if callable(obj):
            assert (obj.__doc__ or "").strip(), f"{name} has no docstring"
    for fn in (dedupe.clean_text, dedupe.clean_html, dedupe.deduplicate, dedupe.run):
        assert "return" in fn.__annotations__, fn.__name__


def test_library_round_trip():
    docs = [
        {"id": "a", "text": "Troops arrived in the capital on Wednesday with new equipment for the army. "
                            "The minister said the equipment would help control the airspace."},
        {"id": "b", "text": "Troops arrived in the capital on Wednesday with new equipment for the army. "
                            "The minister said the equipment would help control the airspace."},
        {"id": "c", "text": "A completely different story about football results and a cup final in May."},
    ]
    result = dedupe.deduplicate(docs)
    groups = sorted(sorted(c.members) for c in result.clusters)
    assert groups == [["a", "b"], ["c"]]
    assert [d.id for d in result.canonical_documents()] == ["a", "c"]


def test_errors_share_a_root():
    for exc in (dedupe.ConfigError, dedupe.InputError, dedupe.MissingDependencyError, dedupe.EngineError):
        assert issubclass(exc, dedupe.DedupeError)


def test_config_errors_teach():
    import pytest

    with pytest.raises(dedupe.ConfigError, match=r"num_perm=8 is out of range: expected 16\.\.1024"):
        dedupe.DedupConfig(num_perm=8)
    with pytest.raises(dedupe.ConfigError, match="rules"):
        dedupe.CleanConfig(rules=("no_such_rule",))
