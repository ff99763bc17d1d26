"""Multi-gate mixture-of-experts networks: per-task attention over experts."""

from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted

from ._experts import (
    GraphConvolutionMixtureNetwork,
    GraphPenaltyMixtureNetwork,
    MixtureOfExpertsNetwork,
)
from ._graph_head import GRAPH_ALPHA_DEFAULT, GRAPH_ALPHA_WHY, make_graph_network
from ._network import MAX_PARAMETERS
from ._shared_representation import (
    _SHARED_ATTRIBUTES_DOC,
    _SHARED_PARAMETERS_DOC,
    NETWORK_DEFAULTS,
    SharedRepresentationClassifier,
    SharedRepresentationRegressor,
    _check_finite_output,
    fill_defaults_doc,
)

# the parents' parameters that the mixture does not take
_NOT_PARAMETERS = ("hidden_layer_sizes",)


def _check_network_size(
    n_features, expert_sizes, n_experts, n_task_experts, head_sizes, n_tasks, n_outputs
):
    """Raise a ValueError naming the parameters when the mixture is too big.

    The count is exact in Python integers (experts, gates and towers), so
    that it cannot overflow.
    """
    widths = [n_features, *expert_sizes]
    per_expert = sum(a * b + b for a, b in zip(widths[:-1], widths[1:]))
    n_total = n_experts + n_tasks * n_task_experts
    n_visible = n_experts + n_task_experts
    gates = n_tasks * (n_features * n_visible + n_visible)
    towers = [expert_sizes[-1], *head_sizes]
    per_tower = sum(a * b + b for a, b in zip(towers[:-1], towers[1:]))
    per_tower += towers[-1] * max(n_outputs) + max(n_outputs)
    n_params = n_total * per_expert + gates + n_tasks * per_tower
    if n_params > MAX_PARAMETERS:
        raise ValueError(
            f"The mixture would have a {len(str(n_params))}-digit number of "
            f"parameters, more than the {MAX_PARAMETERS} supported: lower "
            f"n_experts ({n_experts}), n_task_experts ({n_task_experts}), "
            "expert_layer_sizes or head_layer_sizes."
        )


def _mixture_constraints(constraints):
    """The parent's constraints, without the trunk's, with the experts'."""
    constraints = {k: v for k, v in constraints.items() if k not in _NOT_PARAMETERS}
    return constraints | {
        "n_experts": [Interval(Integral, 1, None, closed="left")],
        "expert_layer_sizes": [
            "array-like",
            Interval(Integral, 1, None, closed="left"),
        ],
        "n_task_experts": [Interval(Integral, 0, None, closed="left")],
        "gate_temperature": [Interval(Real, 0, None, closed="neither")],
    }


