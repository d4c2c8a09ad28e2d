"""A persistent, incremental index: every day's news against everything seen, with the batch's answer.

::

    with dedupe.Index.open("news.index", dedupe.RunConfig()) as index:
        update = index.add(["2024-04-12.jsonl"])      # clean, sign, verify against the index, store
        update.clusters                               # the clusters the add made or changed
        matches = index.query(["incoming.jsonl"])     # verified matches, nothing stored
        index.remove(before="2024-01-01")             # by published date (else the day added)

Where: a file path is one SQLite file (standard library, WAL: writers take
turns, any number of readers); ``redis://host:port/db`` is a Redis database
(the ``[redis]`` extra: several writers on several machines, taking turns under
a lock, see :mod:`dedupe._index_redis`). Both are one storage interface
(:class:`dedupe._index_store.Storage`); everything below is written once, for
both. One transaction per add or remove, so a process killed in the middle
leaves the index as it was.

What the index keeps:

- every document that survived per-document cleaning: its cleaned form
  before learned furniture, what learned furniture counts of it (line keys
  and shapes), its text after learned furniture, or why it is rejected;
- per document, what the candidate stage needs of it: tokens, comparable
  tokens, the exact-copy digest, the sentences a band key can never show;
- the band key entries (document bands and sentence bands, with the
  sentence each came from) of the exact-copy representatives;
- every candidate pair verified, and its link when it is one;
- the clusters.

Same clusters as one batch run
------------------------------
After adding inputs ``1..k`` one at a time (or removing documents), the
index's clusters are those of ``dedupe run`` over the documents it holds,
in the order they were added: the same members, canonicals, cluster ids,
reasons and links, byte for byte as ``clusters.jsonl`` writes them
(:meth:`Index.clusters`), and the same rejected ids and reasons. How:

- *Learned furniture* depends on every document of a source, so a line that
  becomes furniture on day 9 must leave day 1's pages too (a batch run over
  days 1-9 strips it from all of them). The index keeps the learner's input
  of every document and, when the learned model of a source changes, strips
  that source's stored documents again from their cleaned form; those whose
  text changes are signed, paired and verified again, as if new.
- *Exact copies* follow the copy with the smallest id, as in a batch run; a
  new document with a smaller id takes that role over (and its pairs are
  found), the old one becomes a copy (and its pairs leave the candidates).
- *Candidates*: a pair's evidence (shared document and sentence band keys,
  per :func:`dedupe._stages.evidence_group` and merged with
  :func:`dedupe._candidates.merge_evidence`, as the batch run merges them)
  depends only on its two documents, so the candidate pairs of the batch
  run are the union of the pairs each add finds between its new documents
  and everything stored. One exception: a band key held by more than
  ``max_bucket + 1`` documents pairs each with its next ``max_bucket``
  neighbours in id order, which depends on the whole corpus; the equality
  holds when no bucket is capped (``capped_keys`` 0 in the batch's summary;
  the tests check it for the corpora they use).
- *Verification* is a pure function of the two documents.
- *Clusters* of one connected component of links depend only on its
  documents and links (:func:`dedupe._cluster.group_components`), and the
  canonical policy only on a cluster's members, so an add clusters again
  the components it touched, and keeps the others. A cluster's id comes
  from its canonical: when a later, longer copy of a story arrives it
  becomes the canonical (under ``longest``), and the cluster's id changes,
  exactly as it would in a batch run over both days; :class:`IndexUpdate`
  lists the clusters an add replaced.
"""

from __future__ import annotations

import json
import logging
import os
import zlib
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from functools import partial
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Sequence

import numpy as np
import xxhash

from ._candidates import SentenceTokens, bound_pairs, decode_pairs, new_pair_evidence
from .clean import FurnitureLearner, furniture_only
from .clean.rules import Memo
from ._cluster import ClusterMember, group_components
from .config import RunConfig
from .records import Change, Document, Rejected
from .errors import IndexFormatError, IndexMismatchError
from ._index_store import Storage, chunks as _chunks, open_storage
from ._parallel import ordered_imap
from .readers import read_inputs
from ._sign import SCHEME
from ._stages import EVIDENCE_GROUP_BITS, SIGN_BATCH, Cluster, OnDemandChecks, clean_partition, make_cluster, \
    sign_partition
from ._text import fold_batch
from ._verify import Link, Passage, PairVerifier, prepare_texts, verify_many

__all__ = ["Index", "IndexUpdate", "Match", "index_parameters"]

logger = logging.getLogger(__name__)


# Probe texts whose normalised tokens and signatures the index records: a change to normalisation
# (dedupe/_text.py) or to the signatures (dedupe/_sign.py) changes their fingerprint, and an index
# built before it refuses to open rather than mixing two kinds of signature.
_PROBE = (
    "Zürich’s “Café” – 1,250 naïve CAFÉS don't close; Nestlé said it would — O’Neill.",
    "Dozens of Russian military instructors have arrived in Niger as part of a new accord with the "
    "country's junta.\nThey are expected to install the system and teach the army how to use it.",
)

# Documents per cleaning task on a worker (as in dedupe.pipeline).
_CLEAN_CHUNK = 64


def _probe_fingerprint(config: RunConfig) -> dict[str, str]:
    folded = fold_batch(list(_PROBE))
    norm = xxhash.xxh3_64_hexdigest(repr(folded).encode("utf-8", "surrogatepass"))
    signed = sign_partition(list(_PROBE), config.dedup)
    h = xxhash.xxh3_64()
    for arr in (signed.tokens, signed.comparable, signed.free, signed.keys, signed.aux):
        h.update(np.ascontiguousarray(arr).tobytes())
    h.update(signed.digests)
    return {"normalisation": norm, "signatures": h.hexdigest()}


def index_parameters(config: RunConfig) -> dict[str, Any]:
    """What an index built with ``config`` records, and what opening it again must match: the
    cleaning and deduplication settings (MinHash seed, permutations, bands, thresholds, canonical
    policy), the signature scheme, and fingerprints of the normalisation and of the signatures."""
    return json.loads(json.dumps({
        "clean": asdict(config.clean),
        "dedup": asdict(config.dedup),
        "scheme": SCHEME,
        **_probe_fingerprint(config),
    }))


