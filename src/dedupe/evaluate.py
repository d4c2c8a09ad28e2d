"""Clustering quality metrics: score predicted clusters against a gold labelling.

Formats
-------
Gold (``gold.jsonl``), one JSON object per line and one line per document::

    {"id": "d000123", "cluster": "c000042", "kind": "abridged"}

``kind`` is optional (``"original"``, ``"repost"``, ``"abridged"``,
``"edited"``, ``"partial"``, ``"noisy"``, ``"heavy"``, ``"unrelated"``, ...);
any string is accepted.

Predictions (the tool's ``clusters.jsonl``), one JSON object per predicted
cluster::

    {"cluster": "k17", "canonical": "d000123", "members": ["d000123", "d004711"], "links": [...]}

``canonical`` (when present) must be one of ``members``; ``links`` and any
other keys are ignored. A document may belong to one predicted cluster only.
Blank lines are skipped in both files. A malformed line raises
:class:`ValueError` naming the file, the line number and the problem.

Definitions
-----------
Documents are scored over the gold ids. A gold id absent from the predictions
is reported in :attr:`EvalReport.only_in_gold` and scored as a predicted
singleton; a predicted id absent from gold is reported in
:attr:`EvalReport.only_in_predicted` and otherwise ignored.

Everything is computed from the contingency table ``n[g, p]`` (documents in
gold cluster ``g`` and predicted cluster ``p``) with row sums ``a[g]``, column
sums ``b[p]``, ``N`` documents and ``C(x) = x * (x - 1) / 2`` (pairs among x),
so the cost is linear in the number of documents, never quadratic:

* true-positive pairs ``T = sum C(n[g, p])`` (same gold and same predicted
  cluster), gold pairs ``A = sum C(a[g])``, predicted pairs ``B = sum C(b[p])``;
* pairwise precision ``T / B`` (1.0 when ``B == 0``: no predicted pair, so no
  wrong one), recall ``T / A`` (1.0 when ``A == 0``), F1 their harmonic mean
  (0.0 when both are 0);
* adjusted Rand index (Hubert and Arabie, 1985)::

      ARI = (T - A*B/C(N)) / ((A + B)/2 - A*B/C(N))

  computed in exact integer arithmetic. The denominator is zero only when
  both partitions are all singletons, or both put every document in one
  cluster, or ``N < 2``; the two partitions are then identical and ARI is
  defined as 1.0 (the convention of scikit-learn).
* recall per kind: for a kind ``k``, the gold pairs ``(d, e)`` (same gold
  cluster) where ``d`` or ``e`` has kind ``k``, and the share of them that
  are also in the same predicted cluster. A pair whose two documents have
  different kinds counts once under each kind; a pair of two documents of
  kind ``k`` counts once under ``k``. Per gold cluster of size ``n`` with
  ``c`` documents of kind ``k`` there are ``C(n) - C(n - c)`` such pairs (and
  per contingency cell likewise). Rows without ``kind`` contribute to no
  per-kind figure, but their pairs with kinded documents do count under the
  other document's kind. The recall of a kind with no pairs (for example
  ``"unrelated"``, whose documents are alone in their gold cluster) is
  ``None``. This figure mixes kinds: a repost whose cluster also holds a
  heavy copy that was missed loses that pair too.
* recall to the original per kind: for the documents of kind ``k`` whose gold
  cluster holds exactly one document of kind ``"original"`` (the source they
  were copied from), the share that are in the original's predicted cluster.
  It answers "was this copy found?" for each kind on its own. ``None`` when no
  document of the kind has an original (and for ``"original"`` itself).

>>> gold = [GoldRow("a", "x"), GoldRow("b", "x"), GoldRow("c", "y")]
>>> r = evaluate(gold, {"a": "1", "b": "1", "c": "2"})
>>> (r.precision, r.recall, r.f1, r.ari)
(1.0, 1.0, 1.0, 1.0)
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Hashable, Mapping, Sequence

__all__ = [
    "GoldRow",
    "KindRecall",
    "EvalReport",
    "load_gold",
    "load_clusters",
    "evaluate",
    "format_report",
]


@dataclass(frozen=True)
class GoldRow:
    """One gold label: document ``id`` belongs to gold cluster ``cluster``; ``kind`` is optional."""

    id: str
    cluster: str
    kind: str | None = None


@dataclass(frozen=True)
class KindRecall:
    """Pair recall restricted to the gold pairs that involve a document of one kind.

    ``documents`` is the number of gold documents of the kind, ``pairs`` the
    number of gold pairs with at least one document of the kind, ``recalled``
    how many of those are in the same predicted cluster, and ``recall``
    ``recalled / pairs`` (``None`` when ``pairs == 0``).
    """

    kind: str
    documents: int
    pairs: int
    recalled: int
    with_original: int = 0  # documents of the kind whose gold cluster has one original
    joined_original: int = 0  # of those, how many share the original's predicted cluster

    @property
    def recall(self) -> float | None:
        """``recalled / pairs``, or None when the kind has no gold pairs."""
        return self.recalled / self.pairs if self.pairs else None

    @property
    def original_recall(self) -> float | None:
        """``joined_original / with_original``, or None when no document of the kind has an original."""
        return self.joined_original / self.with_original if self.with_original else None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"documents": self.documents, "pairs": self.pairs, "recalled": self.recalled, "recall": self.recall,
                "with_original": self.with_original, "joined_original": self.joined_original,
                "original_recall": self.original_recall}


@dataclass(frozen=True)
class EvalReport:
    """The result of :func:`evaluate` (see the module docstring for the definitions).

    ``n_documents`` is the number of gold documents (the scored universe);
    ``n_predicted_clusters`` counts the predicted clusters over that universe,
    a gold document missing from the predictions counting as one singleton
    cluster. ``only_in_gold`` and ``only_in_predicted`` are sorted.
    """

    n_documents: int
    n_gold_clusters: int
    n_predicted_clusters: int
    gold_pairs: int
    predicted_pairs: int
    true_positive_pairs: int
    precision: float
    recall: float
    f1: float
    ari: float
    only_in_gold: tuple[str, ...]
    only_in_predicted: tuple[str, ...]
    per_kind: tuple[KindRecall, ...]

    def kind(self, name: str) -> KindRecall | None:
        """The per-kind figure for ``name``, or None when no gold row has that kind."""
        for k in self.per_kind:
            if k.kind == name:
                return k
        return None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (missing-id lists in full, per-kind figures keyed by kind)."""
        return {
            "n_documents": self.n_documents,
            "n_gold_clusters": self.n_gold_clusters,
            "n_predicted_clusters": self.n_predicted_clusters,
            "gold_pairs": self.gold_pairs,
            "predicted_pairs": self.predicted_pairs,
            "true_positive_pairs": self.true_positive_pairs,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "ari": self.ari,
            "only_in_gold": list(self.only_in_gold),
            "only_in_predicted": list(self.only_in_predicted),
            "per_kind": {k.kind: k.to_dict() for k in self.per_kind},
        }


