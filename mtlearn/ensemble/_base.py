"""Work units of the multi-task ensembles.

The estimators in ``_ensemble.py`` are glue; what they dispatch and combine
lives here:

- :class:`FitJob` describes one fit: a member, the tasks it covers, the rows
  it trains on and, for a cross-validation fit, the rows it predicts.
  :func:`fit_member` runs one job; it is what each joblib task calls.
- :func:`member_outputs` turns a fitted member's predictions into one array
  per task, the *output* of the member for that task:

  - ``"soft"``: class probabilities, (n_samples, n_classes_t), columns in the
    order of the task's class codes;
  - ``"hard"``: one-hot indicators of the predicted class, same shape;
  - ``"regression"``: predictions, (n_samples, 1).

  Voting and averaging are then one rule, :func:`combine`: the weighted mean
  of the members' outputs (argmax for the classes).
- :func:`nnls_weights` is the ``weights="cv"`` rule (:func:`skill` the
  per-member diagnostic reported with it) and
  :func:`stack_features` the inputs of the per-task final estimators.

Members are fitted on class *codes* (indices into each task's ``classes_``,
from the target contract), never on the user's labels, so that outputs of
members fitted on different rows line up by code.
"""

import warnings
from dataclasses import dataclass

import numpy as np
from scipy.optimize import nnls
from sklearn.utils import get_tags

from .._mixins import accepts_missing_labels
from .._targets import task_label
from ..exceptions import ConstantTaskWarning


@dataclass(frozen=True)
class FitJob:
    """One fit of one member.

    Attributes
    ----------
    member : int
        Index of the member in ``estimators``.
    tasks : tuple of int
        Tasks the fit covers: one task for a single-task fit, several for a
        joint multi-task fit.
    joint : bool
        One multi-task fit on ``y[:, tasks]`` (missing cells left as NaN),
        or a single-task fit on the observed rows of ``tasks[0]``.
    train : ndarray of int
        Rows of X the fit may use (a single-task fit keeps the observed ones).
    test : ndarray of int or None
        Rows to predict after fitting (a cross-validation fit), or None for
        a final fit, whose fitted estimator is returned.
    """

    member: int
    tasks: tuple
    joint: bool
    train: np.ndarray
    test: np.ndarray | None = None


def is_joint(estimator, mask, n_constant=0):
    """Whether a member is fitted once on all tasks (else once per task).

    Joint when it declares multi-output targets (``target_tags.multi_output``)
    and either takes missing labels (``accepts_missing_labels``: mtlearn's
    estimators, which also fit constant tasks) or ``y`` has no missing label
    and no constant task (``n_constant``: a scikit-learn multi-output
    estimator may not fit one).
    """
    if mask.shape[1] < 2 or not get_tags(estimator).target_tags.multi_output:
        return False
    if accepts_missing_labels(estimator):
        return True
    return bool(mask.all()) and n_constant == 0


def fold_tasks(y, mask, train, test, tasks, classification):
    """Tasks that a fold fits, and those it predicts as a constant.

    A task is left out of a fold when the fold's training rows hold no
    observed label of it or its test rows none. A classification task whose
    observed labels in the training rows hold one class is *constant in the
    fold*: no member is fitted on it there, and its out-of-fold output is that
    class with probability 1 (see :func:`constant_output`).

    Returns
    -------
    fitted : tuple of int
        Tasks the members are fitted on in this fold.
    constant : dict of int to int
        Tasks constant in the fold, mapped to the class code they predict.
    """
    fitted, constant = [], {}
    for t in tasks:
        observed = mask[train, t]
        if not observed.any() or not mask[test, t].any():
            continue
        if classification:
            seen = np.unique(y[train[observed], t])
            if seen.size < 2:
                constant[t] = int(seen[0])
                continue
        fitted.append(t)
    return tuple(fitted), constant


def constant_output(n_samples, code, width):
    """Output of a constant task: probability 1 on class ``code`` of ``width``.

    One-hot rows, the same under soft and hard voting.
    """
    out = np.zeros((n_samples, width))
    out[:, code] = 1.0
    return out