def _with_new_settings(params: dict[str, Any]) -> dict[str, Any]:
    """Stored parameters with the settings added to the configs since the index was built, at their
    defaults: a new setting's default is the behaviour the code had before it was a setting (the
    fingerprints of the normalisation and of the signatures still catch any other change)."""
    from .config import CleanConfig, DedupConfig

    out = dict(params)
    for name, default in (("clean", CleanConfig()), ("dedup", DedupConfig())):
        if isinstance(out.get(name), dict):
            out[name] = {**json.loads(json.dumps(asdict(default))), **out[name]}
    return out


def _differences(stored: Mapping[str, Any], wanted: Mapping[str, Any], prefix: str = "") -> list[str]:
    out = []
    for key in sorted(set(stored) | set(wanted)):
        a, b = stored.get(key), wanted.get(key)
        if isinstance(a, dict) and isinstance(b, dict):
            out.extend(_differences(a, b, f"{prefix}{key}."))
        elif a != b:
            out.append(f"{prefix}{key}: index {a!r}, asked {b!r}")
    return out


def _config_from(params: Mapping[str, Any]) -> RunConfig:
    from .config import CleanConfig, DedupConfig

    clean = dict(params["clean"])
    if clean.get("rules") is not None:
        clean["rules"] = tuple(clean["rules"])
    dedup = dict(params["dedup"])
    dedup["preferred_sources"] = tuple(dedup.get("preferred_sources") or ())
    return RunConfig(clean=CleanConfig(**clean), dedup=DedupConfig(**dedup))


# ----------------------------------------------------------------------------- records


@dataclass(frozen=True)
class Match:
    """A verified match of a queried document with a document already in the index."""

    query: str
    id: str
    cluster: str | None
    link: Link

    def to_dict(self) -> dict[str, Any]:
        out = {"id": self.id, "cluster": self.cluster}
        out.update(self.link.to_dict())
        return out


@dataclass
class IndexUpdate:
    """What one :meth:`Index.add` or :meth:`Index.remove` did.

    ``clusters``: every cluster the call made or changed (sorted by canonical),
    ``replaced``: the ids of clusters that no longer exist after it,
    ``added``/``removed``: document ids, ``rejected``: the inputs that could not be
    used, ``restripped``: stored documents whose text changed because learned
    furniture changed.
    """

    clusters: list[Cluster] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    read: int = 0
    restripped: int = 0
    stats: dict[str, int] = field(default_factory=dict)
    documents: dict[str, Document] = field(default_factory=dict)  # the canonicals of ``clusters``

    def summary(self) -> dict[str, Any]:
        reasons = Counter(r.reason for r in self.rejected)
        return {
            "read": self.read,
            "added": len(self.added),
            "removed": len(self.removed),
            "rejected": len(self.rejected),
            "rejected_by_reason": dict(sorted(reasons.items())),
            "clusters_changed": len(self.clusters),
            "clusters_replaced": len(self.replaced),
            "restripped": self.restripped,
            **self.stats,
        }


# ----------------------------------------------------------------------------- serialisation


def _doc_blob(doc: Document) -> bytes:
    row: dict[str, Any] = {"id": doc.id, "text": doc.text or ""}
    for name in ("url", "title", "published", "source"):
        value = getattr(doc, name)
        if value is not None:
            row[name] = value
    if doc.meta:
        row["meta"] = dict(doc.meta)
    if doc.origin:
        row["origin"] = doc.origin
    if doc.changes:
        row["changes"] = [asdict(c) for c in doc.changes]
    return zlib.compress(json.dumps(row, ensure_ascii=False).encode("utf-8", "surrogatepass"), 1)


def _doc_from(blob: bytes) -> Document:
    row = json.loads(zlib.decompress(blob).decode("utf-8", "surrogatepass"))
    changes = tuple(Change(**c) for c in row.pop("changes", ()))
    return Document(changes=changes, **row)


def _changes_json(changes: Sequence[Change]) -> str | None:
    return json.dumps([asdict(c) for c in changes], ensure_ascii=False) if changes else None


def _link_json(link: Link) -> str:
    return json.dumps(link.to_dict(), ensure_ascii=False)


def _link_from(text: str) -> Link:
    return _link_of(json.loads(text))


def _link_of(d: Mapping[str, Any]) -> Link:
    """The :class:`Link` of its ``to_dict`` form."""
    return Link(d["a"], d["b"], d["kind"], d["score"], d["jaccard"], d["containment_a"], d["containment_b"],
                d["coverage_a"], d["coverage_b"], d["close_coverage_a"], d["close_coverage_b"], d["shared_sentences"],
                tuple(Passage(tuple(p["a_sentences"]), tuple(p["b_sentences"]), p["text"]) for p in d["passages"]),
                exact=bool(d.get("exact")))


def _self_loose(keys: np.ndarray, aux: np.ndarray) -> bytes:
    """The sentences of one document that the candidate stage counts as loose because the document
    holds one of their band keys twice (every entry of a key after its first, in entry order, as
    :func:`dedupe._candidates.pair_evidence` decides): ``slot << 16 | tokens`` per distinct slot."""
    if not len(keys):
        return b""
    order = np.argsort(keys, kind="stable")
    k = keys[order]
    dup = np.zeros(len(k), dtype=bool)
    dup[1:] = k[1:] == k[:-1]
    a = aux[order][dup]
    slot = (a >> np.uint64(16)) & np.uint64(0xFFFF)
    a = a[slot != np.uint64(0xFFFF)]
    if not len(a):
        return b""
    vals = np.unique(((a >> np.uint64(16)) & np.uint64(0xFFFF)) << np.uint64(16) | (a & np.uint64(0xFFFF)))
    return vals.astype(np.int64).tobytes()


def _today() -> str:
    return datetime.now(timezone.utc).date().isoformat()


# ----------------------------------------------------------------------------- the index