class _MixtureOfExperts:
    """What the classifier and the regressor add to their parents: the
    architecture, the gates and the fitted gate summary."""

    # Not a parameter of the mixture, read by the parents' code: the experts
    # take the place of the trunk (no shared layer in front of them).
    hidden_layer_sizes = ()

    def _check_parameters(self):
        super()._check_parameters()
        sizes = self._layer_sizes(self.expert_layer_sizes, "expert_layer_sizes")
        if not sizes:
            raise ValueError(
                "expert_layer_sizes must give each expert at least one hidden "
                f"layer, got {self.expert_layer_sizes!r}."
            )

    def _make_network(self, n_features, dtype):
        _check_network_size(
            n_features,
            self._layer_sizes(self.expert_layer_sizes, "expert_layer_sizes"),
            int(self.n_experts),
            int(self.n_task_experts),
            self._layer_sizes(self.head_layer_sizes, "head_layer_sizes"),
            self.n_tasks_,
            np.atleast_1d(self._n_outputs).tolist(),
        )
        args = (
            n_features,
            self._layer_sizes(self.expert_layer_sizes, "expert_layer_sizes"),
            int(self.n_experts),
            int(self.n_task_experts),
            self._layer_sizes(self.head_layer_sizes, "head_layer_sizes"),
            self.n_tasks_,
            self._n_outputs,
            self.activation,
            dtype,
        )
        kwargs = {"gate_temperature": self.gate_temperature}
        if getattr(self, "_task_graph", None) is not None:
            networks = (GraphPenaltyMixtureNetwork, GraphConvolutionMixtureNetwork)
            return make_graph_network(self, args, kwargs, networks)
        return MixtureOfExpertsNetwork(*args, **kwargs)

    def _fit(self, X, y, sample_weight, incremental, classes=None):
        super()._fit(X, y, sample_weight, incremental, classes=classes)
        gates = self._gate_weights(self._validate_X(X, reset=False))
        self.mean_gate_weights_ = np.array([g.mean(axis=0) for g in gates])
        return self

    def _gate_weights(self, X):
        """Per task, (n_samples, n_experts_total) gate weights of valid X."""
        net = self._network
        with np.errstate(over="ignore", invalid="ignore"):
            visible = net.gates(X)
        weights = []
        for t, g in enumerate(visible):
            full = np.zeros((X.shape[0], net.n_experts_total))
            full[:, net.expert_columns(t)] = _check_finite_output(g, "the gates")
            weights.append(full)
        return weights

    def gate_weights(self, X):
        """The attention of each task over the experts.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        weights : ndarray or list of ndarray
            Per task, an array of shape (n_samples, n_experts_total_) whose
            rows sum to one: the weight of each expert in the task's input.
            Columns are the shared experts, then the task experts of task 0,
            of task 1, ...; a task's weight on another task's experts is 0.
            One array for one-dimensional y.
        """
        check_is_fitted(self)
        weights = self._gate_weights(self._validate_X(X, reset=False))
        return weights[0] if self._one_d else weights

    @property
    def n_experts_total_(self):
        """Number of experts: ``n_experts + n_tasks_ * n_task_experts``."""
        check_is_fitted(self)
        return self._network.n_experts_total

    def transform(self, X):
        """The experts' outputs, side by side.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        H : ndarray of shape (n_samples, n_experts_total_ * expert_layer_sizes[-1])
            The last hidden layer of every expert (shared experts first, then
            each task's own), before the gates weigh them; a DataFrame with
            the columns of ``get_feature_names_out()`` after
            ``set_output(transform="pandas")``.

        Raises
        ------
        ValueError
            When X holds values the training dtype cannot represent, or the
            forward pass on X overflows (X far outside the scale seen in fit).
        """
        return super().transform(X)

    def _head_params(self, t):
        """Task ``t``'s tower: its block of each grouped tower layer."""
        check_is_fitted(self)
        net = self._network
        coefs, intercepts = [], []
        for i in range(net.n_trunk_layers + 1, len(net.layers)):
            W, b = net.coefs[i], net.intercepts[i]
            n_out = W.shape[2]
            width = self._head_outputs[t] if i == len(net.layers) - 1 else n_out
            coefs.append(W[t][:, :width])
            intercepts.append(b[t * n_out : t * n_out + width])
        return coefs, intercepts


_MIXTURE_PARAMETERS_DOC = """
    n_experts : int, default=4
        Number of shared experts, the networks every task's gate weighs.
        Four experts cost about four trunks of one expert's width per epoch.
    expert_layer_sizes : array-like of int, default=(128,)
        Widths of each expert's hidden layers (at least one). Four experts
        of 128 units make a first layer as wide (512) as the shared
        network's default trunk.
    n_task_experts : int, default=0
        Experts of each task's own, seen by its gate only, beside the shared
        ones (customised gate control, Tang et al. 2020); 0 is the multi-gate
        mixture of experts (Ma et al. 2018).
    gate_temperature : float, default=1.0
        The gates' logits are divided by it before their softmax: above 1
        the gates spread their weight over more experts, below 1 they
        concentrate it. The gates' weights are left out of the L2 penalty
        ``alpha``, which would hold them near uniform. At 1 the gates of
        the grouped tasks of ``benchmarks/bench_attention.py`` have a
        normalised entropy of 0.75 and the mixture scored 0.011 test AUC
        above the shared trunk of its size (two sets of 5 seeds, beyond two
        standard errors), and level with it where all tasks are related. At
        0.25 they route each row to fewer experts (entropy 0.50) and the
        mixture scored 0.024-0.026 above the trunk on grouped tasks, but
        also 0.012-0.018 above it where all tasks are related: that gain
        comes from routing rows, not from separating the groups. On yeast
        and emotions 0.25 lost 0.007-0.008 micro-F1 to 1 (5 seeds), hence
        the default.
"""

_MIXTURE_ATTRIBUTES_DOC = """
    mean_gate_weights_ : ndarray of shape (n_tasks_, n_experts_total_)
        Mean gate weight of each task on each expert over the rows of X
        passed to the last ``fit`` or ``partial_fit`` (0 on the experts its
        gate cannot see). Rows of tasks that share nothing differ.
    n_experts_total_ : int
        ``n_experts + n_tasks_ * n_task_experts``.
"""


