"""Task graphs estimated from data: from the targets, from coefficients.

Each estimator returns a symmetric, non-negative ``(n_tasks, n_tasks)``
float64 array with a zero diagonal (see :mod:`mtlearn.task_graph._graph`).
"""

from numbers import Integral, Real

import numpy as np
from scipy.special import ndtr
from sklearn.utils._param_validation import Interval, StrOptions, validate_params

from .._targets import TaskTargets, check_targets, observed_targets
from ._graph import finish_graph, sparsify

# A pair of tasks observed together on fewer rows gets no edge.
MIN_SHARED_ROWS = 3

# The string rules of ``estimate_task_graph`` (and of ``task_graph=`` in the
# estimators that call it).
TASK_GRAPH_RULES = ("auto", "correlation", "cooccurrence", "jaccard")

_TARGET_METHODS = ("correlation", "cooccurrence", "jaccard")


def _is_continuous(values):
    """Whether observed target values are non-integer numbers."""
    if values.dtype.kind == "O":
        try:
            values = values.astype(np.float64)
        except (TypeError, ValueError):
            return False  # strings: class labels
    if values.dtype.kind not in "fc":
        return False
    finite = values[np.isfinite(values)]
    return bool(np.any(finite != np.round(finite)))


def _read_targets(y, target_type):
    """Encode ``y`` with the target contract: a TaskTargets.

    ``target_type="auto"`` reads ``y`` as regression targets when one of its
    tasks holds non-integer numbers, else as class labels.
    """
    if isinstance(y, TaskTargets):
        return y
    if isinstance(y, np.ndarray) and y.ndim > 2:
        raise ValueError(
            f"y must be 1-D or 2-D (n_samples, n_tasks), got shape {y.shape}."
        )
    if target_type == "auto":
        array, mask = observed_targets(y)
        continuous = any(
            _is_continuous(array[mask[:, t], t]) for t in range(array.shape[1])
        )
        target_type = "regression" if continuous else "classification"
    return check_targets(y, kind=target_type)


def _target_columns(targets):
    """Columns whose correlations make the task graph, in blocks per task.

    A regression task gives its values; a binary task the indicator of its
    larger class (the second of its sorted classes); a multiclass task one
    indicator per class; a constant task one column of zeros (no edge).

    Returns
    -------
    columns : ndarray of shape (n_samples, n_columns)
        Zero where the task is not observed.
    mask : ndarray of shape (n_samples, n_columns), dtype=bool
    starts : ndarray of shape (n_tasks,)
        Index of each task's first column; a task's columns are contiguous.
    class_indicator : ndarray of shape (n_columns,), dtype=bool
        True for the class indicators of multiclass tasks.
    """
    values, mask = targets.values, targets.mask
    if targets.classes is None:
        columns = np.where(mask, values, 0.0).astype(np.float64)
        n_tasks = values.shape[1]
        return columns, mask, np.arange(n_tasks), np.zeros(n_tasks, dtype=bool)
    blocks, masks, starts = [], [], []
    for t, classes in enumerate(targets.classes):
        starts.append(sum(block.shape[1] for block in blocks))
        observed = mask[:, t]
        if len(classes) <= 2:
            block = ((values[:, t] == 1) & observed)[:, None]
        else:
            block = (values[:, t, None] == np.arange(len(classes))) & observed[:, None]
        blocks.append(block.astype(np.float64))
        masks.append(np.repeat(observed[:, None], block.shape[1], axis=1))
    class_indicator = np.concatenate(
        [[block.shape[1] > 1] * block.shape[1] for block in blocks]
    )
    return np.hstack(blocks), np.hstack(masks), np.asarray(starts), class_indicator


def _pairwise_correlation(columns, mask):
    """Pearson correlation of each pair of columns on their co-observed rows.

    Returns the correlation (0 for a pair with fewer than two shared rows or
    a column constant on the shared rows) and the number of shared rows.
    """
    observed = mask.astype(np.float64)
    count = observed.sum(axis=0)
    # Centre each column on its observed mean first, for precision.
    means = np.divide(
        columns.sum(axis=0), count, out=np.zeros_like(count), where=count > 0
    )
    x = np.where(mask, columns - means, 0.0)
    n_shared = observed.T @ observed
    # s1[i, j]: sum of x_i over the rows where j is observed too (x_i is 0
    # where i is missing); s2 likewise for x_i ** 2.
    s1 = x.T @ observed
    s2 = (x * x).T @ observed
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_i = np.where(n_shared > 0, s1 / n_shared, 0.0)
        covariance = x.T @ x - s1 * mean_i.T
        variance = s2 - s1 * mean_i
        # A column constant on the shared rows (up to rounding) has none.
        flat = variance <= 1e-12 * np.maximum(s2, 1e-300)
        correlation = covariance / np.sqrt(variance * variance.T)
    correlation[flat | flat.T | (n_shared < 2)] = 0.0
    correlation = np.nan_to_num(correlation, nan=0.0, posinf=0.0, neginf=0.0)
    return np.clip(correlation, -1.0, 1.0), np.rint(n_shared)


