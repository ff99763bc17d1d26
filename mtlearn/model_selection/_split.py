"""Multi-label stratified splitters: iterative stratification.

Each (task, class) pair of the targets is one *label*. The splitters place
the examples so that every label keeps, in every fold, about the share of
its examples that the fold has of all the examples, which keeps each task's
class proportions close to the whole data's in every fold.

The placement is the iterative stratification of Sechidis, Tsoumakas and
Vlahavas (2011), with fold sizes held exactly:

1. Fold ``j`` is to receive ``size_j`` examples (sizes differing by at most
   one for k-fold, the test and train sizes for a shuffle split), and of each
   label ``l`` a *desired* count ``n_l * size_j / n_samples``.
2. While some example carrying a label is unplaced, take the label with the
   fewest unplaced examples (the rarest one first) and place each of its
   unplaced examples in the fold that still has room and most lacks that
   label; ties go to the fold that most lacks examples, then to a random one
   (the first one when not shuffling). Placing an example lowers, in its
   fold, the desired count of each label it carries and the room left.
3. Examples that carry no label fill the room left. (Rows whose every task
   is missing carry a label of their own, "no observed label", so that they
   are spread too; see ``_label_matrix``.)

The work is ``O(n_samples * n_labels)``: each example is placed once, and
placing it updates one row of label counts.
"""

import numbers

import numpy as np
from sklearn.model_selection._split import (
    BaseShuffleSplit,
    _BaseKFold,
    _validate_shuffle_split,
)
from sklearn.utils import check_random_state
from sklearn.utils.validation import _num_samples

from .._targets import check_targets

__all__ = ["MultilabelStratifiedKFold", "MultilabelStratifiedShuffleSplit"]


def _label_matrix(y, n_samples):
    """Indicator of the observed (task, class) labels of each example.

    Returns a float64 array of shape (n_samples, n_labels), where the labels
    are the classes of task 0, then those of task 1, and so on. A missing
    cell sets no label of its task. A binary task gives two labels, one per
    class, so that its observed examples, and not only its positives, are
    spread evenly when some of its labels are missing. Rows with every task
    missing get a label of their own, the last column.
    """
    targets = check_targets(y, kind="classification", n_samples=n_samples)
    n_classes = np.array([len(c) for c in targets.classes])
    offsets = np.concatenate(([0], np.cumsum(n_classes)[:-1]))
    labels = np.zeros((n_samples, n_classes.sum()), dtype=np.float64)
    rows, tasks = np.nonzero(targets.mask)
    labels[rows, offsets[tasks] + targets.values[rows, tasks]] = 1.0
    unlabelled = ~targets.mask.any(axis=1)
    if unlabelled.any():
        # Rows with every task missing are one more label, so that they too
        # are spread in proportion to the fold sizes.
        labels = np.column_stack([labels, unlabelled.astype(np.float64)])
    return labels


def _iterative_stratification(labels, fold_sizes, rng=None):
    """Assign each example to a fold by iterative stratification.

    Parameters
    ----------
    labels : ndarray of shape (n_samples, n_labels)
        0/1 indicator of the labels each example carries.
    fold_sizes : ndarray of shape (n_folds,)
        Number of examples each fold receives; sums to ``n_samples``.
    rng : RandomState or None, default=None
        With a RandomState, examples are visited in a random order and ties
        between labels and between folds are broken at random. With None the
        visit follows the row order and ties go to the lowest index.

    Returns
    -------
    folds : ndarray of shape (n_samples,), dtype=intp
        The fold of each example.
    """
    n_samples, n_labels = labels.shape
    fold_sizes = np.asarray(fold_sizes, dtype=np.intp)
    n_folds = fold_sizes.shape[0]

    # Work on a (possibly) permuted copy; map the folds back at the end.
    if rng is not None:
        row_order = rng.permutation(n_samples)
        label_order = rng.permutation(n_labels)
        labels = labels[np.ix_(row_order, label_order)]
        tie_draws = rng.random_sample(n_samples)
    else:
        tie_draws = np.zeros(n_samples)

    label_totals = labels.sum(axis=0)
    # desired[j, l]: how many more examples of label l fold j should get.
    desired = np.outer(fold_sizes / n_samples, label_totals)
    room = fold_sizes.copy()
    unplaced_counts = label_totals.copy()
    unplaced = np.ones(n_samples, dtype=bool)
    folds = np.full(n_samples, -1, dtype=np.intp)
    fold_index = np.arange(n_folds)

    while True:
        remaining = np.where(unplaced_counts > 0, unplaced_counts, np.inf)
        label = int(np.argmin(remaining))
        if remaining[label] == np.inf:
            break
        examples = np.flatnonzero((labels[:, label] > 0) & unplaced)
        need = desired[:, label]
        for i in examples:
            open_folds = fold_index[room > 0]
            candidates = open_folds[need[open_folds] == need[open_folds].max()]
            if candidates.shape[0] > 1:
                candidate_room = room[candidates]
                candidates = candidates[candidate_room == candidate_room.max()]
            fold = candidates[int(tie_draws[i] * candidates.shape[0])]
            folds[i] = fold
            room[fold] -= 1
            desired[fold] -= labels[i]
            unplaced_counts -= labels[i]
        unplaced[examples] = False

    # Examples without any label fill the room left, fold by fold.
    leftover = np.flatnonzero(unplaced)
    folds[leftover] = np.repeat(fold_index, room)

    if rng is not None:
        out = np.empty_like(folds)
        out[row_order] = folds
        return out
    return folds