def _drop_entries(text, names):
    """A numpydoc block without the entries of ``names``."""
    kept, keep = [], True
    for line in text.splitlines(keepends=True):
        if line.startswith("    ") and not line.startswith("     "):
            keep = line.split(":")[0].strip() not in names
        if keep:
            kept.append(line)
    return "".join(kept)


def _parameters_doc():
    """The shared parameters' documentation, for the mixture of experts."""
    text = _drop_entries(
        _SHARED_PARAMETERS_DOC.lstrip("\n"),
        {"hidden_layer_sizes", *_NOT_PARAMETERS},
    )
    text = _MIXTURE_PARAMETERS_DOC.lstrip("\n") + text
    text = text.replace("{graph_alpha}", repr(GRAPH_ALPHA_DEFAULT))
    text = text.replace("{graph_alpha_why}", GRAPH_ALPHA_WHY)
    text = text.replace(
        "A graph of the tasks for their heads:",
        "A graph of the tasks for their towers:",
    )
    return (
        text.replace(
            "on all weights\n        (not the biases).",
            "on all weights\n        but the gates' (and not the biases): a "
            "penalty on the gates would\n        hold them near uniform.",
        )
        .replace(
            "Probability of dropping each trunk unit",
            "Probability of dropping each unit of a task's mixture of the\n"
            "        experts (its tower's input) and of the experts' hidden layers\n"
            "        before their last (not their outputs: dropped expert outputs\n"
            "        would hold the gates near uniform)",
        )
        .replace(
            "between the trunk and its\n"
            "        output; empty means each head is a single output layer on "
            "the trunk.",
            "(its tower) between the\n"
            "        mixture of experts and its output; empty means a single output "
            "layer.",
        )
    )


def _attributes_doc():
    text = _SHARED_ATTRIBUTES_DOC.lstrip("\n")
    text = text[: text.index("    trunk_coefs_")]
    return (
        text
        + (
            "    trunk_coefs_, trunk_intercepts_ : list of ndarray\n"
            "        Weights and biases of the experts' layers: the first of shape\n"
            "        (n_features, n_experts_total_ * expert_layer_sizes[0]), expert\n"
            "        ``e`` owning the ``e``-th block of columns; the later ones of\n"
            "        shape (n_experts_total_, n_in, n_out).\n"
            "    head_coefs_, head_intercepts_ : list of list of ndarray\n"
            "        Per task, the weights and biases of its tower layers.\n"
        )
        + _MIXTURE_ATTRIBUTES_DOC.lstrip("\n")
    )


_MODEL_DOC = """
    Each task ``t`` reads the input through its own gate: a softmax over
    the experts (small MLPs ``h_e``, shared by the tasks) computed from the
    input, the attention of the task over the experts::

        g_t(x) = softmax((A_t x + c_t) / gate_temperature)
        f_t(x) = tower_t( sum_e g_te(x) h_e(x) )

    so tasks that need the same structure share experts and tasks that
    conflict can use different ones, where a single shared trunk forces
    one representation on all (negative transfer). The gates start uniform
    (zero weights): every expert first learns from every task.
"""

_REFERENCES_DOC = """
    J. Ma, Z. Zhao, X. Yi, J. Chen, L. Hong and E. H. Chi, "Modeling task
    relationships in multi-task learning with multi-gate mixture-of-experts",
    KDD 2018.

    H. Tang, J. Liu, M. Zhao and X. Gong, "Progressive layered extraction
    (PLE): a novel multi-task learning (MTL) model for personalized
    recommendations", RecSys 2020.
"""