def _max_per_task_block(matrix, starts):
    """Maximum of ``matrix`` over the column blocks of each pair of tasks."""
    return np.maximum.reduceat(np.maximum.reduceat(matrix, starts, axis=0), starts, 1)


def _fisher_p_value(r, n_shared):
    """Two-sided p-value of Fisher's z test of zero correlation."""
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.arctanh(np.clip(np.abs(r), 0.0, 1.0 - 1e-15))
        z *= np.sqrt(np.maximum(n_shared - 3.0, 0.0))
    return 2.0 * ndtr(-z)


def _cooccurrence(targets, method):
    """Co-occurrence of the positive labels of binary tasks, on shared rows."""
    if targets.classes is None:
        raise ValueError(
            f"method={method!r} needs binary classification targets; y holds "
            "continuous targets. Use method='correlation'."
        )
    multiclass = [t for t, c in enumerate(targets.classes) if len(c) > 2]
    if multiclass:
        raise ValueError(
            f"method={method!r} needs binary tasks, but tasks {multiclass} have "
            "more than two classes. Use method='correlation'."
        )
    binary = np.array([len(c) == 2 for c in targets.classes])
    observed = targets.mask.astype(np.float64)
    # A constant task has no positive label to count: no edge.
    positive = ((targets.values == 1) & targets.mask & binary).astype(np.float64)
    both = positive.T @ positive  # rows where s and t are both positive
    # positives[s, t]: positives of s on the rows where t is observed.
    positives = positive.T @ observed
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "cooccurrence":
            given_s = np.where(positives > 0, both / positives, 0.0)  # P(t | s)
            graph = 0.5 * (given_s + given_s.T)
        else:
            union = positives + positives.T - both
            graph = np.where(union > 0, both / union, 0.0)
    return graph, np.rint(observed.T @ observed)


