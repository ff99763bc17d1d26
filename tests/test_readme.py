"""The README's example runs as written."""

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def _python_blocks():
    return re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)


def test_readme_has_an_example():
    assert _python_blocks()


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("block", _python_blocks())
def test_readme_example_runs(block, capsys):
    namespace = {}
    exec(compile(block, str(README), "exec"), namespace)
    lines = capsys.readouterr().out.splitlines()
    if "the strongest route" in block:
        assert lines == ["MultiTaskEnsembleClassifier"]
        # the route the README names is the one compare runs (seed 0)
        from mtlearn._cli.models import _MODELS, _STRONGEST, _make_pipeline

        model = next(model for model in _MODELS if model.name == _STRONGEST)
        assert repr(namespace["route"]) == repr(_make_pipeline(model, 0)["model"])
    elif "load_yeast" in block:
        assert lines[0] == "(917, 14)" and lines[1] == "14"
        assert 0.7 < float(lines[2]) <= 1.0
    elif "MixtureOfExpertsClassifier" in block:
        assert lines[0] == "[0 0 0 1 1 1]" and lines[1] == "(6, 4)"
        assert 0.6 < float(lines[2]) <= 1.0
    elif "check_multitask_estimator" in block:
        assert lines == ["['passed']"]
    else:  # the School example
        assert lines[0] == "True"
        assert -1.0 < float(lines[1]) < 1.0