def fit_member(estimator, X, y, mask, job, kind, n_classes, name, task_names):
    """Fit one member as ``job`` says; the body of every joblib task.

    Parameters
    ----------
    estimator : estimator object
        An unfitted clone of the member.
    X : ndarray or sparse matrix of shape (n_samples, n_features)
        All the rows; the job selects its own.
    y : ndarray of shape (n_samples, n_tasks)
        Class codes (classification) or targets, NaN where missing.
    mask : ndarray of shape (n_samples, n_tasks), dtype=bool
        Observed cells.
    job : FitJob
        What to fit.
    kind : {"soft", "hard", "regression"}
        What :func:`member_outputs` computes for a cross-validation fit.
    n_classes : list of int or None
        Number of classes of each task (classification).
    name : str
        Name of the member, for messages.
    task_names : ndarray or None
        Task names, for messages.

    Returns
    -------
    estimator : estimator object or None
        The fitted member for a final fit, None for a cross-validation fit.
    outputs : list of ndarray or None
        For a cross-validation fit, the member's output on ``job.test`` for
        each task of ``job.tasks``.
    """
    rows = job.train
    if job.joint:
        y_fit = y[np.ix_(rows, job.tasks)]
        where = f"tasks {[task_label(t, task_names) for t in job.tasks]}"
    else:
        (t,) = job.tasks
        rows = rows[mask[rows, t]]
        y_fit = y[rows, t]
        if kind != "regression":
            y_fit = y_fit.astype(np.intp)
        where = task_label(t, task_names)
    try:
        with warnings.catch_warnings():
            # constant tasks are the ensemble's to report, once per fit
            warnings.simplefilter("ignore", ConstantTaskWarning)
            estimator.fit(X[rows], y_fit)
    except Exception as exc:
        fold = "" if job.test is None else " (a cross-validation fit)"
        raise ValueError(
            f"Member {name!r} failed to fit on {where}{fold}: "
            f"{type(exc).__name__}: {exc}"
        ) from exc
    if job.test is None:
        return estimator, None
    outputs = member_outputs(estimator, X[job.test], job.tasks, kind, n_classes, name)
    return None, outputs


def _per_task(values, n_tasks):
    """A member's per-task list from a list, or from one single-task array."""
    if n_tasks == 1 and not isinstance(values, list):
        return [values]
    return list(values)


def member_outputs(estimator, X, tasks, kind, n_classes, name):
    """Output of a fitted member for each of ``tasks`` (see the module doc).

    Raises
    ------
    ValueError
        When the member's predictions or probabilities are not finite (NaN
        or inf), naming the member (``name``): X's values are then too large
        for it (a linear model's output overflows).
    """
    n = X.shape[0]
    if kind == "regression":
        pred = np.asarray(estimator.predict(X), dtype=np.float64).reshape(n, -1)
        check_finite_output(pred, name, "predictions", X)
        return [pred[:, [i]] for i in range(len(tasks))]
    member_classes = _per_task(estimator.classes_, len(tasks))
    if kind == "soft":
        scores = _per_task(estimator.predict_proba(X), len(tasks))
        for score in scores:
            score = np.asarray(score, dtype=np.float64)
            check_finite_output(score, name, "probabilities", X)
    else:
        pred = np.asarray(estimator.predict(X)).reshape(n, -1)
    outputs = []
    for i, t in enumerate(tasks):
        codes = np.asarray(member_classes[i]).astype(np.intp)
        out = np.zeros((n, n_classes[t]))
        if kind == "soft":
            out[:, codes] = scores[i]
        else:
            out[np.arange(n), pred[:, i].astype(np.intp)] = 1.0
        outputs.append(out)
    return outputs


def check_finite_output(values, name, what, X):
    """Raise a ValueError naming the member (or, for ``name=None``, the final
    estimator) if its ``what`` ("predictions", "probabilities") on ``X``
    (for the final estimator: the members' outputs) are not finite."""
    if np.all(np.isfinite(values)):
        return
    largest = float(abs(X).max()) if X.shape[0] and X.shape[1] else 0.0
    who, source = (
        ("The final estimator", "the members' outputs")
        if name is None
        else (f"Member {name!r}", "X")
    )
    raise ValueError(
        f"{who} gave {what} that are not finite (NaN or inf): the values in "
        f"{source} are too large for it (largest absolute value "
        f"{largest:.3g}). Scale X (e.g. with StandardScaler in a pipeline) "
        "or use estimators that handle such values."
    )


def combine(outputs, weights):
    """Weighted mean of the members' outputs for one task.

    Computed on the outputs divided by their largest magnitude per cell (when
    above 1), then scaled back and kept within the members' range, so that
    the mean of finite outputs is finite even near the largest float.

    Parameters
    ----------
    outputs : list of ndarray of shape (n_samples, k)
        One output per member, finite.
    weights : ndarray of shape (n_members,)
        Weights summing to 1.

    Returns
    -------
    mean : ndarray of shape (n_samples, k)
    """
    low, high = np.minimum.reduce(outputs), np.maximum.reduce(outputs)
    scale = np.maximum(np.maximum(-low, high), 1.0)
    mean = sum(w * (out / scale) for w, out in zip(weights, outputs))
    # within [-1, 1] once clipped: scaled back, it cannot overflow
    return np.clip(mean, low / scale, high / scale) * scale


