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

__all__ = ["UnionFind", "group", "choose_canonical"]

# 4: at most 16 checks per attempted merge; enough to see whether two
# clusters are about the same text, cheap enough for clusters of thousands.
REPRESENTATIVES = 4


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


def group(
    n: int,
    links: Mapping[tuple[int, int], Link],
    check: Callable[[int, int], Link | None],
    sizes: Sequence[int],
    linkage: float,
    representatives: int = REPRESENTATIVES,
) -> list[list[int]]:
    """Clusters of 0..n-1 (each sorted, listed by smallest member) from verified ``links``.

    ``check(i, j)`` verifies a pair on demand (``i < j``); ``sizes`` ranks
    members as representatives (larger first, then lower number).
    """
    uf = UnionFind(n)
    members: dict[int, list[int]] = {i: [i] for i in range(n)}

    def linked(x: int, y: int) -> bool:
        a, b = (x, y) if x < y else (y, x)
        return (a, b) in links or check(a, b) is not None

    def reps(root: int, endpoint: int) -> list[int]:
        ranked = sorted(members[root], key=lambda m: (-sizes[m], m))
        out = [endpoint]
        for m in ranked:
            if len(out) >= representatives:
                break
            if m != endpoint:
                out.append(m)
        return out

    for (i, j), _link in sorted(links.items(), key=lambda kv: (-kv[1].score, kv[0])):
        ri, rj = uf.find(i), uf.find(j)
        if ri == rj:
            continue
        if len(members[ri]) > 1 or len(members[rj]) > 1:
            xs, ys = reps(ri, i), reps(rj, j)
            hits = sum(1 for x in xs for y in ys if linked(x, y))
            if hits < linkage * len(xs) * len(ys):
                continue
        root = uf.union(ri, rj)
        other = rj if root == ri else ri
        members[root].extend(members.pop(other))
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
