"""The rules engine's memo: one per run, passed with every partition, and never a cause of a different result."""

from __future__ import annotations

import pickle
from functools import partial

from dedupe.clean import clean_text
from dedupe.clean.rules import Memo, shared_memo
from dedupe.config import CleanConfig
from dedupe.records import Document
from dedupe._parallel import ordered_imap
from dedupe._stages import clean_partition

PAGES = [
    "Story by Jane Holloway\n\nFloods hit the coast\n\nThe river burst its banks on Tuesday.\n\nMost Read\n\n"
    "Markets rally on rate cut\n\n2 hours ago\n\nPolice arrest robbery suspect\n\nYesterday",
    "By Tuesday, the floods had receded.\n\nRoads reopened on Wednesday, the council said.\n\n"
    "Sign up free to read 5 articles a month.",
    "Reporter: Sam O'Neill\n\nTalks resume\n\nThe talks resume on Monday.\n\n© 2024 Example Media. All rights reserved.",
]


def _docs(n: int) -> list[Document]:
    return [Document(id=f"d{k:03d}", text=PAGES[k % len(PAGES)] + f"\n\nStory number {k} ends here.") for k in range(n)]


def test_a_partition_cleaned_with_a_run_memo_equals_one_cleaned_without() -> None:
    docs = _docs(30)
    plain = clean_partition(docs, CleanConfig(), keys=True)
    memo = Memo()
    with_memo = clean_partition(docs, CleanConfig(), keys=True, memo=memo)
    assert [(d.text, k, s) for d, k, s in with_memo] == [(d.text, k, s) for d, k, s in plain]
    assert memo.tables, "the run's memo was not used"
    assert with_memo[0][0].text == clean_text(docs[0].text).text


def test_a_run_memo_is_kept_across_the_partitions_of_the_run() -> None:
    memo = Memo()
    docs = _docs(12)
    clean_partition(docs[:6], CleanConfig(), keys=False, memo=memo)
    sizes = {name: len(table) for name, table in memo.tables.items()}
    clean_partition(docs[6:], CleanConfig(), keys=False, memo=memo)
    assert sizes and all(len(memo.tables[name]) >= n for name, n in sizes.items())


def test_a_memo_sent_to_another_process_arrives_as_one_replica_per_run() -> None:
    memo = Memo()
    clean_text(PAGES[0], memo=memo)
    first = pickle.loads(pickle.dumps(memo))
    again = pickle.loads(pickle.dumps(memo))
    other = pickle.loads(pickle.dumps(Memo()))
    assert first is again  # every partition of the run meets the same replica
    assert first is not memo and other is not first and first is not shared_memo()
    assert not first.tables  # what the memo holds is never copied
    assert len(pickle.dumps(memo)) < 200


def test_workers_with_a_run_memo_give_the_serial_result() -> None:
    docs = _docs(200)
    chunks = [docs[k:k + 10] for k in range(0, len(docs), 10)]
    func = partial(clean_partition, config=CleanConfig(), keys=True, memo=Memo())
    serial = [x for chunk in map(func, chunks) for x in chunk]
    pooled = [x for chunk in ordered_imap(func, chunks, 2, chunksize=1) for x in chunk]
    assert [(d.text, k, s) for d, k, s in pooled] == [(d.text, k, s) for d, k, s in serial]