def one_hot(codes, n_classes):
    out = np.zeros((codes.shape[0], n_classes))
    out[np.arange(codes.shape[0]), codes.astype(np.intp)] = 1.0
    return out


def skill(output, truth, kind, n_classes=None):
    """Skill of one member's output on one task: ``1 - loss / loss_prior``.

    The loss is the mean squared error of the output: the Brier score for
    probabilities (soft), twice the error rate for one-hot votes (hard), the
    squared error for regression. The prior is the best constant prediction
    on the same rows: the class frequencies (soft), the majority class
    (hard), the mean (regression; the skill is then R^2). A skill of 0 is
    chance level, 1 is perfect. Returns 0 when the prior is already perfect.
    """
    if kind == "regression":
        target = truth.reshape(-1, 1)
        prior_loss = np.mean((target - target.mean()) ** 2)
    else:
        target = one_hot(truth, n_classes)
        frequency = target.mean(axis=0)
        if kind == "soft":
            prior_loss = 1.0 - np.sum(frequency**2)
        else:
            prior_loss = 2.0 * (1.0 - frequency.max())
    if prior_loss <= 0:
        return 0.0
    loss = np.mean(np.sum((output - target) ** 2, axis=1))
    return float(1.0 - loss / prior_loss)


def nnls_weights(outputs, truth, kind, n_classes=None):
    """Weights of one task: the best convex mix of out-of-fold outputs.

    Non-negative least squares of the truth (one-hot for classes) on the
    members' out-of-fold outputs, normalised to sum to 1 (the ``NNLS``
    combination of the Super Learner, van der Laan et al. 2007): the
    weighted mean of the outputs with the lowest squared error (Brier score
    for probabilities), up to the normalisation. Members that add nothing to
    the others get weight 0. Equal weights if every coefficient is 0.

    Parameters
    ----------
    outputs : list of ndarray of shape (n_rows, k)
        Each member's out-of-fold output on the task's scored rows.
    truth : ndarray of shape (n_rows,)
        Class codes or targets.
    kind : {"soft", "hard", "regression"}
        What the outputs are.
    n_classes : int, default=None
        Number of classes (classification).

    Returns
    -------
    weights : ndarray of shape (n_members,)
    """
    target = truth.reshape(-1, 1) if kind == "regression" else one_hot(truth, n_classes)
    design = np.column_stack([out.ravel() for out in outputs])
    coef, _ = nnls(design, target.ravel())
    total = coef.sum()
    if not total > 0:
        return np.full(len(outputs), 1.0 / len(outputs))
    return coef / total


def stack_features(outputs, kind):
    """Inputs of one task's final estimator: the members' outputs side by side.

    A binary task contributes its positive-class column only (the other is
    its complement); a multiclass task all its columns; a regression task its
    prediction.
    """
    if kind != "regression" and outputs[0].shape[1] == 2:
        outputs = [out[:, 1:] for out in outputs]
    return np.hstack(outputs)


def align_columns(scores, classes, n_classes):
    """Columns of ``scores`` (for ``classes`` codes) placed among all codes."""
    out = np.zeros((scores.shape[0], n_classes))
    out[:, np.asarray(classes).astype(np.intp)] = scores
    return out


#: Selection criteria by target kind (higher is better); the first is the
#: default, the squared error that the ``weights="cv"`` rule minimises.
SCORINGS = {
    "classification": (
        "neg_brier_score",
        "neg_log_loss",
        "accuracy",
        "f1",
        "micro_f1",
    ),
    "regression": ("r2", "neg_mean_squared_error"),
}


