"""Fuzz tests: bad or edge-case inputs against every public estimator,
splitter, scorer and metric of mtlearn, the same in every run.

Seed and size: ``SEED = 20240909`` (``tests/_fuzz_cases.SEED``, numpy
``default_rng``); 9 107 cases per run (at commit time; ``test_case_count``
asserts at least ``MIN_CASES``), about 30 s of CPU. The cases are built in
``tests/_fuzz_cases.py``, grouped by the test that runs them (one test per
estimator family, plus splitters, ``transfer_gain`` and the metrics). Each
case must either raise a clear ValueError/TypeError/NotFittedError, or return
finite, correctly shaped output with labels from ``y``; it must not modify its
inputs nor run over ``TIME_LIMIT`` (5 s). ``_fuzz_cases`` holds the oracle;
``test_oracle`` checks that it catches each kind of failure.
"""

import collections
import time

import numpy as np
import pytest
from _fuzz_cases import CATEGORIES, SEED, Case, Out, all_cases, run_case

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


def _busy():
    while True:
        time.sleep(0.01)


def _mutate(a):
    a[0, 0] = 99.0
    return []


def _raise(exc):
    raise exc


_Y = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, np.nan]])
_PRED = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])


@pytest.mark.parametrize(
    "func, expected, options",
    [
        (lambda: [Out("predict", _PRED, "labels", n=3, y=_Y)], None, {}),
        (
            lambda: [Out("predict", _PRED[:, :1], "labels", n=3, y=_Y)],
            "wrong shape",
            {},
        ),
        (lambda: [Out("predict", _PRED * 5, "labels", n=3, y=_Y)], "wrong label", {}),
        (lambda: [Out("predict", _Y + np.nan, "values", n=3, y=_Y)], "non-finite", {}),
        (lambda: [Out("score", np.inf, "scalar")], "non-finite", {}),
        (
            lambda: [Out("predict_proba", [np.ones((3, 2))] * 2, "proba", n=3, y=_Y)],
            "non-finite",  # rows that do not sum to 1
            {},
        ),
        (lambda: _raise(IndexError("index 3")), "unclear error type", {}),
        (lambda: _raise(np.linalg.LinAlgError("SVD")), "unclear error type", {}),
        (
            lambda: _raise(ValueError("could not convert string to float: 'a'")),
            "unclear message",
            {},
        ),
        (
            lambda: _raise(ValueError("X: could not convert string to float: 'a'")),
            None,
            {"names": ("X",)},
        ),
        (lambda: _raise(ValueError("X has 3 features")), None, {}),
        (lambda: [], "missing error", {"must_raise": True}),
        (
            lambda: _raise(ValueError("not fitted")),
            "unclear error type",
            {"not_fitted": True},
        ),
        (_busy, "hang", {}),
    ],
)
def test_oracle(func, expected, options):
    """The oracle flags each kind of failure, and only that one."""
    failures = run_case(Case("oracle", "case", func, **options), limit=0.2)
    assert [category for category, _ in failures] == ([expected] if expected else [])


def test_oracle_mutation():
    a = np.zeros((2, 2))
    failures = run_case(Case("oracle", "case", lambda: _mutate(a), {"a": a}))
    assert failures == [("mutated input", "a changed")]