class Index:
    """A persistent index of cleaned, signed and clustered documents (see the module docstring).

    Open with :meth:`open`; use as a context manager or call :meth:`close`.
    """

    def __init__(self, store: Storage, path: str, config: RunConfig) -> None:
        self._store = store
        self.path = path
        self.config = config
        self._generation: str | None = None
        self._learner: FurnitureLearner | None = None
        self._model: Any = None

    # ------------------------------------------------------------------ opening

    @classmethod
    def open(cls, path_or_url: str | os.PathLike[str], config: RunConfig | None = None, *,
             create: bool = True) -> "Index":
        """Open the index at ``path_or_url``: a file path (SQLite) or ``redis://host:port/db``
        (Redis, the ``[redis]`` extra); a new index is created when missing and ``create``.

        ``config`` None uses the parameters the index was built with (the
        defaults for a new one). A ``config`` whose cleaning or deduplication
        settings differ from the index's raises :class:`dedupe.IndexMismatchError`
        naming each difference; a file that is not a dedupe index raises
        :class:`dedupe.IndexFormatError` and is left untouched, as does a
        Redis server that cannot be reached.
        """
        target = os.fspath(path_or_url)
        store = open_storage(target, create)
        try:
            stored_params = store.params()
            if stored_params is None:
                if not create:
                    raise IndexFormatError(f"{target}: no such index")
                config = config or RunConfig()
                stored_params = store.initialise(index_parameters(config))
            else:
                stored_params = _with_new_settings(stored_params)
            if config is None:
                config = _config_from(stored_params)
            wanted = index_parameters(config)
            diff = _differences(stored_params, wanted)
            if diff:
                raise IndexMismatchError(
                    f"{target}: the index was built with other parameters, and mixing them would give wrong "
                    "matches: " + "; ".join(diff) + ". Open it without these options (its own parameters are "
                    "used), or build a new index")
            store.ready()
        except BaseException:
            store.close()
            raise
        return cls(store, target, config)

    @staticmethod
    def stored_config(path_or_url: str | os.PathLike[str]) -> RunConfig | None:
        """The configuration of the index at ``path_or_url``, or None when there is none yet."""
        target = os.fspath(path_or_url)
        if "://" not in target and not Path(target).exists():
            return None
        store = open_storage(target, create=False)
        try:
            params = store.params()
        finally:
            store.close()
        return None if params is None else _config_from(params)

    def close(self) -> None:
        """Close the index (an add in progress in another thread is rolled back)."""
        if self._store is not None:
            self._store.close()
            self._store = None  # type: ignore[assignment]

    def __enter__(self) -> "Index":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # ------------------------------------------------------------------ reading

    def __len__(self) -> int:
        return self._store.snapshot(lambda: sum(1 for _, state in self._store.scan(("state",)) if state is None))

    def clusters(self) -> list[Cluster]:
        """Every cluster of the index, sorted by canonical id (as a batch run lists them)."""
        out = [_cluster_from(json.loads(r)) for r in self._store.snapshot(self._store.cluster_records)]
        out.sort(key=lambda c: c.canonical)
        return out

    def rejected(self) -> list[Rejected]:
        """The stored documents that learned furniture or signing rejected, by id."""
        rows = self._store.snapshot(lambda: [r for r in self._store.scan(("id", "state", "doc")) if r[2] is not None])
        return sorted((Rejected(i, state, _STATE_MESSAGES.get(state, state), origin_of(doc))
                       for _, i, state, doc in rows), key=lambda r: r.id)

    def document(self, doc_id: str) -> Document | None:
        """A stored document as the index cleaned it (learned furniture removed), or None."""
        def read() -> tuple | None:
            num = self._store.nums_of_ids([doc_id]).get(doc_id)
            return None if num is None else self._store.get([num], ("doc", "text", "fchanges")).get(num)
        row = self._store.snapshot(read)
        return None if row is None else _final_doc(*row)

    def stats(self) -> dict[str, Any]:
        """Counts and sizes: documents (live, rejected), clusters, links, band key entries, bytes."""
        params = index_parameters(self.config)
        counts = self._store.snapshot(self._store.counts)
        live = counts["documents"]
        return {
            "path": self.path,
            "documents": live,
            "rejected": counts["rejected"],
            "clusters": counts["clusters"],
            "duplicates": live - counts["clusters"],
            "exact_copies": counts["exact_copies"],
            "candidate_pairs": counts["candidate_pairs"],
            "links": counts["links"],
            "band_key_entries": counts["band_key_entries"],
            "added_by_day": counts["added_by_day"],
            "bytes": counts["bytes"],
            "parameters": {k: params["dedup"][k] for k in ("seed", "num_perm", "threshold", "shingle_size",
                                                            "sentence_bands", "sentence_rows")}
            | {"scheme": params["scheme"], "normalisation": params["normalisation"]},
        }

    # ------------------------------------------------------------------ learned furniture

    def _sync(self) -> None:
        """Reload the learned furniture when another writer stored something since it was loaded."""
        gen = self._store.generation()
        if gen != self._generation:
            self._learner = self._load_learner()
            self._model = self._learner.model() if self._learner is not None else None
            self._generation = gen

    def _new_learner(self) -> FurnitureLearner | None:
        c = self.config.clean
        if not c.learn_furniture:
            return None
        return FurnitureLearner(c.furniture_min_docs, c.furniture_min_share, c.furniture_max_docs_per_source,
                                c.furniture_common_share, c.rules)

    def _load_learner(self) -> FurnitureLearner | None:
        learner = self._new_learner()
        if learner is None:
            return None
        for _, outlet, blob, lkeys, lzero, shapes in self._store.scan(("outlet", "doc", "lkeys", "lzero", "shapes")):
            _learn(learner, outlet, _doc_from(blob).text or "", lkeys, lzero, shapes)
        return learner

    # ------------------------------------------------------------------ adding

    def add(self, inputs: Sequence[str | os.PathLike[str]] = (), *,
            documents: Iterable[Document | Mapping[str, Any]] | None = None, day: str | None = None,
            workers: int | None = None) -> IndexUpdate:
        """Read, clean and add ``inputs`` (paths, as ``dedupe run`` reads them) and/or ``documents``
        (:class:`Document` or mappings with ``id`` and ``text`` or ``html``), in one transaction.

        ``day`` (ISO date, default today in UTC) is recorded as the day they were added. A document
        whose id is already in the index is rejected (``duplicate-id``).
        """
        from .pipeline import as_document

        day = day or _today()
        config = self.config
        learn = config.clean.learn_furniture
        skipped: Counter[str] = Counter()
        items: Iterable[Document | Rejected] = read_inputs(inputs, config.limits, config.fields, skipped=skipped) \
            if inputs else iter(())
        if documents is not None:
            items = _chain(items, (as_document(d) for d in documents))
        cleaned = ordered_imap(partial(clean_partition, config=config.clean, keys=learn, memo=Memo()),
                               _chunks(items, _CLEAN_CHUNK), workers or config.worker_count, chunksize=1)
        update = IndexUpdate()
        fresh: list[tuple[Document, Any, Any]] = []
        seen: set[str] = set()
        for item, keys, shapes in (entry for chunk in cleaned for entry in chunk):
            update.read += 1
            if isinstance(item, Rejected):
                update.rejected.append(item)
            elif item.id in seen:
                update.rejected.append(Rejected(item.id, "duplicate-id", f"id {item.id!r} already used", item.origin))
            else:
                seen.add(item.id)
                fresh.append((item, keys, shapes))
        with self._writing():
            known = self._store.nums_of_ids([d.id for d, _, _ in fresh])
            rows = []
            for doc, keys, shapes in fresh:
                if doc.id in known:
                    update.rejected.append(Rejected(doc.id, "duplicate-id",
                                                    f"id {doc.id!r} is already in the index", doc.origin))
                    continue
                lkeys = lzero = shp = None
                if learn:
                    lkeys = np.asarray([k or 0 for k in keys], dtype=np.uint64).tobytes()
                    lzero = int(0 in keys)
                    shp = np.asarray(shapes, dtype=np.uint64).tobytes()
                rows.append({"id": doc.id, "added": day, "published": doc.published, "outlet": doc.outlet,
                             "doc": _doc_blob(doc), "lkeys": lkeys, "lzero": lzero, "shapes": shp})
                if self._learner is not None:
                    _learn(self._learner, doc.outlet, doc.text or "", lkeys, lzero, shp)
                update.added.append(doc.id)
            new_nums = self._store.insert(rows)
            self._refresh(new_nums, update)
        update.rejected.sort(key=lambda r: r.id)
        return update

    def remove(self, *, before: str, by: str = "published") -> IndexUpdate:
        """Remove the documents published before ``before`` (an ISO date; documents without a
        ``published`` date go by the day they were added), or, with ``by="added"``, added before it.
        Clusters, exact-copy roles and learned furniture are updated as a batch run over the
        remaining documents would find them."""
        if by not in ("published", "added"):
            raise ValueError(f"by={by!r}: expected 'published' or 'added'")
        update = IndexUpdate()
        with self._writing():
            rows = sorted((i, n) for n, i, published, added in self._store.scan(("id", "published", "added"))
                          if ((published if published is not None and by == "published" else added) < before))
            if rows:
                update.removed = [i for i, _ in rows]
                self._refresh([], update, removed=[n for _, n in rows])
        return update

    # ------------------------------------------------------------------ the core

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """The store's exclusive, atomic write, with the learned furniture brought up to date at its
        start; on any error, the learned furniture is reloaded from what the index holds next time."""
        try:
            with self._store.writing() as tx:
                self._sync()
                yield
        except BaseException:
            self._generation = None
            raise
        self._generation = tx.generation

    def _rows(self, nums: Iterable[int], columns: str) -> dict[int, tuple]:
        return self._store.get(nums, [c.strip() for c in columns.split(",")])

    def _clusters_of(self, nums: Iterable[int], comps: set[int], clusters: set[str]) -> None:
        """Add the components and clusters of documents ``nums`` to ``comps`` and ``clusters``."""
        for comp, cluster in self._rows(nums, "comp, cluster").values():
            if comp is not None:
                comps.add(comp)
            if cluster is not None:
                clusters.add(cluster)

    def _refresh(self, new_nums: list[int], update: IndexUpdate, removed: Sequence[int] = ()) -> None:
        """Bring texts, exact-copy roles, band keys, pairs and clusters up to date after documents
        ``new_nums`` were inserted (not yet stripped or signed) or ``removed`` are to go."""
        store = self._store
        config = self.config
        dedup = config.dedup
        affected_comps: set[int] = set()
        old_clusters: set[str] = set()
        touched_digests: set[bytes] = set()
        dropped_reps: set[int] = set()  # representatives whose keys and pairs must go

        def leave(num: int, rep: int | None, comp: int | None, cluster: str | None, digest: bytes | None) -> None:
            """Document ``num`` leaves its component, cluster and exact-copy group as they were."""
            if comp is not None:
                affected_comps.add(comp)
            if cluster is not None:
                old_clusters.add(cluster)
            if digest is not None:
                touched_digests.add(digest)
            if rep == num:
                dropped_reps.add(num)

        # Removed documents leave everything.
        if removed:
            info = self._rows(removed, "rep, comp, cluster, digest")
            for num, row in info.items():
                leave(num, *row)
            self._drop_reps(dropped_reps)
            store.delete(info)
            if self._learner is not None:
                self._learner = self._load_learner()

        # Learned furniture: which stored documents must be stripped again.
        old_model = self._model
        new_model = self._learner.model() if self._learner is not None else None
        self._model = new_model
        strip = set(new_nums)
        if new_model is not None and old_model is not None:
            changed_sources = _changed_sources(old_model, new_model)
            if changed_sources:
                of_sources = store.with_value("outlet", changed_sources)
                if old_model.rules_after == new_model.rules_after:
                    # Only those with a line whose key or shape changed furniture status.
                    of_sources = _stripped_differently(old_model, new_model,
                                                       self._rows(of_sources, "outlet, lkeys, lzero, shapes"))
                strip.update(of_sources)
        elif (new_model is None) != (old_model is None):
            strip.update(store.all_nums())

        # Strip, compare, sign what changed.
        changed: dict[int, tuple[str | None, str | None, str | None]] = {}  # num -> (text, fchanges, state)
        previous = self._rows(strip, "doc, text, fchanges, state, rep, comp, cluster, digest, tokens, id")
        items = sorted(previous.items())
        for batch in _chunks(items, SIGN_BATCH):
            docs = [_doc_from(row[0]) for _, row in batch]
            if new_model is not None:
                stripped = new_model.strip_many([(d.outlet, d.text or "") for d in docs])
            else:
                stripped = [(d.text or "", []) for d in docs]
            for (num, row), doc, (text, fch) in zip(batch, docs, stripped):
                state = None
                if fch:
                    if not text.strip():
                        state = "empty-after-cleaning"
                    elif furniture_only(text, doc.changes + tuple(fch)):
                        state = "furniture-only"
                final = (None if not fch or state else text, _changes_json(fch) if not state else None, state)
                pending = row[8] is None and row[3] is None  # inserted by this add, never stripped
                # "empty" (no words) comes from signing the same text: the strip's state is None.
                stored = (row[1], row[2], None if row[3] == "empty" else row[3])
                if pending or final != stored:
                    changed[num] = final
        inserted = set(new_nums)
        update.restripped = sum(1 for n in changed if n not in inserted)
        for num in changed:
            leave(num, *previous[num][4:8])
        self._drop_reps({n for n in changed if previous[n][4] == n})

        signed_cache: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        live = [(n, previous[n][0], changed[n]) for n in sorted(changed) if changed[n][2] is None]
        sign_rows = []
        for batch in _chunks(live, SIGN_BATCH):
            texts = [t if t is not None else (_doc_from(blob).text or "") for _, blob, (t, _, _) in batch]
            signed = sign_partition(texts, dedup)
            per = _split_entries(signed, len(batch))
            for k, (num, _, (text, fch, _)) in enumerate(batch):
                keys, owners_aux = per[k]
                tokens = int(signed.tokens[k])
                if tokens == 0:
                    sign_rows.append((text, fch, "empty", 0, 0, 0, None, None, num))
                    continue
                digest = signed.digests[16 * k:16 * k + 16]
                touched_digests.add(digest)
                signed_cache[num] = (keys, owners_aux)
                sign_rows.append((text, fch, None, tokens, int(signed.comparable[k]), int(signed.free[k]), digest,
                                  _self_loose(keys, owners_aux), num))
        _SIGNED = ("text", "fchanges", "state", "tokens", "comparable", "free", "digest", "loose")
        store.update(_SIGNED + ("rep", "comp", "cluster"), [r[:-1] + (None, None, None, r[-1]) for r in sign_rows])
        rejected_now = [(state, n) for n, (_, _, state) in changed.items() if state is not None]
        store.update(_SIGNED + ("rep", "comp", "cluster"),
                     [(None, None, state) + (None,) * 8 + (n,) for state, n in rejected_now])
        for num, state in [(n, s) for s, n in rejected_now] + [(r[-1], r[2]) for r in sign_rows if r[2]]:
            doc = _doc_from(previous[num][0])
            update.rejected.append(Rejected(doc.id, state, _STATE_MESSAGES[state], doc.origin))

        # Exact copies: the smallest id of each digest represents it.
        promoted: set[int] = set()
        for digest in sorted(touched_digests):
            found = store.with_value("digest", [digest])
            members = [(n, i, rep) for n, (i, rep, state) in self._rows(found, "id, rep, state").items()
                       if state is None]
            if not members:
                continue
            rep = min(members, key=lambda m: m[1])[0]
            for num, _, old in members:
                if num == rep and (old != num or num in changed):
                    promoted.add(num)
                if num != rep and old == num:  # an unchanged representative becomes a copy
                    dropped_reps.add(num)
                    self._drop_reps({num})
                    self._clusters_of([num], affected_comps, old_clusters)
            store.update(("rep",), [(rep, num) for num, _, _ in members])
            # A copy's cluster is its representative's: that cluster is clustered again.
            self._clusters_of([rep], affected_comps, old_clusters)
        for cluster, in self._rows(promoted, "cluster").values():  # a promoted copy's old cluster goes too
            if cluster is not None:
                old_clusters.add(cluster)

        # Band keys of the new representatives, then their candidate pairs, verified.
        for num in sorted(promoted):
            if num not in signed_cache:
                text, blob = self._rows([num], "text, doc")[num]
                t = text if text else (_doc_from(blob).text or "")
                signed_cache[num] = _split_entries(sign_partition([t], dedup), 1)[0]
        if promoted:
            parts = [signed_cache[num] for num in sorted(promoted)]
            ek = np.concatenate([p[0] for p in parts])
            en = np.repeat(np.asarray(sorted(promoted), dtype=np.int64), [len(p[0]) for p in parts])
            ea = np.concatenate([p[1] for p in parts])
            store.add_entries(ek, en, ea)
        else:
            ek = np.empty(0, dtype=np.uint64)
        links_made = self._pair_new(sorted(promoted), ek, update)

        # Components touched: of the promoted, their partners, and the old ones that lost members.
        partners = {n for pair in links_made for n in pair}
        self._clusters_of(partners | promoted, affected_comps, old_clusters)
        self._recluster(affected_comps, promoted, old_clusters, update)
        update.stats["band_key_entries_added"] = len(ek)

    def _drop_reps(self, nums: Iterable[int]) -> None:
        """Remove the band keys and candidate pairs of these representatives (their band keys are
        those of their stored text, signed again: the keys table has no index by document, which
        would cost about 5 KB a document)."""
        store = self._store
        for part in _chunks(sorted(set(nums)), SIGN_BATCH):
            texts = self._texts(part)
            have = [n for n in part if n in texts]
            if have:
                signed = sign_partition([texts[n][1] for n in have], self.config.dedup)
                per = _split_entries(signed, len(have))
                ek = np.concatenate([k for k, _ in per])
                en = np.repeat(np.asarray(have, dtype=np.int64), [len(k) for k, _ in per])
                store.remove_entries(ek, en)
            store.drop_pairs(part)

    def _lookup(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every stored entry ``(key, num, aux)`` of the given keys, by key, number and aux (as
        signed 64-bit integers, whatever the backend)."""
        return self._store.lookup(keys)

    def _candidates(self, new: Sequence[int], entries: tuple[np.ndarray, np.ndarray, np.ndarray],
                    extra: Mapping[int, tuple[str, int, int, bytes]] | None = None
                    ) -> tuple[list[tuple[int, int]], dict[int, str]]:
        """Candidate pairs ``(a, b)`` (by number, ``a``'s id first) between documents ``new`` and every
        document holding one of their band keys, with the batch run's evidence and bound.

        ``entries``: every entry of those keys (stored, and of ``new``); ``extra``: documents not stored
        (a query) by number: ``(id, comparable, free, loose)``."""
        keys, owners, aux = entries
        if not len(keys):
            return [], {}
        dedup = self.config.dedup
        present = np.unique(owners)
        ids = {n: row[0] for n, row in self._rows(present.tolist(), "id").items()}
        if extra:
            ids.update((n, row[0]) for n, row in extra.items())
        nums = sorted(ids, key=ids.__getitem__)  # numbered in id order, as a batch run numbers them
        local = {n: k for k, n in enumerate(nums)}
        renumber = np.array([local[n] for n in present.tolist()], dtype=np.int64)[np.searchsorted(present, owners)]
        fresh = np.zeros(len(nums), dtype=bool)
        fresh[[local[n] for n in new if n in local]] = True
        # Only the pairs with a new document: the others are stored already (their evidence and
        # verdicts are those of the full computation, dedupe._candidates.new_pair_evidence).
        # The batch run's evidence groups (dedupe._stages.evidence_group), merged, in one pass.
        ev = new_pair_evidence([(keys, renumber, aux)], fresh, dedup.max_bucket, dedup.sentence_bands,
                               EVIDENCE_GROUP_BITS)
        if not len(ev.codes):
            return [], {}
        # What the bound needs of the documents in those pairs (the others' figures stay 0).
        paired = np.unique(np.concatenate([ev.codes >> 32, ev.codes & 0xFFFFFFFF])).tolist()
        info = self._rows([nums[k] for k in paired if nums[k] not in (extra or {})], "id, comparable, free, loose")
        if extra:
            info.update(extra)
        comparable = np.zeros(len(nums), dtype=np.int64)
        free = np.zeros(len(nums), dtype=np.int64)
        # Loose sentences: those the buckets found, plus each document's own (a key it holds twice),
        # which a batch run finds from all of the document's keys.
        loose_k = [ev.loose]
        loose_t = [ev.loose_tokens]
        for k in paired:
            _, comparable[k], free[k], blob = info[nums[k]]
            if blob:
                v = np.frombuffer(blob, dtype=np.int64)
                loose_k.append((k << 16) | (v >> 16))
                loose_t.append(v & 0xFFFF)
        lk, lt = np.concatenate(loose_k), np.concatenate(loose_t)
        if len(lk):
            lk, first = np.unique(lk, return_index=True)
            lt = lt[first]
        ev.loose, ev.loose_tokens = lk, lt
        # The tokens of every sentence the evidence can name: those of the paired documents' entries,
        # and the loose ones.
        slot = ((aux >> np.uint64(16)) & np.uint64(0xFFFF)).astype(np.int64)
        in_pair = np.zeros(len(nums), dtype=bool)
        in_pair[paired] = True
        sentence = (slot != 0xFFFF) & in_pair[renumber]
        sentences = SentenceTokens.from_slots(
            np.concatenate([renumber[sentence], lk >> 16]), np.concatenate([slot[sentence], lk & 0xFFFF]),
            np.concatenate([(aux[sentence] & np.uint64(0xFFFF)).astype(np.int64), lt]), len(nums))
        keep = bound_pairs(ev, comparable, free, sentences, dedup)
        return [(nums[x], nums[y]) for x, y in decode_pairs(ev.codes[keep])], ids

    def _texts(self, nums: Sequence[int]) -> dict[int, tuple[str, str]]:
        out = {}
        for num, (i, text, blob) in self._rows(nums, "id, text, doc").items():
            out[num] = (i, text if text is not None else (_doc_from(blob).text or ""))
        return out

    def _pair_new(self, promoted: list[int], keys: np.ndarray, update: IndexUpdate) -> list[tuple[int, int]]:
        """Find, verify and store the candidate pairs of the newly promoted representatives, whose
        band keys are ``keys``."""
        if not promoted:
            return []
        dedup = self.config.dedup
        entries = self._lookup(keys)
        pairs, ids = self._candidates(promoted, entries)
        texts = self._texts(sorted({n for p in pairs for n in p}))
        prepared = dict(zip(sorted(texts), prepare_texts([texts[n][0] for n in sorted(texts)],
                                                         [texts[n][1] for n in sorted(texts)], dedup)))
        results = verify_many(pairs, prepared, dedup) if pairs else []
        self._store.put_pairs([(a, b, None if link is None else _link_json(link))
                               for (a, b), link in zip(pairs, results)])
        update.stats["candidate_pairs"] = update.stats.get("candidate_pairs", 0) + len(pairs)
        update.stats["verified_links"] = update.stats.get("verified_links", 0) + sum(r is not None for r in results)
        return [p for p, link in zip(pairs, results) if link is not None]

    def _recluster(self, comps: set[int], promoted: set[int], old_clusters: set[str], update: IndexUpdate) -> None:
        """Cluster again the documents of components ``comps`` and the ``promoted`` representatives."""
        store = self._store
        dedup = self.config.dedup
        reps: set[int] = set(promoted)
        in_comps = store.with_value("comp", comps)
        reps.update(n for n, (rep, state) in self._rows(in_comps, "rep, state").items() if rep == n and state is None)
        # Closed under links: a representative's linked partners are in the same component.
        frontier = set(reps)
        while frontier:
            found: set[int] = set()
            for a, b, _ in store.pairs_of(frontier, links_only=True):
                found.update((a, b))
            frontier = found - reps
            reps |= frontier
        member_nums = store.with_value("rep", reps)
        member_rows = self._rows(member_nums, "rep, id, tokens, published, outlet, state, cluster")
        old_clusters.update(row[6] for row in member_rows.values() if row[6] is not None)
        info = self._rows(reps, "id, tokens")
        nums = sorted(reps, key=lambda n: info[n][0])
        local = {n: k for k, n in enumerate(nums)}
        links: dict[tuple[int, int], Link] = {}
        candidates: set[tuple[int, int]] = set()
        for a, b, link in store.pairs_of(nums):
            if a in local and b in local:
                pair = (local[a], local[b])
                candidates.add(pair)
                if link is not None:
                    links[pair] = _link_from(link)

        def fetch(numbers: list[int]) -> tuple[list[str], list[str]]:
            texts = self._texts([nums[k] for k in numbers])
            return [texts[nums[k]][0] for k in numbers], [texts[nums[k]][1] for k in numbers]

        checks = OnDemandChecks(links, lambda a, b: (a, b) in candidates, PairVerifier(fetch, dedup))
        sizes = [info[n][1] for n in nums]
        groups = group_components(len(nums), links, checks.check, sizes, dedup.linkage, prefetch=checks.prefetch)
        comp_of = {}
        for comp in _components(len(nums), links):
            label = min(nums[k] for k in comp)
            for k in comp:
                comp_of[nums[k]] = label
        members_of: dict[int, list[tuple[int, str, int, str | None, str | None]]] = defaultdict(list)
        for num, (rep, i, tokens, published, outlet, state, _) in sorted(member_rows.items()):
            if state is None:
                members_of[rep].append((num, i, tokens, published, outlet))
        group_of = {k: gi for gi, g in enumerate(groups) for k in g}
        links_of_group: dict[int, list[Link]] = defaultdict(list)
        found_links = checks.all_links()
        for (a, b) in sorted(found_links):
            if group_of[a] == group_of[b]:
                links_of_group[group_of[a]].append(found_links[(a, b)])
        made: list[Cluster] = []
        doc_rows = []
        for gi, g in enumerate(groups):
            mem = sorted((m for k in g for m in members_of[nums[k]]), key=lambda m: m[1])
            cands = [ClusterMember(i, int(tokens), published, outlet) for _, i, tokens, published, outlet in mem]
            rep_id = {nums[k]: info[nums[k]][0] for k in g}
            rep_of = {m[0]: r for k in g for r in [nums[k]] for m in members_of[r]}
            copies = [(rep_id[rep_of[m[0]]], m[1]) for m in mem if rep_of[m[0]] != m[0]]
            cluster = make_cluster(cands, links_of_group.get(gi, ()), copies, dedup)
            made.append(cluster)
            for m in mem:
                doc_rows.append((comp_of.get(m[0]) if rep_of[m[0]] == m[0] else None, cluster.id, m[0]))
        store.drop_clusters(old_clusters)
        store.put_clusters({c.id: json.dumps(c.to_dict(), ensure_ascii=False) for c in made})
        store.update(("comp", "cluster"), doc_rows)
        made_ids = {c.id for c in made}
        update.clusters = sorted(made, key=lambda c: c.canonical)
        update.replaced = sorted(old_clusters - made_ids)
        update.stats["on_demand_checks"] = update.stats.get("on_demand_checks", 0) + len(checks.found)
        canon = {c.canonical for c in made}
        if canon and len(canon) < 30000:
            by_id = store.nums_of_ids(canon)
            rows = self._rows(by_id.values(), "id, doc, text, fchanges")
            update.documents = {i: _final_doc(blob, text, fch) for i, blob, text, fch in rows.values()}

    # ------------------------------------------------------------------ querying

    def query(self, inputs: Sequence[str | os.PathLike[str]] = (), *,
              documents: Iterable[Document | Mapping[str, Any]] | None = None,
              workers: int | None = None) -> tuple[dict[str, list[Match]], list[Rejected]]:
        """For each document of ``inputs``/``documents``: its verified matches already in the index
        (cleaned with the index's learned furniture, which it does not change), and the documents
        that could not be used. Matches are the links a batch run would verify between the document
        and each indexed one its band keys bring up (exact copies included, as ``exact`` links)."""
        from .pipeline import as_document

        config = self.config
        skipped: Counter[str] = Counter()
        items: Iterable[Document | Rejected] = read_inputs(inputs, config.limits, config.fields,
                                                           skipped=skipped) if inputs else iter(())
        if documents is not None:
            items = _chain(items, (as_document(d) for d in documents))
        cleaned = ordered_imap(partial(clean_partition, config=config.clean, keys=False, memo=Memo()),
                               _chunks(items, _CLEAN_CHUNK), workers or config.worker_count, chunksize=1)
        rejected: list[Rejected] = []
        batches: list[list[Document]] = [[]]
        ids: set[str] = set()
        for item, _, _ in (entry for chunk in cleaned for entry in chunk):
            if isinstance(item, Rejected):
                rejected.append(item)
            elif item.id in ids:
                rejected.append(Rejected(item.id, "duplicate-id", f"id {item.id!r} already used", item.origin))
            else:
                ids.add(item.id)
                if len(batches[-1]) >= SIGN_BATCH:
                    batches.append([])
                batches[-1].append(item)

        def against_one_state() -> tuple[dict[str, list[Match]], list[Rejected]]:
            self._sync()
            results: dict[str, list[Match]] = {}
            refused: list[Rejected] = []
            for batch in batches:
                if batch:
                    self._query_batch(batch, results, refused)
            return results, refused

        results, refused = self._store.snapshot(against_one_state)
        rejected.extend(refused)
        rejected.sort(key=lambda r: r.id)
        return results, rejected

    def _query_batch(self, docs: list[Document], results: dict[str, list[Match]], rejected: list[Rejected]) -> None:
        dedup = self.config.dedup
        model = self._model
        stripped = model.strip_many([(d.outlet, d.text or "") for d in docs]) if model is not None else \
            [(d.text or "", []) for d in docs]
        ok: list[tuple[Document, str]] = []
        for doc, (text, fch) in zip(docs, stripped):
            if fch and not text.strip():
                rejected.append(Rejected(doc.id, "empty-after-cleaning", _STATE_MESSAGES["empty-after-cleaning"],
                                         doc.origin))
            elif fch and furniture_only(text, doc.changes + tuple(fch)):
                rejected.append(Rejected(doc.id, "furniture-only", _STATE_MESSAGES["furniture-only"], doc.origin))
            else:
                ok.append((doc, text))
        if not ok:
            return
        signed = sign_partition([t for _, t in ok], dedup)
        per = _split_entries(signed, len(ok))
        for k, (doc, text) in enumerate(ok):
            if int(signed.tokens[k]) == 0:
                rejected.append(Rejected(doc.id, "empty", _STATE_MESSAGES["empty"], doc.origin))
                continue
            matches: list[Match] = []
            digest = signed.digests[16 * k:16 * k + 16]
            same = self._rows(self._store.with_value("digest", [digest]), "id, cluster, state")
            exact = sorted((i, cluster) for i, cluster, state in same.values() if state is None)
            for other, cluster in exact:
                a, b = sorted((doc.id, other))
                matches.append(Match(doc.id, other, cluster, Link(a, b, "near-duplicate", 1.0, 1.0, 1.0, 1.0, 1.0,
                                                                   1.0, 1.0, 1.0, 0, (), exact=True)))
            keys, aux = per[k]
            stored = self._lookup(keys)
            me = -1  # the queried document's number: below every stored one
            entries = (np.concatenate([stored[0], keys]), np.concatenate([stored[1], np.full(len(keys), me)]),
                       np.concatenate([stored[2], aux]))
            extra = {me: (doc.id, int(signed.comparable[k]), int(signed.free[k]), _self_loose(keys, aux))}
            pairs, ids = self._candidates([me], entries, extra)
            exact_ids = {o for o, _ in exact}
            others = sorted({n for p in pairs for n in p if n != me})
            texts = self._texts(others)
            prepared_docs = {me: (doc.id, text)} | texts
            order = sorted(prepared_docs)
            prepared = dict(zip(order, prepare_texts([prepared_docs[n][0] for n in order],
                                                     [prepared_docs[n][1] for n in order], dedup)))
            links = verify_many(pairs, prepared, dedup) if pairs else []
            clusters = self._rows(others, "cluster")
            for (a, b), link in zip(pairs, links):
                other = b if a == me else a
                if link is None or ids[other] in exact_ids:
                    continue
                matches.append(Match(doc.id, ids[other], clusters[other][0], link))
            matches.sort(key=lambda m: (-m.link.score, m.id))
            results[doc.id] = matches


# ----------------------------------------------------------------------------- helpers

_STATE_MESSAGES = {
    "empty-after-cleaning": "only learned page furniture was left",
    "furniture-only": "the page is (nearly) all furniture",
    "empty": "the text has no words",
}


def origin_of(blob: bytes) -> str:
    return _doc_from(blob).origin


def _chain(*iterables: Iterable[Any]) -> Iterator[Any]:
    for it in iterables:
        yield from it


def _learn(learner: FurnitureLearner, outlet: str | None, text: str, lkeys: bytes | None, lzero: int | None,
           shapes: bytes | None) -> None:
    keys = np.frombuffer(lkeys or b"", dtype=np.uint64).tolist()
    if not lzero:
        keys = [k or None for k in keys]
    learner.add(outlet, text, keys, np.frombuffer(shapes or b"", dtype=np.uint64).tolist())


def _furniture_of(model: Any, source: str | None) -> tuple[frozenset[int], frozenset[int]]:
    """The line keys and line shapes that ``model`` strips from a document of ``source`` (as
    :meth:`dedupe.clean.FurnitureModel.strip` chooses them)."""
    if source:
        return model.by_source.get(source, frozenset()), model.shapes_by_source.get(source, frozenset())
    return model.any_source, model.any_shape


def _stripped_differently(old: Any, new: Any, rows: Mapping[int, tuple]) -> list[int]:
    """Of the documents ``rows`` (``num -> (outlet, lkeys, lzero, shapes)``, what learned furniture
    counted of them), those that the two models (with the same rules after furniture) may strip
    differently: with a line whose key, or a line shape, is furniture of their source in one model
    and not in the other. The others lose the same lines under both, so their text stays (a model
    strips a line by its key or its shape only, and runs its rules only when it stripped one).
    Lines without words are stored with key 0: a change of key 0 counts for them too."""
    out: list[int] = []
    by_source: dict[str | None, list[int]] = defaultdict(list)
    for num, (outlet, lkeys, _lzero, shapes) in rows.items():
        if lkeys is None or shapes is None:
            out.append(num)  # nothing known of its lines
        else:
            by_source[outlet or None].append(num)
    for source, nums in by_source.items():
        (old_keys, old_shapes), (new_keys, new_shapes) = _furniture_of(old, source), _furniture_of(new, source)
        hit = np.zeros(len(nums), dtype=bool)
        for delta, column in ((old_keys ^ new_keys, 1), (old_shapes ^ new_shapes, 3)):
            if not delta:
                continue
            arrays = [np.frombuffer(rows[n][column], dtype=np.uint64) for n in nums]
            values = np.concatenate(arrays)
            owner = np.repeat(np.arange(len(nums)), [len(a) for a in arrays])
            hit[owner[np.isin(values, np.fromiter(delta, dtype=np.uint64, count=len(delta)))]] = True
        out.extend(n for n, h in zip(nums, hit.tolist()) if h)
    return out


def _changed_sources(old: Any, new: Any) -> set[str | None]:
    """The sources whose documents the two furniture models strip differently (None: documents
    without a source, which every source's furniture applies to)."""
    out: set[str | None] = set()
    for src in set(old.by_source) | set(new.by_source) | set(old.shapes_by_source) | set(new.shapes_by_source):
        if (old.by_source.get(src) != new.by_source.get(src)
                or old.shapes_by_source.get(src) != new.shapes_by_source.get(src)):
            out.add(src)
    if old.any_source != new.any_source or old.any_shape != new.any_shape or old.rules_after != new.rules_after:
        out.add(None)
    return out


def _split_entries(signed: Any, n: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per document of a signed partition, its band keys and their aux, in entry order."""
    order = np.argsort(signed.owners, kind="stable")
    keys, owners, aux = signed.keys[order], signed.owners[order], signed.aux[order]
    bounds = np.searchsorted(owners, np.arange(n + 1))
    return [(keys[bounds[k]:bounds[k + 1]], aux[bounds[k]:bounds[k + 1]]) for k in range(n)]


def _components(n: int, links: Mapping[tuple[int, int], Link]) -> list[list[int]]:
    from ._cluster import components

    return components(n, links)


def _final_doc(blob: bytes, text: str | None, fchanges: str | None) -> Document:
    doc = _doc_from(blob)
    if fchanges:
        more = tuple(Change(**c) for c in json.loads(fchanges))
        doc = doc.with_(text=text, changes=doc.changes + more)
    return doc


def _cluster_from(row: Mapping[str, Any]) -> Cluster:
    links = tuple(_link_of(d) for d in row["links"])
    return Cluster(row["cluster"], row["canonical"], tuple(row["members"]), links, row["canonical_reason"])