# --------------------------------------------------------------------------- loading


def _json_lines(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """The JSON objects of a JSONL file with their 1-based line numbers (blank lines skipped)."""
    rows: list[tuple[int, dict[str, Any]]] = []
    with path.open("r", encoding="utf-8-sig", newline=None) as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{lineno}: invalid JSON: {exc.msg} (column {exc.colno})") from None
            if not isinstance(obj, dict):
                raise ValueError(f"{path}:{lineno}: expected a JSON object, got {type(obj).__name__}")
            rows.append((lineno, obj))
    return rows


def _require_str(obj: Mapping[str, Any], key: str, path: Path, lineno: int) -> str:
    value = obj.get(key)
    if value is None:
        raise ValueError(f"{path}:{lineno}: missing field {key!r}")
    if not isinstance(value, str) or not value:
        raise ValueError(f"{path}:{lineno}: field {key!r} must be a non-empty string, got {value!r}")
    return value


def load_gold(path: str | Path) -> list[GoldRow]:
    """Read a gold JSONL file (``{"id", "cluster", "kind"?}`` per line), in file order.

    Raises ValueError (naming the file and line) on invalid JSON, a missing or
    non-string ``id``/``cluster``, a non-string ``kind``, or a repeated ``id``.
    """
    p = Path(path)
    out: list[GoldRow] = []
    first_line: dict[str, int] = {}
    for lineno, obj in _json_lines(p):
        doc_id = _require_str(obj, "id", p, lineno)
        cluster = _require_str(obj, "cluster", p, lineno)
        kind = obj.get("kind")
        if kind is not None and not isinstance(kind, str):
            raise ValueError(f"{p}:{lineno}: field 'kind' must be a string, got {kind!r}")
        if doc_id in first_line:
            raise ValueError(f"{p}:{lineno}: duplicate id {doc_id!r} (first on line {first_line[doc_id]})")
        first_line[doc_id] = lineno
        out.append(GoldRow(doc_id, cluster, kind or None))
    return out


def load_clusters(path: str | Path) -> dict[str, str]:
    """Read the tool's ``clusters.jsonl`` into a mapping document id -> predicted cluster id.

    Raises ValueError (naming the file and line) on invalid JSON, a missing or
    non-string ``cluster``, ``members`` that is not a non-empty list of
    strings, a ``canonical`` that is not one of the members, a cluster id
    used twice, or a document listed in two clusters.
    """
    p = Path(path)
    mapping: dict[str, str] = {}
    member_line: dict[str, int] = {}
    cluster_line: dict[str, int] = {}
    for lineno, obj in _json_lines(p):
        cluster = _require_str(obj, "cluster", p, lineno)
        if cluster in cluster_line:
            first = cluster_line[cluster]
            raise ValueError(f"{p}:{lineno}: duplicate cluster id {cluster!r} (first on line {first})")
        cluster_line[cluster] = lineno
        members = obj.get("members")
        if not isinstance(members, list) or not members:
            raise ValueError(f"{p}:{lineno}: field 'members' must be a non-empty list, got {members!r}")
        for m in members:
            if not isinstance(m, str) or not m:
                raise ValueError(f"{p}:{lineno}: 'members' must hold non-empty strings, got {m!r}")
            if m in member_line:
                raise ValueError(
                    f"{p}:{lineno}: document {m!r} is in two clusters (first on line {member_line[m]})"
                )
            member_line[m] = lineno
            mapping[m] = cluster
        canonical = obj.get("canonical")
        if canonical is not None and canonical not in members:
            raise ValueError(f"{p}:{lineno}: canonical {canonical!r} is not one of the members")
    return mapping


# --------------------------------------------------------------------------- scoring


#: The gold kind of the document the other members of a cluster were copied from.
ORIGINAL = "original"


def _pairs(n: int) -> int:
    """Number of unordered pairs among ``n`` items."""
    return n * (n - 1) // 2


def evaluate(gold: Sequence[GoldRow], predicted: Mapping[str, str]) -> EvalReport:
    """Score ``predicted`` (document id -> cluster id) against ``gold``.

    Linear in the number of documents. Raises ValueError when ``gold`` is
    empty or repeats an id.

    >>> gold = [GoldRow("a", "x"), GoldRow("b", "x"), GoldRow("c", "x")]
    >>> r = evaluate(gold, {"a": "1", "b": "1"})
    >>> r.only_in_gold, r.true_positive_pairs, r.gold_pairs, r.predicted_pairs
    (('c',), 1, 3, 1)
    """
    if not gold:
        raise ValueError("gold is empty: nothing to evaluate")
    gold_of: dict[str, str] = {}
    kind_of: dict[str, str] = {}
    for row in gold:
        if row.id in gold_of:
            raise ValueError(f"duplicate gold id {row.id!r}")
        gold_of[row.id] = row.cluster
        if row.kind is not None:
            kind_of[row.id] = row.kind

    # Predicted label per gold document; a missing one is its own singleton. Tagged
    # tuples keep synthetic singleton labels apart from any real cluster id.
    pred_of: dict[str, Hashable] = {}
    only_in_gold: list[str] = []
    for doc_id in gold_of:
        if doc_id in predicted:
            pred_of[doc_id] = ("p", predicted[doc_id])
        else:
            pred_of[doc_id] = ("missing", doc_id)
            only_in_gold.append(doc_id)
    only_in_predicted = sorted(d for d in predicted if d not in gold_of)

    gold_sizes: Counter[str] = Counter(gold_of.values())
    pred_sizes: Counter[Hashable] = Counter(pred_of.values())
    cells: Counter[tuple[str, Hashable]] = Counter((gold_of[d], pred_of[d]) for d in gold_of)
    # Documents of each kind per gold cluster and per contingency cell.
    kind_gold: Counter[tuple[str, str]] = Counter()
    kind_cell: Counter[tuple[str, str, Hashable]] = Counter()
    kind_docs: Counter[str] = Counter()
    for doc_id, kind in kind_of.items():
        kind_docs[kind] += 1
        kind_gold[(kind, gold_of[doc_id])] += 1
        kind_cell[(kind, gold_of[doc_id], pred_of[doc_id])] += 1

    n = len(gold_of)
    t = sum(_pairs(c) for c in cells.values())
    a = sum(_pairs(c) for c in gold_sizes.values())
    b = sum(_pairs(c) for c in pred_sizes.values())
    precision = t / b if b else 1.0
    recall = t / a if a else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0

    # ARI = (T - A*B/M) / ((A+B)/2 - A*B/M) with M = C(N); multiplied through by 2M
    # so that numerator and denominator are exact integers.
    m = _pairs(n)
    numerator = 2 * (m * t - a * b)
    denominator = m * (a + b) - 2 * a * b
    ari = numerator / denominator if denominator else 1.0

    # Pairs with at least one document of the kind: all pairs minus those among the others.
    kind_pairs: Counter[str] = Counter()
    kind_recalled: Counter[str] = Counter()
    for (kind, g), c in kind_gold.items():
        kind_pairs[kind] += _pairs(gold_sizes[g]) - _pairs(gold_sizes[g] - c)
    for (kind, g, p), c in kind_cell.items():
        kind_recalled[kind] += _pairs(cells[(g, p)]) - _pairs(cells[(g, p)] - c)
    # Each copy against its gold cluster's single original.
    originals: dict[str, list[str]] = {}
    for doc_id, kind in kind_of.items():
        if kind == ORIGINAL:
            originals.setdefault(gold_of[doc_id], []).append(doc_id)
    with_original: Counter[str] = Counter()
    joined_original: Counter[str] = Counter()
    for doc_id, kind in kind_of.items():
        source = originals.get(gold_of[doc_id], [])
        if kind != ORIGINAL and len(source) == 1:
            with_original[kind] += 1
            joined_original[kind] += pred_of[doc_id] == pred_of[source[0]]
    per_kind = [KindRecall(k, kind_docs[k], kind_pairs[k], kind_recalled[k], with_original[k], joined_original[k])
                for k in sorted(kind_docs)]

    return EvalReport(
        n_documents=n,
        n_gold_clusters=len(gold_sizes),
        n_predicted_clusters=len(pred_sizes),
        gold_pairs=a,
        predicted_pairs=b,
        true_positive_pairs=t,
        precision=precision,
        recall=recall,
        f1=f1,
        ari=ari,
        only_in_gold=tuple(sorted(only_in_gold)),
        only_in_predicted=tuple(only_in_predicted),
        per_kind=tuple(per_kind),
    )


# --------------------------------------------------------------------------- report


def _ids_preview(ids: Sequence[str], limit: int = 5) -> str:
    if not ids:
        return ""
    shown = ", ".join(ids[:limit])
    more = f", ... (+{len(ids) - limit})" if len(ids) > limit else ""
    return f"  ({shown}{more})"


def format_report(report: EvalReport) -> str:
    """A small fixed-width text table of ``report`` (no trailing newline).

    >>> r = evaluate([GoldRow("a", "x", "original"), GoldRow("b", "x", "repost")], {"a": "1", "b": "1"})
    >>> print(format_report(r))
    documents                 2
    gold clusters             1
    predicted clusters        1
    gold pairs                1
    predicted pairs           1
    true-positive pairs       1
    precision            1.0000
    recall               1.0000
    f1                   1.0000
    adjusted rand        1.0000
    only in gold              0
    only in predictions       0
    <BLANKLINE>
    kind          docs     pairs  recalled   recall  to original
    original         1         1         1   1.0000            -
    repost           1         1         1   1.0000       1.0000
    """
    lines = [
        f"{'documents':<20}{report.n_documents:>7}",
        f"{'gold clusters':<20}{report.n_gold_clusters:>7}",
        f"{'predicted clusters':<20}{report.n_predicted_clusters:>7}",
        f"{'gold pairs':<20}{report.gold_pairs:>7}",
        f"{'predicted pairs':<20}{report.predicted_pairs:>7}",
        f"{'true-positive pairs':<20}{report.true_positive_pairs:>7}",
        f"{'precision':<20}{report.precision:>7.4f}",
        f"{'recall':<20}{report.recall:>7.4f}",
        f"{'f1':<20}{report.f1:>7.4f}",
        f"{'adjusted rand':<20}{report.ari:>7.4f}",
        f"{'only in gold':<20}{len(report.only_in_gold):>7}{_ids_preview(report.only_in_gold)}",
        f"{'only in predictions':<20}{len(report.only_in_predicted):>7}{_ids_preview(report.only_in_predicted)}",
    ]
    if report.per_kind:
        lines.append("")
        w = max(10, max(len(k.kind) for k in report.per_kind) + 2)
        lines.append(f"{'kind':<{w}}{'docs':>8}{'pairs':>10}{'recalled':>10}{'recall':>9}{'to original':>13}")
        for k in report.per_kind:
            rec = f"{k.recall:.4f}" if k.recall is not None else "-"
            orig = f"{k.original_recall:.4f}" if k.original_recall is not None else "-"
            lines.append(f"{k.kind:<{w}}{k.documents:>8}{k.pairs:>10}{k.recalled:>10}{rec:>9}{orig:>13}")
    return "\n".join(lines)