class MixtureOfExpertsClassifier(_MixtureOfExperts, SharedRepresentationClassifier):
    """Multi-task classifier: shared experts, a gate and a tower per task.

    All tasks are trained jointly on the weighted sum of their losses, each
    task's loss taken over its observed labels only::

        min_W  sum_t task_weights[t] * L_t(W) + alpha / 2 * ||W||^2
        L_t = sum_{i observed in t} c_it * loss_t(y_it, f_t(x_i)) / sum_i c_it

    where ``c_it`` is the sample weight times the class weight, ``loss_t``
    the log-loss of a sigmoid (binary task) or softmax (multiclass task)
    output, ``W`` the weights of the experts and towers (not the gates', not
    the biases), and ``f_t`` task ``t``'s network:
    {model}
    Parameters
    ----------
    {parameters}
    {class_weight}
    Attributes
    ----------
    classes_ : ndarray or list of ndarray
        Class labels of each task (an array for one-dimensional y); a
        constant task has one.
    {attributes}

    See Also
    --------
    MixtureOfExpertsRegressor : The same network for regression tasks.
    SharedRepresentationClassifier : One trunk shared by every task.

    Notes
    -----
    Everything of :class:`SharedRepresentationClassifier` holds: missing
    labels, per-task classes, constant tasks, ``partial_fit``,
    ``warm_start``, early stopping, averaging, ``dtype``, the output shapes.
    ``transform`` gives the experts' outputs side by side.

    References
    ----------
    {references}
    Examples
    --------
    >>> import numpy as np
    >>> from mtlearn.neural_network import MixtureOfExpertsClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(300, 6))
    >>> Y = np.column_stack([X[:, 0] * X[:, 1] > 0, X[:, 3] > 0]).astype(float)
    >>> Y[:30, 1] = np.nan  # missing labels are left out of task 1's loss
    >>> clf = MixtureOfExpertsClassifier(n_experts=3, expert_layer_sizes=(32,),
    ...                                  learning_rate_init=0.01, tol=1e-3,
    ...                                  random_state=0)
    >>> clf.fit(X, Y).score(X, Y) > 0.9
    True
    >>> [g.shape for g in clf.gate_weights(X[:5])]  # per task, rows sum to 1
    [(5, 3), (5, 3)]
    >>> clf.mean_gate_weights_.shape
    (2, 3)
    """

    _parameter_constraints = _mixture_constraints(
        SharedRepresentationClassifier._parameter_constraints
    )

    def __init__(
        self,
        n_experts=4,
        expert_layer_sizes=(128,),
        head_layer_sizes=(),
        *,
        n_task_experts=0,
        gate_temperature=1.0,
        activation="relu",
        alpha=1e-2,
        dropout=0.5,
        solver="adam",
        batch_size="auto",
        learning_rate_init=1e-3,
        max_iter=200,
        tol=1e-4,
        early_stopping="refit",
        validation_fraction=0.1,
        n_iter_no_change=10,
        shuffle=True,
        average=True,
        momentum=0.9,
        nesterovs_momentum=True,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        task_weights=None,
        task_weighting="equal",
        class_weight="sqrt_positive",
        task_graph=None,
        graph_head="gcn",
        graph_alpha=GRAPH_ALPHA_DEFAULT,
        dtype="float32",
        random_state=None,
        warm_start=False,
        verbose=False,
    ):
        self.n_experts = n_experts
        self.expert_layer_sizes = expert_layer_sizes
        self.head_layer_sizes = head_layer_sizes
        self.n_task_experts = n_task_experts
        self.gate_temperature = gate_temperature
        self.activation = activation
        self.alpha = alpha
        self.dropout = dropout
        self.solver = solver
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.max_iter = max_iter
        self.tol = tol
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.shuffle = shuffle
        self.average = average
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.task_weights = task_weights
        self.task_weighting = task_weighting
        self.class_weight = class_weight
        self.task_graph = task_graph
        self.graph_head = graph_head
        self.graph_alpha = graph_alpha
        self.dtype = dtype
        self.random_state = random_state
        self.warm_start = warm_start
        self.verbose = verbose


