r"""Named news-boilerplate rules.

Each rule removes one kind of page furniture from a cleaned text (one
paragraph or line per text line) and is registered by name in :data:`RULES`,
so a run can say which rule removed what (:func:`apply_rules`) and a config
can pick them. The docstring of each says why the rule exists and shows one
real input and its output (run as a doctest).

Where things are:

- ``registry.py``: :class:`Rule`, :class:`Hints`, the ``@rule`` / ``@line_rule`` /
  ``@page_rule`` decorators; each rule declares there its place in the default
  order and its speed hints.
- one file per family of furniture: ``widgets.py`` (players, ads, share bars),
  ``paywall.py`` (paywalls, newsletter, membership and account prompts),
  ``social.py`` (embedded posts, contact lines), ``headlines.py`` (repeated
  titles, headline lists, related blocks), ``teasers.py`` (teaser links, calls
  to action), ``footers.py`` (footers, time stamps), ``credits.py`` (credits,
  legal notices), ``page.py`` (the page rules, HTML input only).
- ``engine.py``: the fast engine that applies rules as their hints allow, with
  a :class:`Memo` of what it found about lines; ``changes.py``: recording removals;
  ``lines.py``: the line helpers the rules share. Public names of these modules
  that the package does not re-export (a family's patterns, the engine's
  :func:`~.engine.opener_table`) are internal API for the equivalence tests,
  which check the hints and shortcuts against them.

Safety: rules match whole lines with anchored patterns and, where furniture
phrasing could also occur in prose, require position (a trailing block) or
the furniture's shape (short lines, question form, no sentence punctuation).
A line that reads like an article sentence is never removed; the golden cases
in ``tests/data/rules`` include such negatives. Adding a rule: see CONTRIBUTING.md.

Page rules (``page_title``, ``link_list``) also take a :class:`PageContext`
built from the HTML; :func:`apply_rules` runs them only when given a page
(:func:`dedupe.clean.html.extract_html` does), so text input skips them.
"""

from __future__ import annotations

# The families register their rules on import.
from . import credits, footers, headlines, page, paywall, social, teasers, widgets  # noqa: F401
from .changes import line_changes
from .engine import Memo, apply_rules, apply_rules_until_stable, line_rules, shared_memo
from .lines import join_lines, normalize_words
from .registry import RULES, Hints, PageContext, Rule, default_order, line_rule, page_rule, rule, unregister

__all__ = [
    "Rule", "Hints", "PageContext", "RULES", "DEFAULT_RULES", "LINE_RULES", "Memo", "apply_rules",
    "apply_rules_until_stable", "join_lines", "line_changes", "normalize_words", "rule", "line_rule", "page_rule",
    "unregister", "default_order", "shared_memo",
]

#: The default order (each rule's ``order``): page rules, then widgets (they sit between title
#: and body), prompts, embeds, titles, list and footer blocks last (they are found from the end).
DEFAULT_RULES: tuple[str, ...] = default_order()

#: The default rules that judge each line by its content alone (see :func:`~.engine.line_rules`).
LINE_RULES: frozenset[str] = line_rules()
