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

A single document also joins a cluster when it is linked to the cluster's
*hub*: the member with the largest total score of verified links to the
other members; on a tie (an original and its abridged copies all link at
1.0), the one holding the most of the others' text (total coverage of the
other side of its links), then the lower number. A story whose cluster is
its original plus copies that each kept other paragraphs shows why: a new
partial copy is linked to the original, to which every member is linked,
but to none of the other copies, and the average rule alone refuses it.
On the generated corpora of seeds 1 and 2 the hub rule brings 11 more
partial and heavy copies into their original's cluster, with no wrong
merge; on bbc_news it changes no cluster. It only ever adds one document to
a cluster: two clusters of several members still merge by the average rule
alone, so the roundup above can join S1's cluster but never bring S2's with
it, and a document that joined through one link is rarely the hub that a
later one would need.

Last, when those rules refuse, two clusters of any size merge when every
member of one is linked directly to the other's hub (verified links only,
no on-demand check). Two
partial copies of one source that kept the same paragraphs link to each
other first (their link is the strongest), and their cluster of two then
met the source's cluster through the average rule alone, which sees them
unlinked to the source's other copies and refused (issue 20, item 7): a
document linked directly to a cluster's hub now belongs with it whatever
order the links arrive in (tested with hypothesis on sources with copies and
pairs of partial copies). The hub matters here: by the link graph alone a
source with copies of one part of it plus a pair of copies of another part
is the roundup above (a member linked to every document of both clusters),
and what tells them apart is that the source is its cluster's hub, the
roundup is not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Mapping, Sequence

from .records import Link

__all__ = ["UnionFind", "components", "group", "group_components", "merge_order", "choose_canonical"]