class MixtureOfExpertsRegressor(_MixtureOfExperts, SharedRepresentationRegressor):
    """Multi-task regressor: shared experts, a gate and a tower per target.

    All targets are trained jointly on the weighted sum of their losses,
    each over its observed values only::

        min_W  sum_t task_weights[t] * L_t(W) + alpha / 2 * ||W||^2
        L_t = sum_{i observed in t} s_i * (z_it - f_t(x_i))^2 / (2 sum_i s_i)

    where ``z_it`` is target ``t`` standardised (by its observed mean and
    standard deviation, mapped back at prediction), ``s_i`` the sample
    weight, ``W`` the weights of the experts and towers (not the gates', not
    the biases) and ``f_t`` task ``t``'s network:
    {model}
    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    MixtureOfExpertsClassifier : The same network for classification.
    SharedRepresentationRegressor : One trunk shared by every target.

    Notes
    -----
    Everything of :class:`SharedRepresentationRegressor` holds: missing
    targets, constant targets, ``partial_fit``, ``warm_start``, early
    stopping, averaging, ``dtype``. ``transform`` gives the experts'
    outputs side by side. ``score`` is the mean over tasks of R^2 on the
    observed targets.

    References
    ----------
    {references}
    Examples
    --------
    >>> import numpy as np
    >>> from mtlearn.neural_network import MixtureOfExpertsRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(300, 4))
    >>> Y = np.column_stack([X[:, 0] + X[:, 1], np.sin(2 * X[:, 2])])
    >>> Y[:30, 0] = np.nan  # a missing target is left out of that task
    >>> reg = MixtureOfExpertsRegressor(n_experts=2, expert_layer_sizes=(32,),
    ...                                 learning_rate_init=0.01, tol=1e-3,
    ...                                 random_state=0).fit(X, Y)
    >>> reg.score(X, Y) > 0.8
    True
    >>> reg.predict(X[:2]).shape
    (2, 2)
    >>> reg.mean_gate_weights_.shape  # (n_tasks, n_experts)
    (2, 2)
    """

    _parameter_constraints = _mixture_constraints(
        SharedRepresentationRegressor._parameter_constraints
    )

    def __init__(
        self,
        n_experts=4,
        expert_layer_sizes=(128,),
        head_layer_sizes=(),
        *,
        n_task_experts=0,
        gate_temperature=1.0,
        activation="relu",
        alpha=1e-2,
        dropout=0.0,
        solver="adam",
        batch_size="auto",
        learning_rate_init=1e-3,
        max_iter=500,
        tol=1e-4,
        early_stopping=True,
        validation_fraction=0.1,
        n_iter_no_change=10,
        shuffle=True,
        average=False,
        momentum=0.9,
        nesterovs_momentum=True,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        task_weights=None,
        task_weighting="equal",
        task_graph=None,
        graph_head="gcn",
        graph_alpha=GRAPH_ALPHA_DEFAULT,
        dtype="float32",
        random_state=None,
        warm_start=False,
        verbose=False,
    ):
        self.n_experts = n_experts
        self.expert_layer_sizes = expert_layer_sizes
        self.head_layer_sizes = head_layer_sizes
        self.n_task_experts = n_task_experts
        self.gate_temperature = gate_temperature
        self.activation = activation
        self.alpha = alpha
        self.dropout = dropout
        self.solver = solver
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.max_iter = max_iter
        self.tol = tol
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.shuffle = shuffle
        self.average = average
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.task_weights = task_weights
        self.task_weighting = task_weighting
        self.task_graph = task_graph
        self.graph_head = graph_head
        self.graph_alpha = graph_alpha
        self.dtype = dtype
        self.random_state = random_state
        self.warm_start = warm_start
        self.verbose = verbose


# The shared-representation networks' defaults (the same reasons hold for
# experts in place of the trunk), but for the classifier's early stopping
# and the regressor's alpha, measured on the mixture.
_MIXTURE_DEFAULTS = {
    MixtureOfExpertsClassifier: NETWORK_DEFAULTS["classifier"]
    | {
        "early_stopping": (
            "'refit'",
            "'refit' by default, as for the shared-representation classifier "
            "(a rare label's few held-out positives are trained on too): over "
            "True, 5 seeds, test micro-F1 +0.0018 on yeast and +0.0034 on "
            "emotions (inside the seed spread), test AUC +0.0028 (standard "
            "error 0.0007) and +0.0019 (0.0008) on the grouped and all-related "
            "tasks of benchmarks/bench_attention.py; about twice the fit time.",
        )
    },
    MixtureOfExpertsRegressor: NETWORK_DEFAULTS["regressor"]
    | {
        "alpha": (
            "1e-2",
            "The mixture's regressor keeps 1e-2 (the shared-representation "
            "regressor has 1e-3; the penalty leaves the gates out): on 12 "
            "generated regression tasks in 4 groups and all related "
            "(benchmarks/bench_attention.py --parts regression, 5 seeds) it "
            "scored mean R^2 0.945 and 0.959 against 0.941 and 0.957 at 1e-3 "
            "(within two standard errors) and 0.921 and 0.941 for the "
            "shared-representation regressor of its size.",
        )
    },
}
for _cls, _defaults in _MIXTURE_DEFAULTS.items():
    _cls.__doc__ = fill_defaults_doc(
        _cls.__doc__.replace("    {model}\n", "\n" + _MODEL_DOC.lstrip("\n") + "\n")
        .replace("    {parameters}\n", _parameters_doc())
        .replace("    {attributes}\n", _attributes_doc())
        .replace("    {references}\n", _REFERENCES_DOC.lstrip("\n") + "\n"),
        _defaults,
    )
