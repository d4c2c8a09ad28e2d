"""Grouping verified links into clusters without chaining, and choosing canonicals.

Plain connected components chain: a roundup that reprints two paragraphs of
story S1 and two of story S2 links to both, and components would merge S1's
and S2's copies. Instead links are taken strongest first (score, then ids)
and two clusters merge only when the merge keeps them coherent: among
representative cross pairs (the link's two endpoints plus up to
``representatives - 1`` of each cluster's longest members), at least
``linkage`` must be verified links. Pairs the candidate stage never proposed
are verified on demand, so a cluster is not split merely because LSH skipped
a pair. With ``linkage`` 0.5, S1's cluster and S2's cluster share the roundup
but few other links, and stay apart.

Exact copies (identical normalised text) are grouped before this and follow
their representative, so an exact copy always lands in its original's cluster.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

from .verify import Link

__all__ = ["UnionFind", "group", "merge_order", "choose_canonical"]

# 4: at most 16 checks per attempted merge; enough to see whether two
# clusters are about the same text, cheap enough for clusters of thousands.
REPRESENTATIVES = 4
# Links whose checks group() announces to ``prefetch`` at once. 64: prefetched batches
# of 50-80 pairs on the generated corpora synd1 and scale20k (10% and 0.7% of the
# pairs never needed); 16 and 256 were no faster there.
LOOKAHEAD = 64


class UnionFind:
    """Disjoint sets over 0..n-1 with path halving; the root of a set is its smallest element."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, x: int, y: int) -> int:
        rx, ry = self.find(x), self.find(y)
        if rx == ry:
            return rx
        root, child = (rx, ry) if rx < ry else (ry, rx)
        self.parent[child] = root
        return root


def merge_order(links: Mapping[tuple[int, int], Link]) -> list[tuple[int, int]]:
    """The order in which :func:`group` takes ``links``: strongest first (score, then pair)."""
    return sorted(links, key=lambda pair: (-links[pair].score, pair))


def group(
    n: int,
    links: Mapping[tuple[int, int], Link],
    check: Callable[[int, int], Link | None],
    sizes: Sequence[int],
    linkage: float,
    representatives: int = REPRESENTATIVES,
    prefetch: Callable[[list[tuple[int, int]]], None] | None = None,
    lookahead: int = LOOKAHEAD,
) -> list[list[int]]:
    """Clusters of 0..n-1 (each sorted, listed by smallest member) from verified ``links``.

    ``check(i, j)`` verifies a pair on demand (``i < j``); ``sizes`` ranks
    members as representatives (larger first, then lower number).

    ``prefetch(pairs)``, when given, is told ahead of time which pairs
    ``check`` will probably be asked for, so that it can verify them as one
    batch: when an attempted merge needs a pair not prefetched yet, the
    pairs of that merge and of the next ``lookahead`` links (with the
    clusters as they stand) go to ``prefetch``. It must not record anything:
    ``check`` is still called for exactly the pairs the merge rule needs.

    Each cluster keeps its ``representatives`` best-ranked members, updated
    on merge, and its member list; the smaller list joins the larger. So the
    work is O(links * representatives**2) checks plus O(n log n) for the
    member lists, however large the clusters grow.
    """
    uf = UnionFind(n)
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    top: dict[int, list[int]] = {i: [i] for i in range(n)}  # best-ranked members, at most `representatives`
    asked: set[tuple[int, int]] = set()  # pairs given to prefetch

    def rank(m: int) -> tuple[int, int]:
        return (-sizes[m], m)

    def reps(root: int, endpoint: int) -> list[int]:
        out = [endpoint]
        for m in top[root]:
            if len(out) >= representatives:
                break
            if m != endpoint:
                out.append(m)
        return out

    def unlinked(i: int, j: int) -> list[tuple[int, int]]:
        """The cross pairs a merge through link (i, j) checks, or [] when it checks none."""
        ri, rj = uf.find(i), uf.find(j)
        if ri == rj or (len(members[ri]) == 1 and len(members[rj]) == 1):
            return []
        cross = ((x, y) if x < y else (y, x) for x in reps(ri, i) for y in reps(rj, j))
        return [pair for pair in cross if pair not in links]

    order = merge_order(links)
    for at, (i, j) in enumerate(order):
        ri, rj = uf.find(i), uf.find(j)
        if ri == rj:
            continue
        if len(members[ri]) > 1 or len(members[rj]) > 1:
            xs, ys = reps(ri, i), reps(rj, j)
            need = unlinked(i, j)
            if prefetch is not None and need and not asked.issuperset(need):
                ahead = set(need)
                for i2, j2 in order[at + 1 : at + 1 + lookahead]:
                    ahead.update(unlinked(i2, j2))
                fresh = sorted(ahead - asked)
                asked.update(fresh)
                prefetch(fresh)
            hits = len(xs) * len(ys) - len(need) + sum(1 for a, b in need if check(a, b) is not None)
            if hits < linkage * len(xs) * len(ys):
                continue
        root = uf.union(ri, rj)
        other = rj if root == ri else ri
        kept, moved = members[root], members.pop(other)
        if len(kept) < len(moved):
            kept, moved = moved, kept
        kept.extend(moved)
        members[root] = kept
        top[root] = sorted(top[root] + top.pop(other), key=rank)[:representatives]
    return [sorted(m) for _, m in sorted(members.items())]


@dataclass(frozen=True)
class Candidate:
    """What the canonical policy looks at for one member."""

    id: str
    tokens: int
    published: str | None
    source: str | None


def choose_canonical(
    members: Sequence[Candidate], policy: str, preferred_sources: Sequence[str] = ()
) -> tuple[Candidate, str]:
    """The canonical member under a policy, and the reason in words.

    Policies (ties always fall through to the next criterion, finally the
    smallest id, so the choice never depends on input order):

    - ``longest``: most tokens of cleaned text (the most complete copy), then
      earliest ``published``;
    - ``earliest``: earliest ``published`` (documents without a date last),
      then most tokens.

    ``preferred_sources``, when given, come first, in their order.

    >>> a = Candidate("a", 300, "2024-04-12", "x.com")
    >>> b = Candidate("b", 500, "2024-04-13", "y.com")
    >>> choose_canonical([a, b], "longest")[0].id, choose_canonical([a, b], "earliest")[0].id
    ('b', 'a')
    """
    rank_source = {s: k for k, s in enumerate(preferred_sources)}

    def key(c: Candidate) -> tuple:
        pref = rank_source.get(c.source or "", len(rank_source))
        date = c.published or "\uffff"
        if policy == "earliest":
            return (pref, date, -c.tokens, c.id)
        return (pref, -c.tokens, date, c.id)

    best = min(members, key=key)
    reason = {"earliest": "earliest published", "longest": "most complete text"}[policy]
    if preferred_sources and best.source in rank_source:
        reason = f"preferred source {best.source!r}, then {reason}"
    return best, f"{reason} ({best.tokens} tokens" + (f", published {best.published})" if best.published else ")")
