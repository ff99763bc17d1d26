"""The library never imports the command line package ``mtlearn._cli``."""

import subprocess
import sys

import pytest

CHECK = (
    "cli = sorted(name for name in sys.modules if name.startswith('mtlearn._cli'))\n"
    "assert not cli, cli\n"
)


def _run(code):
    subprocess.run([sys.executable, "-c", code + CHECK], check=True)


@pytest.mark.parametrize(
    "module", ["mtlearn", "mtlearn.plotting", "mtlearn.metrics", "mtlearn.datasets"]
)
def test_library_does_not_import_the_cli(module):
    _run(f"import sys, {module}\n")


def test_plotting_reads_the_compare_headers_without_the_cli():
    # TaskScoreDisplay.from_compare_results names its bars with these headers.
    _run(
        "import sys\n"
        "from mtlearn.plotting._task_scores import _compare_headers\n"
        "assert _compare_headers()['f1_micro'] == 'micro-F1'\n"
    )


def test_compare_columns_are_the_library_columns():
    from mtlearn._cli import models, report
    from mtlearn.metrics import _multilabel_columns

    assert report._COLUMNS is _multilabel_columns._COLUMNS
    assert models._METRICS is _multilabel_columns._METRICS