@validate_params(
    {
        "y": ["array-like", TaskTargets],
        "method": [StrOptions(set(_TARGET_METHODS))],
        "shrinkage": [Interval(Real, 0, None, closed="left")],
        "significance": [Interval(Real, 0, 1, closed="neither"), None],
        "negative": [StrOptions({"clip", "absolute"})],
        "target_type": [StrOptions({"auto", "classification", "regression"})],
    },
    prefer_skip_nested_validation=True,
)
def graph_from_targets(
    y,
    method="correlation",
    *,
    shrinkage=10.0,
    significance=None,
    negative="clip",
    target_type="auto",
):
    r"""Task graph from the observed targets, aware of missing labels.

    Each pair of tasks is compared on the rows where **both** are observed
    (``NaN``, ``None`` or ``pd.NA`` is missing); ``n_shared`` is the number
    of those rows. A pair with fewer than 3 shared rows gets no edge, and
    the edge of every other pair is shrunk towards 0 by

    .. math::

        A_{st} = \frac{n_{\mathrm{shared}}}{n_{\mathrm{shared}} +
        \mathrm{shrinkage}} \, r_{st},

    so that a few shared rows cannot make a strong edge (with the default
    ``shrinkage=10``, two identical tasks observed together on 10 rows get
    0.5, on 90 rows 0.9). With ``significance``, an edge whose correlation is
    not significant at that level (two-sided Fisher z test, :math:`z =
    \operatorname{artanh}(r) \sqrt{n_{\mathrm{shared}} - 3}`) is set to 0
    as well.

    ``method`` says what :math:`r_{st}` is:

    - ``"correlation"`` (any targets): the Pearson correlation of the two
      tasks on their shared rows. A regression task enters with its values;
      a binary task with the indicator of its larger label (the second of
      its sorted classes: 1 for 0/1 labels), which makes the correlation of
      two binary tasks their phi coefficient; a multiclass task with one
      indicator per class, and the pair's weight is the largest over the
      pairs of indicators (after the treatment of negative values below),
      each pair shrunk on its own evidence: in the formula above,
      :math:`n_{\mathrm{shared}}` becomes, for the indicator of a class,
      its minority count on the shared rows (the rows in the class, or out
      of it, whichever are fewer), so that the many pairs of rare classes
      of two multiclass tasks (or integer-valued targets read as classes)
      do not make a strong edge by chance. Negative correlations
      (conflicting tasks) are clipped to 0 by default
      (``negative="clip"``): a graph penalty would otherwise pull
      apart-pointing tasks together; ``negative="absolute"`` takes
      :math:`|r|` instead.
    - ``"cooccurrence"`` (binary tasks): the symmetrised conditional
      probability of the positive labels, :math:`r_{st} = (P(t \mid s) +
      P(s \mid t)) / 2`, with :math:`P(t \mid s)` the share of the shared
      rows positive for ``s`` that are positive for ``t`` (the label graph of
      ML-GCN, Chen et al. 2019, made symmetric). Unlike the correlation, it
      is not 0 for independent labels: it is then about the labels'
      positive rates; sparsify it (:func:`sparsify`) to keep the strong
      co-occurrences.
    - ``"jaccard"`` (binary tasks): the Jaccard index of the positive
      labels on the shared rows, ``both positive / either positive``.

    A constant task (one observed value or class) gets no edge.

    Parameters
    ----------
    y : array-like of shape (n_samples, n_tasks)
        Targets (a pandas DataFrame too), with missing labels as ``NaN``,
        ``None`` or ``pd.NA``.

    method : {"correlation", "cooccurrence", "jaccard"}, default="correlation"
        What measures the relation of two tasks (see above).

    shrinkage : float, default=10.0
        Pseudo-count of the shrinkage towards 0: a pair's weight is
        multiplied by ``n_shared / (n_shared + shrinkage)``. 0 turns the
        shrinkage off.

    significance : float in (0, 1), default=None
        When set, edges whose correlation is not significantly different
        from 0 at this level (two-sided Fisher z test on the shared rows) are
        set to 0. ``"correlation"`` only. None keeps them.

    negative : {"clip", "absolute"}, default="clip"
        Negative correlations: clipped to 0, or taken in absolute value.
        ``"correlation"`` only.

    target_type : {"auto", "classification", "regression"}, default="auto"
        How ``y`` is read. ``"auto"``: regression targets when a task holds
        non-integer numbers (then every task is read as numbers), else class
        labels. Set ``"regression"`` for integer-valued regression targets,
        which ``"auto"`` would read as classes.

    Returns
    -------
    graph : ndarray of shape (n_tasks, n_tasks)
        Symmetric, non-negative, zero diagonal, float64, at most 1.

    See Also
    --------
    estimate_task_graph : The rule-named estimation used by the estimators.
    graph_from_coefficients : A graph from per-task model coefficients.

    Examples
    --------
    Tasks 0 and 1 agree on their 20 shared rows, task 2 is unrelated:

    >>> import numpy as np
    >>> from mtlearn.task_graph import graph_from_targets
    >>> rng = np.random.RandomState(0)
    >>> a = rng.randint(0, 2, size=20).astype(float)
    >>> y = np.column_stack([a, a, rng.randint(0, 2, size=20)])
    >>> graph = graph_from_targets(y, shrinkage=10)
    >>> float(graph[0, 1].round(3))  # 1 * 20 / (20 + 10)
    0.667
    >>> graph.shape, bool(np.all(graph == graph.T))
    ((3, 3), True)
    """
    targets = _read_targets(y, target_type)
    observed = targets.mask.astype(np.float64)
    n_shared = np.rint(observed.T @ observed)
    if method == "correlation":
        columns, mask, starts, class_indicator = _target_columns(targets)
        correlation, n_columns_shared = _pairwise_correlation(columns, mask)
        if negative == "absolute":
            correlation = np.abs(correlation)
        else:
            np.clip(correlation, 0.0, None, out=correlation)
        if significance is not None:
            r = _max_per_task_block(correlation, starts)
            rejected = _fisher_p_value(r, n_shared) > significance
        # Each pair of columns is shrunk by its own evidence: the shared
        # rows, or for a class of a multiclass task its minority count.
        support = n_columns_shared
        if class_indicator.any():
            ones = columns.T @ mask.astype(np.float64)
            minority = np.minimum(ones, n_columns_shared - ones)
            support = np.where(class_indicator[:, None], minority, support)
        support = np.minimum(support, support.T)
        if shrinkage > 0:
            correlation *= support / np.maximum(support + shrinkage, 1e-300)
        graph = _max_per_task_block(correlation, starts)
        if significance is not None:
            graph[rejected] = 0.0
    else:
        if significance is not None:
            raise ValueError(
                "significance tests a correlation: it applies to "
                f"method='correlation' only, not method={method!r}."
            )
        r, _ = _cooccurrence(targets, method)
        graph = r * n_shared / (n_shared + shrinkage) if shrinkage > 0 else r
    graph[n_shared < MIN_SHARED_ROWS] = 0.0
    return finish_graph(graph)


