"""Baselines from before issue 19 made the internal modules private (``text.py`` became ``_text.py``).

A baseline of bench_clean.py or bench_verify.py (a copy of an older ``src/dedupe/clean`` or
``verify.py``) is imported as part of the installed dedupe package, so its relative imports
(``from ..text import fold_batch``) name modules of the current package by their old names.
:func:`alias_old_names` makes each old name import the module it became; with a package from
before the rename it does nothing.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys

OLD_NAMES = ("candidates", "cluster", "sign", "verify", "text", "stages", "store", "parallel", "index_store",
             "index_redis")


def alias_old_names() -> None:
    for name in OLD_NAMES:
        old, new = "dedupe." + name, "dedupe._" + name
        if old not in sys.modules and importlib.util.find_spec(old) is None and importlib.util.find_spec(new):
            sys.modules[old] = importlib.import_module(new)
