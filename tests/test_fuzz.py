"""Fuzz tests: about 2 000 bad or edge-case inputs against every public
estimator, splitter, scorer and metric of mtlearn, every run the same.

Seed: ``tests/_fuzz_cases.SEED`` (numpy ``default_rng``); the cases are listed
in ``tests/_fuzz_cases.py``, grouped by the test that runs them (one per
estimator family, plus splitters, ``transfer_gain`` and the metrics). Each
case must either raise a clear ValueError/TypeError/NotFittedError, or return
finite, correctly shaped output with labels from ``y``; it must not modify its
inputs nor run over ``TIME_LIMIT`` seconds. See ``_fuzz_cases`` for the
oracle. ``test_case_count`` checks that at least ``MIN_CASES`` cases run.
"""

import collections

import pytest
from _fuzz_cases import CATEGORIES, SEED, all_cases, run_case

MIN_CASES = 1000
GROUPS = all_cases()

pytestmark = pytest.mark.filterwarnings("ignore")


def _table(failures):
    lines = [f"{'category':<18} {'case':<48} error"]
    for category, case, detail in failures:
        lines.append(f"{category:<18} {case[:48]:<48} {detail[:120]}")
    counts = collections.Counter(category for category, _, _ in failures)
    lines.append("counts: " + ", ".join(f"{c}={counts[c]}" for c in CATEGORIES))
    return "\n".join(lines)


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_fuzz(group):
    cases = GROUPS[group]
    failures = []
    for case in cases:
        for category, detail in run_case(case):
            failures.append((category, f"{case.family}/{case.name}", detail))
    by_category = {
        category: [f for f in failures if f[0] == category] for category in CATEGORIES
    }
    assert all(not found for found in by_category.values()), (
        f"seed {SEED}, {len(cases)} cases of {group!r}, "
        f"{len(failures)} failures:\n{_table(failures)}"
    )


def test_case_count():
    n_cases = sum(len(cases) for cases in GROUPS.values())
    assert n_cases >= MIN_CASES, n_cases
    names = [(c.family, c.name) for cases in GROUPS.values() for c in cases]
    assert len(names) == len(set(names)), "case names are not unique"
