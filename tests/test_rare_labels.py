"""Real multi-label data: constant and very rare labels, in every estimator.

A label with no positive example in a training split is normal (rare labels),
and in cross-validation folds every rare label is constant somewhere. Every
public classifier fits such data, predicts the constant, and cross-validates
in a 5-fold ``GridSearchCV`` (issue 9).
"""

import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import make_multilabel_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier
from threadpoolctl import threadpool_limits

from mtlearn.ensemble import MultiTaskEnsemble
from mtlearn.exceptions import ConstantTaskWarning
from mtlearn.linear_model import (
    MultiTaskLogisticRegression,
    MultiTaskLogisticRegressionCV,
)
from mtlearn.metrics import make_multitask_scorer
from mtlearn.model_selection import (
    MultilabelStratifiedKFold,
    MultiTaskThresholdClassifier,
    transfer_gain,
)
from mtlearn.neural_network import (
    MixtureOfExpertsClassifier,
    SharedRepresentationClassifier,
)

CONSTANT, RARE = 0, 1


@pytest.fixture(autouse=True, scope="module")
def _one_blas_thread():
    # tiny problems: BLAS threads only add contention (L-BFGS-B in the
    # ensembles' LogisticRegression members was 50x slower on a busy machine)
    with threadpool_limits(1):
        yield


def _rare_label_data(missing_rate=0.0, seed=0):
    """150 rows, 6 labels: label 0 never positive, label 1 positive in 3 rows."""
    X, Y = make_multilabel_classification(
        150, n_features=8, n_classes=6, n_labels=2, random_state=seed
    )
    Y = Y.astype(float)
    Y[:, CONSTANT] = 0
    Y[:, RARE] = 0
    Y[[5, 50, 100], RARE] = 1
    if missing_rate:
        rng = np.random.default_rng(seed)
        hidden = rng.random(Y.shape) < missing_rate
        hidden[[5, 50, 100], RARE] = False  # keep the three positives
        Y[hidden] = np.nan
    return X, Y


def _network():
    return SharedRepresentationClassifier(
        (8,), max_iter=20, learning_rate_init=1e-2, random_state=0
    )


CLASSIFIERS = {
    "network": (_network(), {"alpha": [1e-3, 1e-2]}),
    "network-graph-head": (
        SharedRepresentationClassifier(
            (8,),
            task_graph="auto",
            max_iter=20,
            learning_rate_init=1e-2,
            random_state=0,
        ),
        {"graph_alpha": [0.1, 1.0]},
    ),
    "mixture-of-experts": (
        MixtureOfExpertsClassifier(
            n_experts=2,
            expert_layer_sizes=(4,),
            max_iter=20,
            learning_rate_init=1e-2,
            random_state=0,
        ),
        {"task_weighting": ["equal", "pcgrad"]},
    ),
    "linear-relationship": (
        MultiTaskLogisticRegression(penalty="relationship", max_iter=200),
        {"alpha": [1e-2, 1e-1]},
    ),
    "network-pipeline": (
        make_pipeline(StandardScaler(), _network()),
        {"sharedrepresentationclassifier__alpha": [1e-3, 1e-2]},
    ),
    "logistic-l21": (
        MultiTaskLogisticRegression(penalty="l21", max_iter=200),
        {"alpha": [1e-2, 1e-1]},
    ),
    "logistic-mean": (
        MultiTaskLogisticRegression(penalty="mean", max_iter=200),
        {"alpha": [1e-2, 1e-1]},
    ),
    "logistic-cv": (
        MultiTaskLogisticRegressionCV(
            alphas=3, cv=MultilabelStratifiedKFold(3, shuffle=True, random_state=0)
        ),
        {"penalty": ["l21", "trace"]},
    ),
    "ensemble-soft": (
        MultiTaskEnsemble(
            [
                ("lr", LogisticRegression()),
                ("tree", DecisionTreeClassifier(max_depth=3)),
            ]
        ),
        {"voting": ["soft", "hard"]},
    ),
    "ensemble-cv-weights": (
        MultiTaskEnsemble(
            [("lr", LogisticRegression()), ("net", _network())],
            weights="cv",
            cv=3,
            random_state=0,
        ),
        {"cv": [3]},
    ),
    "ensemble-stacking": (
        MultiTaskEnsemble(
            [
                ("lr", LogisticRegression()),
                ("tree", DecisionTreeClassifier(max_depth=3)),
            ],
            final_estimator=LogisticRegression(),
            cv=3,
            random_state=0,
        ),
        {"cv": [3]},
    ),
    "thresholds": (
        MultiTaskThresholdClassifier(_network(), cv=3, random_state=0),
        {"scoring": ["f1", "micro_f1"]},
    ),
}


