"""Every public mtlearn estimator in a small, fast configuration.

Shared by the scikit-learn checks (test_common.py) and the multi-task
contract checks (test_estimator_checks.py): small data and few epochs keep
them fast, and the settings still reach the accuracy the checks ask for.
"""

from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from mtlearn.ensemble import MultiTaskEnsembleClassifier, MultiTaskEnsembleRegressor
from mtlearn.linear_model import (
    MultiTaskLinearRegression,
    MultiTaskLinearRegressionCV,
    MultiTaskLogisticRegression,
    MultiTaskLogisticRegressionCV,
)
from mtlearn.model_selection import MultiTaskThresholdClassifier
from mtlearn.multioutput import LabelPowersetClassifier
from mtlearn.neural_network import (
    MixtureOfExpertsClassifier,
    MixtureOfExpertsRegressor,
    SharedRepresentationClassifier,
    SharedRepresentationRegressor,
)


def network(kind="classifier", **params):
    """A small network without early stopping or dropout, in float64."""
    cls = {
        "classifier": SharedRepresentationClassifier,
        "regressor": SharedRepresentationRegressor,
    }[kind]
    settings = dict(
        hidden_layer_sizes=(16,),
        dropout=0.0,
        early_stopping=False,
        max_iter=100,
        learning_rate_init=1e-2,
        dtype="float64",
        random_state=0,
    )
    return cls(**(settings | params))


def fast_estimators(linear_tol):
    """The list; ``linear_tol`` is the linear models' tolerance.

    The sample-weight checks of scikit-learn compare two fits to 1e-7 and
    need 1e-10; the multi-task checks need no better than 1e-6.
    """
    linear = dict(tol=linear_tol, max_iter=5000)
    learned = dict(linear, l2_reg=1e-3)
    return [
        network(),
        # the defaults (float32, early stopping, dropout, averaging), smaller
        SharedRepresentationClassifier(
            hidden_layer_sizes=(16,), learning_rate_init=1e-2, random_state=0
        ),
        network("regressor"),
        # averaged, as before the regressor's default became average=False:
        # the permutation check needs two fits on 60 rows to agree closely
        SharedRepresentationRegressor(
            hidden_layer_sizes=(16,),
            learning_rate_init=1e-2,
            average=True,
            random_state=0,
        ),
        MultiTaskThresholdClassifier(
            network(dropout=0.5, max_iter=50, dtype="float32"),
            cv=3,
            random_state=0,
        ),
        # ensembles: a small member set; soft voting, then cv weights and stacking
        MultiTaskEnsembleClassifier(
            [
                ("lr", LogisticRegression()),
                ("tree", DecisionTreeClassifier(max_depth=3, random_state=0)),
            ]
        ),
        MultiTaskEnsembleClassifier(
            [
                ("lr", LogisticRegression()),
                ("tree", DecisionTreeClassifier(max_depth=3)),
            ],
            weights="cv",
            final_estimator=LogisticRegression(),
            cv=3,
            random_state=0,
        ),
        MultiTaskEnsembleRegressor(
            [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=3))],
            weights="cv",
            cv=3,
            random_state=0,
        ),
        # linear models: weak penalties
        MultiTaskLinearRegression(alpha=1e-3, **linear),
        MultiTaskLinearRegression(penalty="trace", alpha=1e-3, **linear),
        MultiTaskLogisticRegression(alpha=1e-2, **linear),
        MultiTaskLogisticRegression(penalty="mean", alpha=1e-2, **linear),
        MultiTaskLinearRegressionCV(alphas=4, cv=3, **linear),
        MultiTaskLogisticRegressionCV(
            penalty="trace", alphas=3, eps=0.1, cv=3, **linear
        ),
        # mixtures of experts: two small experts (and one per task: CGC)
        MixtureOfExpertsClassifier(n_experts=2, n_task_experts=1, **_small_mixture),
        MixtureOfExpertsRegressor(n_experts=2, **_small_mixture),
        # learned task structures (issue 11), with a weak ridge: their
        # coupling leaves the tasks' common vector free, so a single task
        # (1-D y, 30 features, 15 rows) would otherwise be unpenalised
        MultiTaskLinearRegression(penalty="relationship", alpha=1e-3, **learned),
        MultiTaskLogisticRegression(penalty="cluster", alpha=1e-2, **learned),
        MultiTaskLinearRegressionCV(penalty="cluster", alphas=3, cv=3, **learned),
        MultiTaskLogisticRegressionCV(
            penalty="relationship", alphas=[1e-2, 1e-3], cv=3, **learned
        ),
        # graph heads (issue 11): estimated from the targets; penalty and gcn
        network(task_graph="auto", graph_head="penalty"),
        # the gcn head on a regressor
        network("regressor", task_graph="auto", graph_head="gcn", max_iter=300),
        # the graph penalty on the mixture's towers (issue 11)
        MixtureOfExpertsClassifier(
            n_experts=2, task_graph="auto", graph_head="penalty", **_small_mixture
        ),
        # label combinations (issue 13): a small forest (without bootstrap, so
        # that a weight is a repeated row, as the sample-weight checks ask);
        # predict by marginals, which check_classifier_multioutput expects
        # (tests/test_label_powerset.py covers the combination rule)
        LabelPowersetClassifier(
            RandomForestClassifier(10, max_depth=4, bootstrap=False),
            prediction="marginal",
            random_state=0,
        ),
    ]


_small_mixture = dict(
    expert_layer_sizes=(16,),
    dropout=0.0,
    early_stopping=False,
    max_iter=100,
    learning_rate_init=1e-2,
    dtype="float64",
    random_state=0,
)
