"""Synthetic multi-task data sets with controllable task relatedness.

Both generators split the tasks into groups (``_task_groups``), draw the
weight vectors of each group's tasks with ``_related_weights`` (the model is
written out in the docstring of ``make_multitask_regression``), pass the
scores ``X @ weights`` through the group's link (``_group_link``: identity,
or a sum of sines shared by the group), turn them into continuous targets or
class labels, and finally hide a fraction of the targets with
``_hide_targets``.
"""

from numbers import Integral, Real

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions, validate_params

from ._base import _fill_doc

# Number of sine terms of the "sine" link (Ma et al. 2018 use 10).
_N_SINES = 10

# How many times a classification task's labels are redrawn when a class did
# not come out; beyond that the parameters make the class too rare.
_MAX_LABEL_DRAWS = 20

_SHARED_CONSTRAINTS = {
    "n_samples": [Interval(Integral, 2, None, closed="left")],
    "n_features": [Interval(Integral, 1, None, closed="left")],
    "n_tasks": [Interval(Integral, 1, None, closed="left")],
    "n_informative": [Interval(Integral, 1, None, closed="left")],
    "relatedness": [Interval(Real, 0, 1, closed="both")],
    "rank": [Interval(Integral, 1, None, closed="left")],
    "n_groups": [Interval(Integral, 1, None, closed="left")],
    "nonlinearity": [StrOptions({"sine"}), None],
    "nonlinear_share": [Interval(Real, 0, 1, closed="both"), None],
    "missing_rate": [Interval(Real, 0, 1, closed="left")],
    "return_coef": ["boolean"],
    "return_groups": ["boolean"],
    "random_state": ["random_state"],
}


# Parameters documented in the same words by both generators.
_SHAPE_PARAMETERS_DOC = """n_features : int, default=20
        Number of features.

    n_tasks : int, default=5
        Number of tasks (columns of ``y``).

    n_informative : int, default=10
        Number of features with nonzero weights; the first ``n_informative``
        columns of ``X``. At most ``n_features``."""
_RELATEDNESS_PARAMETERS_DOC = """relatedness : float, default=0.5
        Expected correlation between the weight vectors of two tasks, in
        [0, 1]: 0 for independent tasks, 1 for identical weights.

    rank : int, default=2
        Dimension of the subspace shared by the task-specific parts of the
        weights; between 1 and ``n_informative``.

    n_groups : int, default=1
        Number of groups of tasks, between 1 and ``n_tasks``. The tasks are
        split into contiguous blocks as equal as possible (the first
        ``n_tasks % n_groups`` groups have one task more): task ``t`` is in
        group ``groups[t]``, see ``return_groups``. ``relatedness`` and
        ``rank`` act within a group; the groups are drawn independently of
        each other and share nothing. 1 (one group) gives the same data as
        before groups existed, for every seed.

    nonlinearity : {"sine"} or None, default=None
        Link from a task's linear score to its signal. None: the score itself
        (a linear model). ``"sine"``: the score plus a sum of sines whose
        frequencies and phases are common to the tasks of a group and drawn
        independently for each group (the synthetic data of Ma et al. 2018,
        section 3), so tasks of a group share a non-linear structure that the
        other groups do not have.

    nonlinear_share : float or None, default=None
        With ``nonlinearity="sine"``, the share of each task's signal
        variance that no linear function of ``X`` explains, in [0, 1]: the
        signal becomes ``sqrt(1 - r) * s + sqrt(r) * sqrt(n_informative) *
        z_g(s)`` with ``r = nonlinear_share``, ``s`` the task's score and
        ``z_g`` its group's sum of sines made uncorrelated with ``s`` and of
        unit variance (closed-form Gaussian moments, see the model in
        ``make_multitask_regression``). Its variance stays
        ``n_informative``. Groups then conflict in what a shared
        representation must hold: a share ``r`` of every task's signal lives
        in features of its group's own score that no other group uses.
        None keeps the link ``s + sum of sines`` (the default data)."""
