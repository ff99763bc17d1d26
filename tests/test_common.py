"""scikit-learn's estimator checks, run over every public mtlearn estimator."""

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from mtlearn.neural_network import (
    SharedRepresentationClassifier,
    SharedRepresentationRegressor,
)

# Small data and few epochs keep the checks fast; the settings still reach
# the accuracy the checks ask for.
ESTIMATORS = [
    SharedRepresentationClassifier(
        hidden_layer_sizes=(16,),
        dropout=0.0,
        early_stopping=False,
        max_iter=100,
        learning_rate_init=1e-2,
        dtype="float64",
        random_state=0,
    ),
    SharedRepresentationRegressor(
        hidden_layer_sizes=(16,),
        dropout=0.0,
        early_stopping=False,
        max_iter=100,
        learning_rate_init=1e-2,
        dtype="float64",
        random_state=0,
    ),
]


def _expected_failures(estimator):
    if isinstance(estimator, SharedRepresentationClassifier):
        return {
            "check_classifier_multioutput": (
                "classes_ of a multi-task classifier is a list with one array "
                "per task (MultiOutputClassifier's convention); the check "
                "indexes it as a single array"
            )
        }
    return {}


# The checks' tiny iteration budgets stop training before convergence.
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@parametrize_with_checks(ESTIMATORS, expected_failed_checks=_expected_failures)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