def _coefficient_rows(coef, task_rows):
    """Per-task row blocks of a coefficient matrix, from an array or estimator."""
    if hasattr(coef, "fit") and not hasattr(coef, "shape"):
        estimator = coef
        if not hasattr(estimator, "coef_"):
            raise ValueError(
                f"{type(estimator).__name__} has no coef_: pass a fitted linear "
                "estimator or a (n_tasks, n_features) array."
            )
        if task_rows is None:
            task_rows = getattr(estimator, "task_rows_", None)
        coef = estimator.coef_
    try:
        W = np.asarray(coef, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(
            "coef must be a numeric (n_tasks, n_features) array."
        ) from None
    if W.ndim == 1:
        W = W[None, :]  # one task
    if W.ndim != 2 or W.shape[1] == 0:
        raise ValueError(
            "coef must be of shape (n_tasks, n_features), one row per task (the "
            f"layout of mtlearn's and scikit-learn's coef_); got shape {W.shape}."
        )
    if not np.all(np.isfinite(W)):
        raise ValueError("coef must hold finite values (no NaN or inf).")
    if task_rows is None:
        return W, np.arange(W.shape[0])
    starts, stop = [], 0
    for t, rows in enumerate(task_rows):
        if isinstance(rows, slice):
            rows = range(*rows.indices(W.shape[0]))
        rows = list(rows)
        if not rows or rows != list(range(stop, stop + len(rows))):
            raise ValueError(
                "task_rows must give each task a non-empty block of consecutive "
                f"rows of coef, in order; task {t} has rows {rows}."
            )
        starts.append(stop)
        stop += len(rows)
    if stop != W.shape[0]:
        raise ValueError(f"task_rows covers {stop} rows but coef has {W.shape[0]}.")
    return W, np.asarray(starts)


@validate_params(
    {
        "coef": "no_validation",
        "metric": [StrOptions({"cosine", "correlation"})],
        "negative": [StrOptions({"clip", "absolute"})],
        "task_rows": ["array-like", None],
    },
    prefer_skip_nested_validation=True,
)
def graph_from_coefficients(coef, metric="cosine", *, negative="clip", task_rows=None):
    r"""Task graph from the similarity of per-task coefficient vectors.

    ``A[s, t]`` is the similarity of the coefficient vectors of tasks ``s``
    and ``t``: ``"cosine"``, :math:`w_s^\top w_t / (\|w_s\| \|w_t\|)`, or
    ``"correlation"``, the cosine of the vectors centred on their mean over
    the features (their Pearson correlation). Negative similarities
    (opposed tasks) are clipped to 0 (or made absolute). A task whose
    coefficients are all zero (or constant, for ``"correlation"``) gets no
    edge.

    Parameters
    ----------
    coef : array-like of shape (n_tasks, n_features) or fitted estimator
        One row per task: the layout of ``coef_`` in mtlearn's linear models
        and scikit-learn's multi-output linear models. mtlearn's
        ``MultiTaskLinearRegression().fit(X, y).coef_`` can be passed as is.
        A 1-D array is one task. A fitted estimator is read through its
        ``coef_`` (and ``task_rows_`` when it has one, as
        ``MultiTaskLogisticRegression`` does for multiclass tasks).

    metric : {"cosine", "correlation"}, default="cosine"
        Similarity of two coefficient vectors.

    negative : {"clip", "absolute"}, default="clip"
        Negative similarities: clipped to 0, or taken in absolute value.

    task_rows : list of slice or of lists of int, default=None
        When a task owns several consecutive rows of ``coef`` (one per class
        of a multiclass task, as ``task_rows_`` of
        ``MultiTaskLogisticRegression``), the rows of each task; the
        similarity of two tasks is then the largest over their pairs of rows.
        None: one row per task.

    Returns
    -------
    graph : ndarray of shape (n_tasks, n_tasks)
        Symmetric, non-negative, zero diagonal, float64, at most 1.

    Examples
    --------
    >>> import numpy as np
    >>> from mtlearn.task_graph import graph_from_coefficients
    >>> coef = np.array([[1.0, 0.0], [1.0, 1.0], [-1.0, 0.0]])
    >>> graph_from_coefficients(coef).round(3)
    array([[0.   , 0.707, 0.   ],
           [0.707, 0.   , 0.   ],
           [0.   , 0.   , 0.   ]])
    """
    W, starts = _coefficient_rows(coef, task_rows)
    if metric == "correlation":
        W = W - W.mean(axis=1, keepdims=True)
    norms = np.linalg.norm(W, axis=1)
    scale = np.max(np.abs(W)) if W.size else 0.0
    zero = norms <= 1e-12 * max(scale, 1e-300) * np.sqrt(W.shape[1])
    unit = np.divide(W, norms[:, None], out=np.zeros_like(W), where=~zero[:, None])
    similarity = np.clip(unit @ unit.T, -1.0, 1.0)
    if negative == "absolute":
        similarity = np.abs(similarity)
    else:
        np.clip(similarity, 0.0, None, out=similarity)
    return finish_graph(_max_per_task_block(similarity, starts))


def default_n_neighbors(n_tasks):
    """The ``k`` of the ``"auto"`` rule: ``min(5, n_tasks - 1)``."""
    return max(min(5, n_tasks - 1), 0)


@validate_params(
    {
        "y": ["array-like", TaskTargets],
        "rule": [StrOptions(set(TASK_GRAPH_RULES))],
        "target_type": [StrOptions({"auto", "classification", "regression"})],
        "k": [Interval(Integral, 0, None, closed="left"), None],
    },
    prefer_skip_nested_validation=True,
)
def estimate_task_graph(y, rule="auto", *, target_type="auto", k=None):
    """Task graph of the training targets by a named rule.

    This is what an estimator's ``task_graph="<rule>"`` computes from the
    targets it is fitted on.

    - ``"auto"``: the ``"correlation"`` graph (default shrinkage,
      negative correlations clipped to 0) sparsified to each task's ``k``
      nearest tasks, ``k = min(5, n_tasks - 1)`` unless given, an edge kept
      when either task keeps it (``sparsify(..., symmetrize="max")``).
    - ``"correlation"``, ``"cooccurrence"``, ``"jaccard"``: the dense graph
      of :func:`graph_from_targets` with that method and its defaults
      (sparsified only when ``k`` is given).

    Parameters
    ----------
    y : array-like of shape (n_samples, n_tasks)
        Training targets, with missing labels as ``NaN``, ``None`` or
        ``pd.NA``.

    rule : {"auto", "correlation", "cooccurrence", "jaccard"}, default="auto"
        Estimation rule (see above).

    target_type : {"auto", "classification", "regression"}, default="auto"
        How ``y`` is read (see :func:`graph_from_targets`); an estimator
        passes what it is (a regressor ``"regression"``).

    k : int, default=None
        Number of nearest tasks each task keeps; None: ``min(5, n_tasks -
        1)`` for ``"auto"``, all for the other rules.

    Returns
    -------
    graph : ndarray of shape (n_tasks, n_tasks)
        Symmetric, non-negative, zero diagonal, float64.

    Examples
    --------
    >>> import numpy as np
    >>> from mtlearn.task_graph import estimate_task_graph
    >>> rng = np.random.RandomState(0)
    >>> z = rng.standard_normal((200, 2))
    >>> y = np.column_stack([z[:, 0], z[:, 0], z[:, 1], z[:, 1]])
    >>> y += 0.1 * rng.standard_normal(y.shape)
    >>> y[:50, 0] = np.nan  # missing labels
    >>> (estimate_task_graph(y, "auto", k=1) > 0.5).astype(int)
    array([[0, 1, 0, 0],
           [1, 0, 0, 0],
           [0, 0, 0, 1],
           [0, 0, 1, 0]])
    """
    if rule == "auto":
        graph = graph_from_targets(y, "correlation", target_type=target_type)
        if k is None:
            k = default_n_neighbors(graph.shape[0])
    else:
        graph = graph_from_targets(y, rule, target_type=target_type)
    if k is not None:
        graph = sparsify(graph, k=k, symmetrize="max")
    return graph