_OUTPUT_PARAMETERS_DOC = """return_coef : bool, default=False
        If True, also return the weights.

    return_groups : bool, default=False
        If True, also return the group of each task (after ``coef`` when
        both are returned).

    random_state : int, RandomState instance or None, default=None
        Seed or generator for the draws; an int gives reproducible output."""


def _check_structure(n_features, n_informative, rank, n_tasks, n_groups):
    if n_groups > n_tasks:
        raise ValueError(
            f"n_groups={n_groups} must be <= n_tasks={n_tasks}: every group "
            "holds at least one task."
        )
    if n_informative > n_features:
        raise ValueError(
            f"n_informative={n_informative} must be <= n_features={n_features}."
        )
    if rank > n_informative:
        raise ValueError(
            f"rank={rank} must be <= n_informative={n_informative}: the shared "
            "subspace lies in the space of the informative features."
        )


def _related_weights(n_informative, n_tasks, n_vectors, relatedness, rank, rng):
    """Draw ``n_vectors`` weight vectors per task, related across tasks.

    Vector ``j`` of every task is drawn around the same common vector ``m_j``
    (see ``make_multitask_regression`` for the model).

    Returns
    -------
    weights : ndarray of shape (n_vectors, n_informative, n_tasks)
        ``weights[j, :, t]`` is vector ``j`` of task ``t``; each has Euclidean
        norm ``sqrt(n_informative)``.
    """
    a = np.sqrt(relatedness)
    basis, _ = np.linalg.qr(rng.standard_normal((n_informative, rank)))
    basis *= np.sqrt(n_informative / rank)
    common = rng.standard_normal((n_vectors, n_informative, 1))
    in_subspace = basis @ rng.standard_normal((n_vectors, rank, n_tasks))
    specific = rng.standard_normal((n_vectors, n_informative, n_tasks))

    shared = np.sqrt(a) * common + np.sqrt(1 - a) * in_subspace
    weights = np.sqrt(a) * shared + np.sqrt(1 - a) * specific
    weights *= np.sqrt(n_informative) / np.linalg.norm(weights, axis=1, keepdims=True)
    return weights