def candidate_score(output, truth, scoring, n_classes=None, spread=None):
    """Score of one candidate's output on one task's rows; higher is better.

    ``output`` is an output in the sense of the module doc (probabilities
    or vote shares, or predictions), ``truth`` the class codes or targets.

    - ``"neg_brier_score"``: minus the mean squared distance of the output
      from the one-hot truth (the loss the ``"cv"`` weights minimise);
    - ``"neg_log_loss"``: minus the mean log of the output on the true
      class, clipped at 1e-15;
    - ``"accuracy"``: fraction of rows whose largest output is the truth;
    - ``"f1"``: for a binary task, the F1 score of the second class (code
      1); for a multiclass task, the mean over classes (macro). A class
      neither present nor predicted counts as 1 (nothing to find, nothing
      wrongly found), so a fold with no positive gives a number, not NaN;
    - ``"r2"``: 1 - squared error / variance of the truth (NaN if the truth
      is constant); ``spread``, if given, replaces that variance (a fold's
      score with the variance of the task's rows in all folds: a small
      task's fold may hold one row, or a few of nearly one value);
    - ``"neg_mean_squared_error"``.

    NaN for no rows.
    """
    if truth.shape[0] == 0:
        return np.nan
    if scoring in SCORINGS["regression"]:
        error = np.mean((output[:, 0] - truth) ** 2)
        if scoring == "neg_mean_squared_error":
            return float(-error)
        if spread is None:
            spread = np.mean((truth - truth.mean()) ** 2)
        return float(1.0 - error / spread) if spread > 0 else np.nan
    codes = truth.astype(np.intp)
    if scoring == "neg_brier_score":
        return float(-np.mean(np.sum((output - one_hot(codes, n_classes)) ** 2, 1)))
    if scoring == "neg_log_loss":
        true_proba = output[np.arange(codes.size), codes]
        return float(np.mean(np.log(np.clip(true_proba, 1e-15, 1.0))))
    predicted = np.argmax(output, axis=1)
    if scoring == "accuracy":
        return float(np.mean(predicted == codes))
    classes = [1] if n_classes == 2 else range(n_classes)
    f1 = []
    for c in classes:
        hit, said = codes == c, predicted == c
        counted = hit.sum() + said.sum()
        f1.append(2.0 * np.sum(hit & said) / counted if counted else 1.0)
    return float(np.mean(f1))


def f1_counts(output, truth, n_classes):
    """True positives, false positives and false negatives of one output.

    The positives of a binary task are its second class (code 1); every
    class of a multiclass task counts. The counts that micro-averaged F1
    sums over tasks.
    """
    codes, predicted = truth.astype(np.intp), np.argmax(output, axis=1)
    classes = [1] if n_classes == 2 else range(n_classes)
    counts = np.zeros(3)
    for c in classes:
        hit, said = codes == c, predicted == c
        counts += [np.sum(hit & said), np.sum(~hit & said), np.sum(hit & ~said)]
    return counts


def micro_f1(counts):
    """Micro-averaged F1 of summed (tp, fp, fn) counts (last axis); 1 when
    there is nothing to find and nothing was found."""
    tp, fp, fn = np.moveaxis(counts, -1, 0)
    total = 2 * tp + fp + fn
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, 2 * tp / total, 1.0)


def select_micro_f1(counts, max_sweeps=50):
    """Per task, the candidate that maximises the micro-F1 over all tasks.

    Coordinate ascent: starting from each task's best candidate on its own,
    each task in turn takes the candidate with the best micro-F1 of all tasks
    given the others' choices (the first of equals), until a sweep changes
    nothing (or ``max_sweeps``). The micro-F1 never decreases.

    Parameters
    ----------
    counts : ndarray of shape (n_candidates, n_tasks, 3)
        Out-of-fold (tp, fp, fn) of each candidate on each task; NaN for a
        candidate that could not be scored (never chosen).

    Returns
    -------
    choice : ndarray of int of shape (n_tasks,)
    """
    n_candidates, n_tasks = counts.shape[:2]
    usable = ~np.isnan(counts).any(axis=2)
    filled = np.where(usable[..., None], counts, 0.0)
    own = np.where(usable, micro_f1(filled), -np.inf)
    choice = np.argmax(own, axis=0)
    for _ in range(max_sweeps):
        changed = False
        for t in range(n_tasks):
            others = (
                filled[choice, np.arange(n_tasks)].sum(axis=0) - filled[choice[t], t]
            )
            value = np.where(usable[:, t], micro_f1(others + filled[:, t]), -np.inf)
            best = int(np.argmax(value))
            if value[best] > value[choice[t]]:
                choice[t], changed = best, True
        if not changed:
            break
    return choice


def cross_fit(fold_id, fit_predict):
    """Out-of-fold outputs of a combination fitted on out-of-fold outputs.

    For each fold ``k`` in ``fold_id`` (one id per row), ``fit_predict(train,
    test)`` is called with the boolean masks of the rows of the other folds
    and of fold ``k``, and returns the combination's output on the test
    rows, fitted on the train rows only; the outputs are put together in
    row order. This is the second level of cross-validation that scores a
    fitted combination (weights, stacking) as honestly as the members,
    without refitting any member. None when fewer than two folds.
    """
    folds = np.unique(fold_id)
    if folds.size < 2:
        return None
    parts = {}
    for k in folds:
        test = fold_id == k
        parts[k] = (test, fit_predict(~test, test))
    width = next(iter(parts.values()))[1].shape[1]
    out = np.zeros((fold_id.size, width))
    for test, part in parts.values():
        out[test] = part
    return out