# 4: at most 16 checks per attempted merge; enough to see whether two
# clusters are about the same text, cheap enough for clusters of thousands. Fixed, not a
# setting: a cost bound of the merge check (linkage is the setting that decides merges).
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

    A merge where one side is a single document ``s`` is also accepted when
    ``s`` is linked to the other cluster's hub (the member with the largest
    total score of ``links`` to the other members, then the largest total
    coverage of the other side of those links, then the lower number;
    ``links[(i, j)]`` has ``i``'s figures as ``coverage_a``): at once when
    ``(s, hub)`` is in ``links``, else after the average rule refused, by
    ``check``. A merge the rules above refuse is still accepted, without
    more checks, when every member of one cluster is in ``links`` with the
    other cluster's hub.

    Each cluster keeps its ``representatives`` best-ranked members, updated
    on merge, its member list and its hub; the smaller list joins the larger,
    and only the links of the smaller side's members are looked at to update
    the link totals. So the work is O(links * representatives**2) checks plus
    O((n + links) log n) for the member lists and the hubs, however large the
    clusters grow.
    """
    uf = UnionFind(n)
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    top: dict[int, list[int]] = {i: [i] for i in range(n)}  # best-ranked members, at most `representatives`
    asked: set[tuple[int, int]] = set()  # pairs given to prefetch
    # Per member, its linked neighbours with the link's score, the coverage of the neighbour and
    # the member's own coverage (in 1/10,000, as links round them: exact sums); per member its
    # totals over the links to its own cluster; per cluster (by root) its hub.
    neighbours: dict[int, list[tuple[int, int, int, int]]] = {}
    for (a, b), link in links.items():
        w, holds_b, holds_a = _share(link.score), _share(link.coverage_b), _share(link.coverage_a)
        neighbours.setdefault(a, []).append((b, w, holds_b, holds_a))
        neighbours.setdefault(b, []).append((a, w, holds_a, holds_b))
    strength = [0] * n
    holding = [0] * n
    inside = [0] * n  # per member: its links to the other members of its cluster (a bound)
    hub: dict[int, int] = {i: i for i in range(n)}

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

    def hub_pair(ri: int, rj: int) -> tuple[int, int] | None:
        """(single document, hub of the other cluster), ordered, when one side is a single document."""
        if len(members[ri]) == 1:
            s, h = ri, hub[rj]
        elif len(members[rj]) == 1:
            s, h = rj, hub[ri]
        else:
            return None
        return (s, h) if s < h else (h, s)

    def linked_to_hub(rh: int, ro: int) -> bool:
        """Is every member of cluster ``ro`` in ``links`` with the hub of cluster ``rh``?"""
        h = hub[rh]
        others = members[ro]
        if len(neighbours.get(h, ())) - inside[h] < len(others):
            return False
        return all(((m, h) if m < h else (h, m)) in links for m in others)

    def star(ri: int, rj: int) -> bool:
        """Is one cluster all linked to the other's hub (see the module docstring)?"""
        return linked_to_hub(ri, rj) or linked_to_hub(rj, ri)

    def unlinked(i: int, j: int) -> list[tuple[int, int]]:
        """The pairs a merge through link (i, j) may check, or [] when it checks none."""
        ri, rj = uf.find(i), uf.find(j)
        if ri == rj or (len(members[ri]) == 1 and len(members[rj]) == 1):
            return []
        via_hub = hub_pair(ri, rj)
        if via_hub is not None and via_hub in links:
            return []
        cross = [(x, y) if x < y else (y, x) for x in reps(ri, i) for y in reps(rj, j)]
        if via_hub is not None and via_hub not in cross:
            cross.append(via_hub)
        return [pair for pair in cross if pair not in links]

    def accepted(at: int, i: int, j: int, ri: int, rj: int) -> bool:
        """Whether the clusters of i and j merge through link (i, j) (see the docstring)."""
        if len(members[ri]) == 1 and len(members[rj]) == 1:
            return True
        via_hub = hub_pair(ri, rj)
        if via_hub is not None and via_hub in links:
            return True
        need = unlinked(i, j)
        if prefetch is not None and need and not asked.issuperset(need):
            ahead = set(need)
            for i2, j2 in order[at + 1 : at + 1 + lookahead]:
                ahead.update(unlinked(i2, j2))
            fresh = sorted(ahead - asked)
            asked.update(fresh)
            prefetch(fresh)
        xs, ys = reps(ri, i), reps(rj, j)
        cross = [(x, y) if x < y else (y, x) for x in xs for y in ys]
        found = {pair: check(*pair) is not None for pair in cross if pair not in links}
        hits = len(cross) - len(found) + sum(found.values())
        if hits >= linkage * len(cross):
            return True
        if via_hub is not None and (found[via_hub] if via_hub in found else check(*via_hub) is not None):
            return True
        # Last, with no check of its own: every pair the rules above checked is checked as before
        # (the links a cluster lists include the pairs found by those checks).
        return star(ri, rj)

    def join_strengths(big: int, small: int) -> list[int]:
        """Add the links between two clusters to their members' totals; the members whose total changed."""
        changed = []
        for m in members[small]:
            for q, w, m_holds, q_holds in neighbours.get(m, ()):
                if uf.find(q) == big:
                    strength[m] += w
                    strength[q] += w
                    inside[m] += 1
                    inside[q] += 1
                    holding[m] += m_holds
                    holding[q] += q_holds
                    changed.append(q)
        return changed

    order = merge_order(links)
    for at, (i, j) in enumerate(order):
        ri, rj = uf.find(i), uf.find(j)
        if ri == rj or not accepted(at, i, j, ri, rj):
            continue
        big, small = (ri, rj) if len(members[ri]) >= len(members[rj]) else (rj, ri)
        changed = join_strengths(big, small)
        hubs = (hub.pop(ri), hub.pop(rj))
        root = uf.union(ri, rj)
        other = rj if root == ri else ri
        moved = members.pop(small)
        kept = members.pop(big)
        kept.extend(moved)
        members[root] = kept
        top[root] = sorted(top[root] + top.pop(other), key=rank)[:representatives]
        # Only these can have overtaken the two old hubs: every other total is as it was.
        hub[root] = min((*hubs, *moved, *changed), key=lambda m: (-strength[m], -holding[m], m))
    return [sorted(m) for _, m in sorted(members.items())]