def _task_groups(n_tasks, n_groups):
    """Group of each task: contiguous blocks, the first ones one task larger."""
    sizes = np.full(n_groups, n_tasks // n_groups)
    sizes[: n_tasks % n_groups] += 1
    return np.repeat(np.arange(n_groups), sizes)


def _grouped_weights(n_informative, groups, n_vectors, relatedness, rank, rng):
    """``_related_weights`` drawn for each group in turn, tasks in order.

    One group draws exactly what ``_related_weights`` draws for all tasks.

    Returns
    -------
    weights : ndarray of shape (n_vectors, n_informative, n_tasks)
    """
    return np.concatenate(
        [
            _related_weights(
                n_informative, np.sum(groups == g), n_vectors, relatedness, rank, rng
            )
            for g in range(groups[-1] + 1)
        ],
        axis=2,
    )


def _group_links(nonlinearity, n_groups, n_informative, rng, nonlinear_share=None):
    """Frequencies and phases of each group's sine link, None if linear.

    Returns
    -------
    links : tuple or None
        ``(alpha, beta)``, each of shape (n_groups, _N_SINES): ``alpha``
        drawn from N(0, 1 / n_informative), ``beta`` from N(0, 1). With a
        ``nonlinear_share``, followed by the link's mixing constants of each
        group: the share, the ``(mean, slope, scale)`` of each group's sum of
        sines (``_sine_moments``, shape (n_groups, 3)) and the variance of
        the scores, ``n_informative``.
    """
    if nonlinear_share is not None and nonlinearity != "sine":
        raise ValueError(
            f"nonlinear_share={nonlinear_share} needs nonlinearity='sine'; "
            f"got nonlinearity={nonlinearity!r}."
        )
    if nonlinearity is None:
        return None
    alpha = rng.standard_normal((n_groups, _N_SINES)) / np.sqrt(n_informative)
    beta = rng.standard_normal((n_groups, _N_SINES))
    if nonlinear_share is None:
        return alpha, beta
    moments = [_sine_moments(a, b, n_informative) for a, b in zip(alpha, beta)]
    share = float(nonlinear_share)
    return alpha, beta, share, np.array(moments), float(n_informative)


def _sine_moments(alpha, beta, variance):
    """Mean, slope on ``s`` and residual deviation of ``sum_i sin(a_i s + b_i)``
    for ``s ~ N(0, variance)``, in closed form.

    With ``E[cos(a s + b)] = cos(b) exp(-a^2 v / 2)`` (the characteristic
    function of the normal) and the product-to-sum formulas: the mean is
    ``sum_i sin(b_i) exp(-a_i^2 v / 2)``, the covariance with ``s`` is
    ``v sum_i a_i cos(b_i) exp(-a_i^2 v / 2)`` (Stein's lemma), and
    ``E[sin(a_i s + b_i) sin(a_j s + b_j)]`` is
    ``(cos(b_i - b_j) exp(-(a_i - a_j)^2 v / 2)
    - cos(b_i + b_j) exp(-(a_i + a_j)^2 v / 2)) / 2``.

    Returns
    -------
    mean, slope, scale : float
        ``z = (sum_i sin(a_i s + b_i) - mean - slope * s) / scale`` has mean 0,
        variance 1 and no correlation with ``s``.
    """
    damp = np.exp(-(alpha**2) * variance / 2)
    mean = np.sum(np.sin(beta) * damp)
    slope = np.sum(alpha * np.cos(beta) * damp)
    a_minus = alpha[:, None] - alpha[None, :]
    a_plus = alpha[:, None] + alpha[None, :]
    b_minus = beta[:, None] - beta[None, :]
    b_plus = beta[:, None] + beta[None, :]
    second = 0.5 * (
        np.cos(b_minus) * np.exp(-(a_minus**2) * variance / 2)
        - np.cos(b_plus) * np.exp(-(a_plus**2) * variance / 2)
    )
    residual = second.sum() - mean**2 - slope**2 * variance
    return mean, slope, np.sqrt(max(residual, np.finfo(np.float64).tiny))


def _apply_link(scores, links, group):
    """The signal of group ``group``: ``s + sum_i sin(alpha_i s + beta_i)``,
    or with a non-linear share ``r``, ``sqrt(1 - r) s + sqrt(r v) z`` where
    ``z`` is the sum of sines made uncorrelated with ``s`` and of unit
    variance and ``v`` the variance of ``s`` (``_sine_moments``)."""
    if links is None:
        return scores
    alpha, beta = links[0][group], links[1][group]
    sines = np.sin(scores[..., None] * alpha + beta).sum(axis=-1)
    if len(links) == 2:
        return scores + sines
    share, (mean, slope, scale) = links[2], links[3][group]
    z = (sines - mean - slope * scores) / scale
    return np.sqrt(1 - share) * scores + np.sqrt(share * links[4]) * z


def _hide_targets(y, missing_rate, keep, rng):
    """Return a float copy of ``y`` with a fraction of the cells set to NaN.

    ``round(missing_rate * y.size)`` cells are drawn at random among those
    where ``keep`` is False (all of them if there are fewer).
    """
    y = y.astype(np.float64)
    candidates = np.flatnonzero(~keep)
    n_missing = min(round(missing_rate * y.size), candidates.size)
    y.flat[rng.choice(candidates, size=n_missing, replace=False)] = np.nan
    return y


def _cells_to_keep(y, rng, *, per_class):
    """Mask of the cells of ``y`` that must stay observed.

    The rows of each task are visited in a random order; the mask keeps the
    first row of every class if ``per_class``, else the first two rows.
    """
    keep = np.zeros(y.shape, dtype=bool)
    for t in range(y.shape[1]):
        order = rng.permutation(y.shape[0])
        if per_class:
            _, first = np.unique(y[order, t], return_index=True)
            keep[order[first], t] = True
        else:
            keep[order[:2], t] = True
    return keep


@validate_params(
    {
        **_SHARED_CONSTRAINTS,
        "noise": [Interval(Real, 0, None, closed="left")],
        "bias": [Interval(Real, None, None, closed="neither")],
    },
    prefer_skip_nested_validation=True,
)
@_fill_doc(
    shape_parameters=_SHAPE_PARAMETERS_DOC,
    relatedness_parameters=_RELATEDNESS_PARAMETERS_DOC,
    output_parameters=_OUTPUT_PARAMETERS_DOC,
)
def make_multitask_regression(
    n_samples=100,
    n_features=20,
    *,
    n_tasks=5,
    n_informative=10,
    relatedness=0.5,
    rank=2,
    n_groups=1,
    nonlinearity=None,
    nonlinear_share=None,
    noise=0.1,
    missing_rate=0.0,
    bias=0.0,
    return_coef=False,
    return_groups=False,
    random_state=None,
):
    r"""Generate a multi-task regression problem with related tasks.

    The tasks share the features ``X`` and are linear in them; how much their
    weight vectors have in common is set by ``relatedness``.

    **Model.** ``X`` has independent standard normal entries. Only the first
    ``n_informative`` features are informative (``coef`` is zero on the
    others). With :math:`a = \sqrt{\mathrm{relatedness}}`, the weight vector of
    task :math:`t` on the informative features is proportional to

    .. math::

        w_t = \sqrt{a}\, s_t + \sqrt{1 - a}\, e_t, \qquad
        s_t = \sqrt{a}\, m + \sqrt{1 - a}\, U g_t,

    where :math:`m \sim N(0, I)` is one vector common to all tasks,
    :math:`U` of shape (n_informative, rank) is a common basis (orthonormal
    columns scaled by :math:`\sqrt{\mathrm{n\_informative} / \mathrm{rank}}`),
    :math:`g_t \sim N(0, I_{\mathrm{rank}})` are the coefficients of task
    :math:`t` in that basis and :math:`e_t \sim N(0, I)` is specific to task
    :math:`t`, all drawn independently. Expanded,
    :math:`w_t = a\, m + \sqrt{a (1 - a)}\, U g_t + \sqrt{1 - a}\, e_t`: in
    expectation a share ``relatedness`` of the variance of the weights is
    common to all tasks, a share ``sqrt(relatedness) - relatedness`` lies in
    the shared ``rank``-dimensional subspace but differs across tasks, and
    the rest, ``1 - sqrt(relatedness)``, is independent across tasks. Hence:

    - the expected correlation between the weight vectors of two tasks is
      ``relatedness``;
    - ``relatedness=1`` gives every task the same weights (:math:`m`);
    - ``relatedness=0`` gives independent tasks;
    - ``rank`` matters in between, where the task-specific part of the
      weights concentrates in a common low-dimensional subspace.

    Each :math:`w_t` is then rescaled to Euclidean norm
    ``sqrt(n_informative)``, so that the noiseless signal ``X @ coef[:, t]``
    has variance ``n_informative`` for every task and every ``relatedness``.
    For a given ``random_state`` the draws of :math:`m, U, g_t, e_t` do not
    depend on ``relatedness``: a sweep over ``relatedness`` with a fixed seed
    changes only how they are mixed, and ``X`` stays the same.

    **Groups.** With ``n_groups`` > 1 the tasks are split into contiguous
    groups (``return_groups`` gives the group of each task) and the model
    above is drawn for each group separately: group :math:`g` has its own
    :math:`m_g`, :math:`U_g` and task parts :math:`g_t, e_t`, independent of
    the other groups'. Two tasks of the same group have weights with expected
    correlation ``relatedness``; two tasks of different groups have
    independent weights (expected correlation 0) and links (below): they
    share nothing, so a model that gives them one representation makes them
    compete for it.

    **Link.** The signal of task :math:`t` in group :math:`g` is
    :math:`f_g(x^\top w_t)`. With ``nonlinearity=None``, :math:`f_g(s) = s`
    (linear tasks). With ``nonlinearity="sine"`` (after the synthetic data of
    Ma et al. 2018, section 3),

    .. math::

        f_g(s) = s + \sum_{i=1}^{10} \sin(\alpha_{g,i}\, s + \beta_{g,i}),
        \qquad \alpha_{g,i} \sim N(0, 1 / \mathrm{n\_informative}),\
        \beta_{g,i} \sim N(0, 1),

    drawn once per group after the weights: the tasks of a group share the
    same non-linear function of their (related) scores.

    **Non-linear share.** In this link the score :math:`s` (variance
    ``n_informative``) dominates: the sines add a slow wiggle, and most of
    the signal is linear in ``X``, which any representation holds at little
    cost. ``nonlinear_share`` :math:`r` sets instead how much of the signal
    only the group's own non-linear function carries:

    .. math::

        f_g(s) = \sqrt{1 - r}\, s + \sqrt{r\, \mathrm{n\_informative}}\,
        \frac{z_g(s) - \mu_g - \kappa_g s}{\sigma_g},
        \qquad z_g(s) = \sum_{i=1}^{10} \sin(\alpha_{g,i}\, s + \beta_{g,i}),

    where :math:`\mu_g`, :math:`\kappa_g s` and :math:`\sigma_g^2` are the
    mean of :math:`z_g(s)`, its linear regression on :math:`s` and its
    residual variance for :math:`s \sim N(0, \mathrm{n\_informative})`, the
    distribution of every score (in closed form, from
    :math:`E[\cos(a s + b)] = \cos(b) e^{-a^2 \mathrm{Var}(s) / 2}`). The
    signal keeps variance ``n_informative``, and a share :math:`r` of it is
    uncorrelated with every linear function of ``X``: ``r=0`` gives linear
    tasks, ``r=1`` tasks that a linear model cannot predict at all. As the
    groups' scores are independent, the share :math:`r` of each group lies
    in features of its own score that the other groups do not use: a
    representation shared by every group must hold them all side by side.

    The targets are ``y[:, t] = f_g(X @ coef[:, t]) + bias + noise * eps``
    with ``eps`` standard normal (``y = X @ coef + bias + noise * eps`` when
    linear).

    Parameters
    ----------
    n_samples : int, default=100
        Number of samples, at least 2.

    %(shape_parameters)s

    %(relatedness_parameters)s

    noise : float, default=0.1
        Standard deviation of the Gaussian noise added to the targets.

    missing_rate : float, default=0.0
        Fraction of the cells of ``y`` set to NaN (missing target), in
        [0, 1): ``round(missing_rate * n_samples * n_tasks)`` cells chosen at
        random, except that two random cells of each task always stay
        observed (so slightly fewer cells are hidden when the rate is close
        to 1). The hidden cells are drawn last: the same seed gives the same
        ``X`` and the same observed values for any ``missing_rate``.

    bias : float, default=0.0
        Intercept added to every task.

    %(output_parameters)s

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
        The features.

    y : ndarray of shape (n_samples, n_tasks)
        The targets, one column per task (2-D even if ``n_tasks=1``), NaN
        where missing.

    coef : ndarray of shape (n_features, n_tasks)
        The weights, zero on the non-informative features, such that
        ``y = X @ coef + bias + noise * eps`` (inside the link when
        ``nonlinearity`` is set). Only returned if ``return_coef``.

    groups : ndarray of shape (n_tasks,)
        The group of each task, ``0 .. n_groups - 1``. Only returned if
        ``return_groups``.

    See Also
    --------
    make_multitask_classification : Related classification tasks.

    Examples
    --------
    >>> import numpy as np
    >>> from mtlearn.datasets import make_multitask_regression
    >>> X, y, coef = make_multitask_regression(
    ...     n_samples=50, n_tasks=3, return_coef=True, random_state=0
    ... )
    >>> X.shape, y.shape, coef.shape
    ((50, 20), (50, 3), (20, 3))

    With ``relatedness=1`` all tasks share the same weights:

    >>> _, _, coef = make_multitask_regression(
    ...     relatedness=1.0, return_coef=True, random_state=0
    ... )
    >>> bool(np.all(coef == coef[:, :1]))
    True

    Two groups of identical tasks, each group with its own sine link; the
    groups share nothing:

    >>> X, y, coef, groups = make_multitask_regression(
    ...     n_tasks=5, n_groups=2, relatedness=1.0, nonlinearity="sine",
    ...     return_coef=True, return_groups=True, random_state=0,
    ... )
    >>> groups
    array([0, 0, 0, 1, 1])
    >>> bool(np.all(coef[:, :3] == coef[:, :1]) and np.all(coef[:, 3:] == coef[:, 3:4]))
    True
    """
    _check_structure(n_features, n_informative, rank, n_tasks, n_groups)
    rng = check_random_state(random_state)

    X = rng.standard_normal((n_samples, n_features))
    groups = _task_groups(n_tasks, n_groups)
    coef = np.zeros((n_features, n_tasks))
    coef[:n_informative] = _grouped_weights(
        n_informative, groups, 1, relatedness, rank, rng
    )[0]
    links = _group_links(nonlinearity, n_groups, n_informative, rng, nonlinear_share)
    signal = X @ coef
    for g in range(n_groups) if links is not None else ():
        signal[:, groups == g] = _apply_link(signal[:, groups == g], links, g)
    y = signal + bias + noise * rng.standard_normal((n_samples, n_tasks))

    if missing_rate > 0:
        keep = _cells_to_keep(y, rng, per_class=False)
        y = _hide_targets(y, missing_rate, keep, rng)
    return _outputs(X, y, coef, groups, return_coef, return_groups)


def _outputs(X, y, coef, groups, return_coef, return_groups):
    """``(X, y)``, then ``coef`` and ``groups`` when asked for."""
    return (
        X,
        y,
        *((coef,) if return_coef else ()),
        *((groups,) if return_groups else ()),
    )


def _check_n_classes(n_classes, n_tasks, n_samples):
    """Return the number of classes of each task as a list of ints."""
    if isinstance(n_classes, Integral):
        n_classes = [int(n_classes)] * n_tasks
    else:
        values = np.asarray(n_classes)
        if values.ndim != 1 or values.shape[0] != n_tasks:
            raise ValueError(
                "n_classes must be an int or a sequence of one int per task "
                f"(n_tasks={n_tasks}); got shape {values.shape}."
            )
        if values.size and not np.issubdtype(values.dtype, np.integer):
            raise ValueError(f"n_classes must hold ints; got {values.tolist()}.")
        n_classes = [int(k) for k in values]
    for t, k in enumerate(n_classes):
        if k < 2:
            raise ValueError(f"Task {t}: n_classes must be >= 2; got {k}.")
        if k > n_samples:
            raise ValueError(
                f"Task {t}: n_classes={k} is more than n_samples={n_samples}; "
                "every task must contain every class."
            )
    return n_classes


def _draw_labels(logits, n_classes, noise, rng, task):
    """Draw the labels of one task from its logits, with label noise.

    ``logits`` has one column for a binary task (the log-odds of class 1) and
    one per class otherwise. The draw is repeated until every class occurs.
    """
    n_samples = logits.shape[0]
    n_reassigned = round(noise * n_samples)
    for _ in range(_MAX_LABEL_DRAWS):
        if n_classes == 2:
            labels = (logits[:, 0] + rng.logistic(size=n_samples) > 0).astype(np.int64)
        else:
            labels = np.argmax(logits + rng.gumbel(size=logits.shape), axis=1)
        # Move each chosen label to one of the other classes, uniformly.
        moved = rng.choice(n_samples, size=n_reassigned, replace=False)
        shift = rng.randint(1, n_classes, size=n_reassigned)
        labels[moved] = (labels[moved] + shift) % n_classes
        if np.unique(labels).size == n_classes:
            return labels.astype(np.int64)
    raise ValueError(
        f"Task {task}: a class of its {n_classes} did not occur in "
        f"{_MAX_LABEL_DRAWS} draws of {n_samples} labels; increase n_samples, "
        "or lower class_sep or n_classes."
    )


@validate_params(
    {
        **_SHARED_CONSTRAINTS,
        "n_classes": [Interval(Integral, 2, None, closed="left"), "array-like"],
        "noise": [Interval(Real, 0, 1, closed="both")],
        "class_sep": [Interval(Real, 0, None, closed="neither")],
    },
    prefer_skip_nested_validation=True,
)
@_fill_doc(
    shape_parameters=_SHAPE_PARAMETERS_DOC,
    relatedness_parameters=_RELATEDNESS_PARAMETERS_DOC,
    output_parameters=_OUTPUT_PARAMETERS_DOC,
)
def make_multitask_classification(
    n_samples=100,
    n_features=20,
    *,
    n_tasks=5,
    n_informative=10,
    n_classes=2,
    relatedness=0.5,
    rank=2,
    n_groups=1,
    nonlinearity=None,
    nonlinear_share=None,
    noise=0.1,
    missing_rate=0.0,
    class_sep=1.0,
    return_coef=False,
    return_groups=False,
    random_state=None,
):
    r"""Generate a multi-task classification problem with related tasks.

    The tasks share the features ``X``; each task is binary or multiclass,
    with labels drawn from a linear logistic (softmax) model, and how much the
    tasks' weight vectors have in common is set by ``relatedness``.

    **Model.** ``X`` has independent standard normal entries; only its first
    ``n_informative`` columns are informative. A binary task has one weight
    vector, a task with ``K > 2`` classes one per class. The ``j``-th weight
    vector of every task (the only one of a binary task) is drawn around a
    common vector :math:`m_j`, exactly as the weights of
    :func:`make_multitask_regression` (see its docstring): the expected
    correlation between vector ``j`` of two tasks is ``relatedness``, tasks
    with the same number of classes have identical weights at
    ``relatedness=1``, and tasks are independent at ``relatedness=0``. Each
    vector has Euclidean norm ``sqrt(n_informative)``, so each score
    ``X @ w`` has variance ``n_informative``. ``n_groups`` splits the tasks
    into groups that are drawn independently, and ``nonlinearity`` passes each
    score through its group's link :math:`f_g`, both as in
    :func:`make_multitask_regression`.

    The labels of task :math:`t` in group :math:`g` are then drawn from the
    logits ``class_sep * f_g(X @ coef[t])`` (:math:`f_g(s) = s` by default):

    - binary: :math:`P(y = 1 \mid x) = 1 / (1 + \exp(-\mathrm{class\_sep}\,
      f_g(x^\top w_t)))`, i.e. the sign of the signal plus logistic noise;
    - multiclass: :math:`P(y = k \mid x) \propto
      \exp(\mathrm{class\_sep}\, f_g(x^\top w_{t,k}))`, i.e. the argmax of
      the class signals plus Gumbel noise.

    A larger ``class_sep`` makes the labels closer to the noiseless sign
    (argmax) of the scores. Finally ``round(noise * n_samples)`` labels of
    each task, chosen at random, are moved to another class chosen uniformly
    (flipped, for a binary task). A task whose labels miss a class is drawn
    again, and a ``ValueError`` is raised if that keeps happening.

    Parameters
    ----------
    n_samples : int, default=100
        Number of samples; at least the largest number of classes.

    %(shape_parameters)s

    n_classes : int or array-like of shape (n_tasks,), default=2
        Number of classes of every task, or of each task (binary and
        multiclass tasks can be mixed). At least 2.

    %(relatedness_parameters)s

    noise : float, default=0.1
        Fraction of the labels of each task moved to a different class chosen
        at random, in [0, 1].

    missing_rate : float, default=0.0
        Fraction of the cells of ``y`` set to NaN (missing label), in [0, 1):
        ``round(missing_rate * n_samples * n_tasks)`` cells chosen at random,
        except that one random cell of each class of each task always stays
        observed (so slightly fewer cells are hidden when the rate is close
        to 1). ``y`` is then of float dtype. The hidden cells are drawn last:
        the same seed gives the same ``X`` and the same observed labels for
        any ``missing_rate``.

    class_sep : float, default=1.0
        Factor applied to the scores before the labels are drawn; > 0.

    %(output_parameters)s

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
        The features.

    y : ndarray of shape (n_samples, n_tasks)
        The labels ``0 .. n_classes[t] - 1`` of each task (2-D even if
        ``n_tasks=1``); of int dtype, or float with NaN for the missing labels
        if ``missing_rate > 0``. Every task contains every one of its classes
        among its observed labels.

    coef : list of n_tasks ndarrays
        The weights of each task, zero on the non-informative features: of
        shape (n_features,) for a binary task (the log-odds of class 1 are
        ``class_sep * X @ coef[t]``, inside the link when ``nonlinearity`` is
        set), of shape (n_features, n_classes[t]) for a multiclass task (one
        column per class). Only returned if ``return_coef``.

    groups : ndarray of shape (n_tasks,)
        The group of each task, ``0 .. n_groups - 1``. Only returned if
        ``return_groups``.

    See Also
    --------
    make_multitask_regression : Related regression tasks.

    Examples
    --------
    >>> import numpy as np
    >>> from mtlearn.datasets import make_multitask_classification
    >>> X, y = make_multitask_classification(
    ...     n_samples=60, n_tasks=3, n_classes=[2, 3, 4], random_state=0
    ... )
    >>> X.shape, y.shape
    ((60, 20), (60, 3))
    >>> [np.unique(y[:, t]).tolist() for t in range(3)]
    [[0, 1], [0, 1, 2], [0, 1, 2, 3]]

    Twelve binary tasks in four groups of three, non-linear within a group:

    >>> X, y, groups = make_multitask_classification(
    ...     n_samples=200, n_tasks=12, n_groups=4, nonlinearity="sine",
    ...     return_groups=True, random_state=0,
    ... )
    >>> groups.tolist()
    [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3]
    """
    _check_structure(n_features, n_informative, rank, n_tasks, n_groups)
    n_classes = _check_n_classes(n_classes, n_tasks, n_samples)
    rng = check_random_state(random_state)

    X = rng.standard_normal((n_samples, n_features))
    groups = _task_groups(n_tasks, n_groups)
    n_vectors = [1 if k == 2 else k for k in n_classes]
    weights = _grouped_weights(
        n_informative, groups, max(n_vectors), relatedness, rank, rng
    )
    links = _group_links(nonlinearity, n_groups, n_informative, rng, nonlinear_share)
    y = np.empty((n_samples, n_tasks), dtype=np.int64)
    coef = []
    for t, k in enumerate(n_classes):
        task_coef = np.zeros((n_features, n_vectors[t]))
        task_coef[:n_informative] = weights[: n_vectors[t], :, t].T
        logits = class_sep * _apply_link(X @ task_coef, links, groups[t])
        y[:, t] = _draw_labels(logits, k, noise, rng, task=t)
        coef.append(task_coef[:, 0] if k == 2 else task_coef)

    if missing_rate > 0:
        keep = _cells_to_keep(y, rng, per_class=True)
        y = _hide_targets(y, missing_rate, keep, rng)
    return _outputs(X, y, coef, groups, return_coef, return_groups)
