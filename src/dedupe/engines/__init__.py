"""Engines that run the stages of :mod:`dedupe._stages` elsewhere than in one process tree.

:mod:`dedupe.pipeline` is the local engine. :mod:`dedupe.engines.spark` runs
the same stage functions inside Apache Spark tasks (``pip install
'news-dedupe[spark]'``); it is imported only when asked for.
"""

__all__ = ["ENGINES"]

#: ``dedupe run --engine`` values.
ENGINES = ("local", "spark")