def components(n: int, pairs: Iterable[tuple[int, int]]) -> list[list[int]]:
    """The connected components of 0..n-1 joined by ``pairs``: each sorted, listed by smallest
    member, single documents included.

    >>> components(5, [(3, 4), (0, 3)])
    [[0, 3, 4], [1], [2]]
    """
    uf = UnionFind(n)
    for a, b in pairs:
        uf.union(a, b)
    out: dict[int, list[int]] = {}
    for i in range(n):
        out.setdefault(uf.find(i), []).append(i)
    return list(out.values())  # roots are smallest members, met in increasing order


def group_components(
    n: int,
    links: Mapping[tuple[int, int], Link],
    check: Callable[[int, int], Link | None],
    sizes: Sequence[int],
    linkage: float,
    representatives: int = REPRESENTATIVES,
    prefetch: Callable[[list[tuple[int, int]]], None] | None = None,
    lookahead: int = LOOKAHEAD,
) -> list[list[int]]:
    """:func:`group`, one connected component of ``links`` at a time: the same clusters.

    Merges go through links and checks only compare members of the two
    clusters a link joins, so no cluster crosses a component, and within one
    the merge order (score, then pair), the representatives (size, then
    number) and the hubs (totals, then number) only compare its own members.
    Numbered in their order inside the component, its documents and links
    give the clusters they give in the whole graph (tested). So a component is
    a unit of work another engine can cluster wherever it holds it: its
    clusters depend only on its documents (sorted by id) and its links.
    """
    comps = components(n, links)
    label = [0] * n
    for c, comp in enumerate(comps):
        for m in comp:
            label[m] = c
    by_comp: dict[int, dict[tuple[int, int], Link]] = {}
    for pair, link in links.items():
        by_comp.setdefault(label[pair[0]], {})[pair] = link
    out: list[list[int]] = []
    for c, comp in enumerate(comps):
        if len(comp) == 1:
            out.append(comp)
            continue
        local = {g: k for k, g in enumerate(comp)}
        sub = {(local[a], local[b]): link for (a, b), link in by_comp[c].items()}

        def check_local(a: int, b: int, comp: list[int] = comp) -> Link | None:
            return check(comp[a], comp[b])

        def prefetch_local(pairs: list[tuple[int, int]], comp: list[int] = comp) -> None:
            prefetch([(comp[a], comp[b]) for a, b in pairs])  # type: ignore[misc]

        found = group(len(comp), sub, check_local, [sizes[g] for g in comp], linkage, representatives,
                      prefetch_local if prefetch is not None else None, lookahead)
        out.extend([comp[k] for k in g] for g in found)
    return sorted(out)


def _share(value: float) -> int:
    """A score or coverage in 1/10,000 (links round them to 4 decimals), so that totals are exact."""
    return int(round(value * 10_000))


@dataclass(frozen=True)
class ClusterMember:
    """What the canonical policy looks at for one member."""

    id: str
    tokens: int
    published: str | None
    source: str | None


def choose_canonical(
    members: Sequence[ClusterMember], policy: str, preferred_sources: Sequence[str] = ()
) -> tuple[ClusterMember, str]:
    """The canonical member under a policy, and the reason in words.

    Policies (ties always fall through to the next criterion, finally the
    smallest id, so the choice never depends on input order):

    - ``longest``: most tokens of cleaned text (the most complete copy), then
      earliest ``published``;
    - ``earliest``: earliest ``published`` (documents without a date last),
      then most tokens.

    ``preferred_sources``, when given, come first, in their order.

    >>> a = ClusterMember("a", 300, "2024-04-12", "x.com")
    >>> b = ClusterMember("b", 500, "2024-04-13", "y.com")
    >>> choose_canonical([a, b], "longest")[0].id, choose_canonical([a, b], "earliest")[0].id
    ('b', 'a')
    """
    rank_source = {s: k for k, s in enumerate(preferred_sources)}

    def key(c: ClusterMember) -> tuple:
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