@pytest.fixture(params=sorted(CLASSIFIERS))
def classifier(request):
    estimator, grid = CLASSIFIERS[request.param]
    return clone(estimator), grid


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("missing_rate", [0.0, 0.2])
def test_fits_and_predicts_a_constant_task(classifier, missing_rate):
    estimator, _ = classifier
    X, Y = _rare_label_data(missing_rate)
    with pytest.warns(ConstantTaskWarning, match="task 0") as record:
        estimator.fit(X, Y)
    constant = [w for w in record if issubclass(w.category, ConstantTaskWarning)]
    assert len(constant) == 1, [str(w.message) for w in constant]

    final = estimator[-1] if hasattr(estimator, "steps") else estimator
    np.testing.assert_array_equal(final.classes_[CONSTANT], [0.0])
    assert len(final.classes_[RARE]) == 2
    y_pred = estimator.predict(X)
    assert y_pred.shape == Y.shape
    np.testing.assert_array_equal(y_pred[:, CONSTANT], 0.0)
    assert set(np.unique(y_pred)) <= {0.0, 1.0}
    proba = estimator.predict_proba(X)
    assert len(proba) == Y.shape[1]
    np.testing.assert_array_equal(proba[CONSTANT], np.ones((X.shape[0], 1)))
    for p in proba:
        assert np.all(np.isfinite(p))
        np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-5)
    assert np.isfinite(estimator.score(X, Y))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.filterwarnings("ignore::mtlearn.exceptions.ConstantTaskWarning")
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.UndefinedMetricWarning")
def test_grid_search_with_five_folds_on_rare_labels(classifier):
    estimator, grid = classifier
    X, Y = _rare_label_data(missing_rate=0.1)
    cv = MultilabelStratifiedKFold(5, shuffle=True, random_state=0)
    search = GridSearchCV(
        estimator,
        grid,
        cv=cv,
        scoring=make_multitask_scorer("f1", average="micro"),
        error_score="raise",
    )
    search.fit(X, Y)
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    assert search.predict(X).shape == Y.shape


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.filterwarnings("ignore::mtlearn.exceptions.ConstantTaskWarning")
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.UndefinedMetricWarning")
def test_cross_validate_with_roc_auc_on_rare_labels():
    X, Y = _rare_label_data(missing_rate=0.1)
    result = cross_validate(
        MultiTaskLogisticRegression(max_iter=200),
        X,
        Y,
        cv=MultilabelStratifiedKFold(5, shuffle=True, random_state=0),
        scoring={
            "auc": make_multitask_scorer("roc_auc"),
            "accuracy": make_multitask_scorer("accuracy"),
        },
        error_score="raise",
    )
    assert np.all(np.isfinite(result["test_accuracy"]))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.filterwarnings("ignore::mtlearn.exceptions.ConstantTaskWarning")
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.UndefinedMetricWarning")
def test_transfer_gain_on_rare_labels():
    X, Y = _rare_label_data()
    gain = transfer_gain(
        MultiTaskLogisticRegression(max_iter=200),
        X,
        Y,
        cv=MultilabelStratifiedKFold(3, shuffle=True, random_state=0),
    )
    assert gain.gain.shape == (Y.shape[1],)
    # the other tasks are scored in every split; the constant task's accuracy
    # is 1 for both models (nothing to gain)
    assert np.all(np.isfinite(gain.multitask_scores[:, 2:]))
    np.testing.assert_allclose(gain.gain[CONSTANT], 0.0)


def test_warning_is_filterable():
    X, Y = _rare_label_data()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.filterwarnings("ignore", category=ConstantTaskWarning)
        MultiTaskLogisticRegression(max_iter=500, tol=1e-3).fit(X, Y)