def _check_size(name, value):
    """``test_size`` / ``train_size``: None, a positive int or a float in (0, 1)."""
    if value is None:
        return
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return  # its range is checked against n_samples by scikit-learn
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        if np.isfinite(value):
            return
    raise ValueError(
        f"{name} must be None, an int (a number of samples) or a float in "
        f"(0, 1) (a proportion), got {value!r}."
    )


class _StratifiedOnTargetsMixin:
    """The ``split`` of the splitters below: ``y`` is required."""

    def split(self, X, y, groups=None):
        """Generate indices to split data into training and test set.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data; only its number of rows is used.
        y : array-like of shape (n_samples,) or (n_samples, n_tasks)
            Class labels of each task (ints or strings), a missing label
            NaN or None. The stratification is done on them.
        groups : object
            Always ignored, exists for API compatibility.

        Yields
        ------
        train : ndarray
            The training set indices for that split, sorted.
        test : ndarray
            The testing set indices for that split, sorted.
        """
        if y is None:
            raise ValueError(
                f"{type(self).__name__} stratifies on the targets: y must be "
                "passed to split, got None."
            )
        return super().split(X, y, groups)


class MultilabelStratifiedKFold(_StratifiedOnTargetsMixin, _BaseKFold):
    """K-fold cross-validation stratified on several labels or tasks at once.

    Each fold keeps about the whole data's share of every (task, class)
    pair, found by iterative stratification (Sechidis et al., 2011): the
    examples of the rarest label are placed first, each in the fold that most
    lacks that label. Use it where :class:`~sklearn.model_selection.
    StratifiedKFold` cannot go: multi-label indicator targets, several binary
    or multiclass tasks, and targets with missing labels.

    Targets are read by the target contract: ``y`` of shape (n_samples,) or
    (n_samples, n_tasks), labels ints or strings, a missing label NaN or
    None. Every class of every task is one label (a binary task gives two,
    so each task's class proportions among its *observed* examples are kept);
    a missing cell sets no label of its task, and its row still counts for
    the other tasks. Rows with every task missing are spread as one more
    label. Fold sizes differ by at most one, as in
    :class:`~sklearn.model_selection.KFold`.

    Parameters
    ----------
    n_splits : int, default=5
        Number of folds. Must be at least 2.
    shuffle : bool, default=False
        Whether to visit the examples in a random order and break ties at
        random. When False the folds are a deterministic function of ``y``.
    random_state : int, RandomState instance or None, default=None
        When ``shuffle`` is True, controls the visiting order and the tie
        breaks; pass an int for folds reproducible across calls. Must be None
        when ``shuffle`` is False.

    See Also
    --------
    MultilabelStratifiedShuffleSplit : Random stratified train/test splits.
    sklearn.model_selection.StratifiedKFold : Stratified k-fold for one
        binary or multiclass target.

    Notes
    -----
    A label with fewer examples than ``n_splits`` cannot appear in every
    test fold; no warning is given, since multi-label data often has such
    labels. A constant task (one observed class) is one label, spread like
    the others. Within each fold the test indices are sorted.

    References
    ----------
    .. [1] K. Sechidis, G. Tsoumakas and I. Vlahavas, "On the Stratification
       of Multi-label Data", Machine Learning and Knowledge Discovery in
       Databases (ECML PKDD), LNCS 6913, pp. 145-158, 2011.

    Examples
    --------
    >>> import numpy as np
    >>> from mtlearn.model_selection import MultilabelStratifiedKFold
    >>> y = np.array([[1, 0], [1, 1], [0, 1], [0, 0], [1, 0], [0, 1],
    ...               [1, 1], [0, 0]])
    >>> X = np.zeros((8, 3))
    >>> cv = MultilabelStratifiedKFold(n_splits=2)
    >>> cv
    MultilabelStratifiedKFold(n_splits=2, random_state=None, shuffle=False)
    >>> for train, test in cv.split(X, y):
    ...     print(test, y[test].mean(axis=0))
    [0 2 4 5] [0.5 0.5]
    [1 3 6 7] [0.5 0.5]

    A multiclass task with string labels next to a binary task with missing
    labels (None); each test fold gets one example of each class of the
    first task:

    >>> y = np.array([["a", "x"], ["b", None], ["c", "y"], ["a", "y"],
    ...               ["b", "x"], ["c", None], ["a", "x"], ["b", "y"],
    ...               ["c", "x"]], dtype=object)
    >>> cv = MultilabelStratifiedKFold(n_splits=3)
    >>> for train, test in cv.split(np.zeros((9, 1)), y):
    ...     print(test, y[test].tolist())
    [0 7 8] [['a', 'x'], ['b', 'y'], ['c', 'x']]
    [3 4 5] [['a', 'y'], ['b', 'x'], ['c', None]]
    [1 2 6] [['b', None], ['c', 'y'], ['a', 'x']]
    """

    def __init__(self, n_splits=5, *, shuffle=False, random_state=None):
        super().__init__(n_splits=n_splits, shuffle=shuffle, random_state=random_state)

    def _iter_test_masks(self, X, y=None, groups=None):
        n_samples = _num_samples(X)
        labels = _label_matrix(y, n_samples)
        fold_sizes = np.full(self.n_splits, n_samples // self.n_splits)
        fold_sizes[: n_samples % self.n_splits] += 1
        rng = check_random_state(self.random_state) if self.shuffle else None
        folds = _iterative_stratification(labels, fold_sizes, rng)
        for fold in range(self.n_splits):
            yield folds == fold


class MultilabelStratifiedShuffleSplit(_StratifiedOnTargetsMixin, BaseShuffleSplit):
    """Random train/test splits stratified on several labels or tasks at once.

    Each split draws a test set of ``test_size`` examples (and a train set
    of ``train_size``) that keeps about the whole data's share of every
    (task, class) pair, by iterative stratification (Sechidis et al., 2011)
    with the examples visited in a new random order for each split. Targets
    are read as in :class:`MultilabelStratifiedKFold`: several binary or
    multiclass tasks, labels ints or strings, missing labels NaN or None
    (left out of their task only). Test sets of different splits may
    overlap.

    Parameters
    ----------
    n_splits : int, default=10
        Number of re-shuffling and splitting iterations.
    test_size : float or int, default=None
        A float in (0, 1) is the proportion of the examples in the test set;
        an int, their number. When None, the complement of ``train_size``,
        or 0.1 if that is None too.
    train_size : float or int, default=None
        A float in (0, 1) is the proportion of the examples in the train set;
        an int, their number. When None, the complement of ``test_size``.
    random_state : int, RandomState instance or None, default=None
        Controls the visiting orders and tie breaks; pass an int for splits
        reproducible across calls.

    See Also
    --------
    MultilabelStratifiedKFold : Stratified k-fold on several labels.
    sklearn.model_selection.StratifiedShuffleSplit : The one-target version.

    References
    ----------
    .. [1] K. Sechidis, G. Tsoumakas and I. Vlahavas, "On the Stratification
       of Multi-label Data", Machine Learning and Knowledge Discovery in
       Databases (ECML PKDD), LNCS 6913, pp. 145-158, 2011.

    Examples
    --------
    >>> import numpy as np
    >>> from mtlearn.model_selection import MultilabelStratifiedShuffleSplit
    >>> rng = np.random.RandomState(0)
    >>> y = (rng.uniform(size=(100, 3)) < [0.5, 0.2, 0.1]).astype(int)
    >>> X = np.zeros((100, 2))
    >>> cv = MultilabelStratifiedShuffleSplit(n_splits=3, test_size=0.2,
    ...                                       random_state=0)
    >>> y.sum(axis=0)
    array([47, 21,  5])
    >>> for train, test in cv.split(X, y):
    ...     print(len(train), len(test), y[test].sum(axis=0))
    80 20 [9 4 1]
    80 20 [9 4 1]
    80 20 [9 4 1]
    """

    def __init__(
        self, n_splits=10, *, test_size=None, train_size=None, random_state=None
    ):
        super().__init__(
            n_splits=n_splits,
            test_size=test_size,
            train_size=train_size,
            random_state=random_state,
        )
        self._default_test_size = 0.1

    def _iter_indices(self, X, y, groups=None):
        if (
            not isinstance(self.n_splits, numbers.Integral)
            or isinstance(self.n_splits, bool)
            or self.n_splits < 1
        ):
            raise ValueError(f"n_splits must be a positive int, got {self.n_splits!r}.")
        for name in ("test_size", "train_size"):
            _check_size(name, getattr(self, name))
        n_samples = _num_samples(X)
        n_train, n_test = _validate_shuffle_split(
            n_samples,
            self.test_size,
            self.train_size,
            default_test_size=self._default_test_size,
        )
        labels = _label_matrix(y, n_samples)
        # Fold 0 is the test set, fold 1 the train set, fold 2 (if any) the
        # examples left out of both.
        fold_sizes = np.array([n_test, n_train, n_samples - n_test - n_train])
        rng = check_random_state(self.random_state)
        for _ in range(self.n_splits):
            folds = _iterative_stratification(labels, fold_sizes, rng)
            yield np.flatnonzero(folds == 1), np.flatnonzero(folds == 0)
