"""Loaders for the data sets bundled with mtlearn.

The files in ``data/`` are gzip-compressed CSV files with one header row: the
feature columns, then one ``label:<name>`` (classification) or
``target:<name>`` (regression) column per output; the School file also has a
``task`` column. They are parsed with the standard library and NumPy only;
pandas is imported only when a frame is asked for.
"""

import csv
import gzip
from functools import cache
from importlib import resources

import numpy as np
from sklearn.utils import Bunch
from sklearn.utils._param_validation import StrOptions, validate_params

_LABEL_PREFIX = "label:"
_TARGET_PREFIX = "target:"
_TASK_COLUMN = "task"


def _fill_doc(**fragments):
    """Decorator filling the ``%(name)s`` fields of a docstring.

    For parameters that several functions document in the same words: the
    text is written once, as a fragment whose lines after the first carry the
    docstring's indentation.
    """

    def decorate(function):
        if function.__doc__ is not None:  # None under python -OO
            function.__doc__ = function.__doc__ % fragments
        return function

    return decorate


@cache
def _read_table(filename):
    """Parse one bundled gzip CSV file, once per process.

    Parameters
    ----------
    filename : str
        Name of a file in ``mtlearn/datasets/data/``.

    Returns
    -------
    columns : tuple of str
        The header row.

    values : ndarray of shape (n_rows, n_columns), dtype float64
        The values, **read-only** because the cached array is shared by every
        caller; loaders hand out copies.
    """
    source = resources.files(__package__) / "data" / filename
    with source.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as text:
        columns = tuple(next(csv.reader([text.readline()])))
        values = np.loadtxt(text, delimiter=",", dtype=np.float64, ndmin=2)
    if values.shape[1] != len(columns):
        raise ValueError(
            f"{filename}: the header has {len(columns)} columns but the rows "
            f"have {values.shape[1]}."
        )
    values.flags.writeable = False
    return columns, values


@cache
def _read_descr(name):
    """Return the text of ``descr/<name>.rst``."""
    source = resources.files(__package__) / "descr" / f"{name}.rst"
    return source.read_text(encoding="utf-8")


def _import_pandas():
    try:
        import pandas
    except ImportError as exc:
        raise ImportError(
            "as_frame=True requires pandas, which is not installed. Install it "
            "with `pip install pandas` or `pip install mtlearn[frames]`."
        ) from exc
    return pandas


def _column_indices(columns, keep):
    """Positions and names of the columns for which ``keep(name)`` is true."""
    indices = [i for i, name in enumerate(columns) if keep(name)]
    return indices, [columns[i] for i in indices]


def _is_feature(name):
    return name != _TASK_COLUMN and not name.startswith((_LABEL_PREFIX, _TARGET_PREFIX))


def _to_frames(data, target, feature_names, target_names, extra_columns=None):
    """Wrap arrays in pandas objects; return ``(data, target, frame)``.

    ``target`` becomes a Series when it is 1-D, a DataFrame otherwise;
    ``extra_columns`` (a dict name -> 1-D array) go into ``frame`` between the
    features and the targets.
    """
    pd = _import_pandas()
    data = pd.DataFrame(data, columns=feature_names)
    if target.ndim == 1:
        target = pd.Series(target, name=target_names[0])
    else:
        target = pd.DataFrame(target, columns=target_names)
    parts = [data]
    if extra_columns:
        parts.append(pd.DataFrame(extra_columns, index=data.index))
    parts.append(target)
    return data, target, pd.concat(parts, axis=1)


def _load_multilabel(name, subset, return_X_y, as_frame):
    """Shared body of the multi-label loaders (see ``load_yeast``)."""
    parts = ("train", "test") if subset == "all" else (subset,)
    tables = [_read_table(f"{name}-{part}.csv.gz") for part in parts]
    columns = tables[0][0]
    if any(other != columns for other, _ in tables[1:]):
        raise ValueError(f"The train and test files of {name} have other columns.")
    values = np.concatenate([table for _, table in tables])

    feature_idx, feature_names = _column_indices(columns, _is_feature)
    label_idx, label_columns = _column_indices(
        columns, lambda column: column.startswith(_LABEL_PREFIX)
    )
    target_names = [column.removeprefix(_LABEL_PREFIX) for column in label_columns]
    # ``take`` returns new arrays: no caller ever sees the cached one.
    data = values.take(feature_idx, axis=1)
    target = values.take(label_idx, axis=1).astype(np.int64)

    frame = None
    if as_frame:
        data, target, frame = _to_frames(data, target, feature_names, target_names)
    if return_X_y:
        return data, target
    return Bunch(
        data=data,
        target=target,
        frame=frame,
        feature_names=feature_names,
        target_names=target_names,
        DESCR=_read_descr(name),
    )


_MULTILABEL_PARAMETERS_DOC = """subset : {"train", "test", "all"}, default="train"
        Which split to load; ``"all"`` is the train rows followed by the test
        rows, each in source order.

    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.

    as_frame : bool, default=False
        If True, ``data`` and ``target`` are pandas DataFrames and ``frame``
        holds both side by side. Requires pandas (the ``frames`` extra)."""

_MULTILABEL_CONSTRAINTS = {
    "subset": [StrOptions({"train", "test", "all"})],
    "return_X_y": ["boolean"],
    "as_frame": ["boolean"],
}


@validate_params(_MULTILABEL_CONSTRAINTS, prefer_skip_nested_validation=True)
@_fill_doc(multilabel_parameters=_MULTILABEL_PARAMETERS_DOC)
def load_yeast(*, subset="train", return_X_y=False, as_frame=False):
    """Load the yeast multi-label data set (14 gene functional classes).

    ==============  ==========================
    Samples         1500 train, 917 test
    Features        103, real
    Tasks (labels)  14, binary
    ==============  ==========================

    Each label is one binary classification task. The train/test split is the
    one published with the data (Mulan repository). See the ``DESCR`` text for
    the source, checksums and citation.

    Parameters
    ----------
    %(multilabel_parameters)s

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with the attributes:

        data : ndarray of shape (n_samples, 103), dtype float64, or DataFrame
            The features.
        target : ndarray of shape (n_samples, 14), dtype int64, or DataFrame
            The labels, 0 or 1; one column per task.
        frame : DataFrame of shape (n_samples, 117) or None
            ``data`` and ``target`` side by side if ``as_frame=True``,
            else None.
        feature_names : list of str
            ``"Att1"`` .. ``"Att103"``.
        target_names : list of str
            ``"Class1"`` .. ``"Class14"``.
        DESCR : str
            Description of the data set.

    (data, target) : tuple if ``return_X_y`` is True
        The ``data`` and ``target`` described above.

    References
    ----------
    .. [1] A. Elisseeff and J. Weston, "A kernel method for multi-labelled
       classification", NIPS 14, MIT Press, 2002.

    Examples
    --------
    >>> from mtlearn.datasets import load_yeast
    >>> X, y = load_yeast(return_X_y=True)
    >>> X.shape, y.shape
    ((1500, 103), (1500, 14))
    >>> load_yeast(subset="all").data.shape
    (2417, 103)
    """
    return _load_multilabel("yeast", subset, return_X_y, as_frame)


@validate_params(_MULTILABEL_CONSTRAINTS, prefer_skip_nested_validation=True)
@_fill_doc(multilabel_parameters=_MULTILABEL_PARAMETERS_DOC)
def load_emotions(*, subset="train", return_X_y=False, as_frame=False):
    """Load the emotions multi-label data set (6 emotions evoked by music).

    ==============  ==========================
    Samples         391 train, 202 test
    Features        72, real
    Tasks (labels)  6, binary
    ==============  ==========================

    Each label is one binary classification task. The train/test split is the
    one published with the data (Mulan repository). See the ``DESCR`` text for
    the source, checksums and citation.

    Parameters
    ----------
    %(multilabel_parameters)s

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with the attributes:

        data : ndarray of shape (n_samples, 72), dtype float64, or DataFrame
            The features (8 rhythmic, 64 timbre).
        target : ndarray of shape (n_samples, 6), dtype int64, or DataFrame
            The labels, 0 or 1; one column per task.
        frame : DataFrame of shape (n_samples, 78) or None
            ``data`` and ``target`` side by side if ``as_frame=True``,
            else None.
        feature_names : list of str
            The feature names of the source.
        target_names : list of str
            ``"amazed-suprised"``, ``"happy-pleased"``, ``"relaxing-calm"``,
            ``"quiet-still"``, ``"sad-lonely"``, ``"angry-aggresive"``
            (spelled as in the source).
        DESCR : str
            Description of the data set.

    (data, target) : tuple if ``return_X_y`` is True
        The ``data`` and ``target`` described above.

    References
    ----------
    .. [1] K. Trohidis, G. Tsoumakas, G. Kalliris and I. Vlahavas,
       "Multi-label classification of music into emotions", ISMIR 2008.

    Examples
    --------
    >>> from mtlearn.datasets import load_emotions
    >>> emotions = load_emotions(subset="test")
    >>> emotions.data.shape, emotions.target.shape
    ((202, 72), (202, 6))
    >>> emotions.target_names[:2]
    ['amazed-suprised', 'happy-pleased']
    """
    return _load_multilabel("emotions", subset, return_X_y, as_frame)


@validate_params(
    {"return_X_y": ["boolean"], "as_frame": ["boolean"], "multitask": ["boolean"]},
    prefer_skip_nested_validation=True,
)
def load_school(*, return_X_y=False, as_frame=False, multitask=True):
    """Load the School data set (exam scores of 15362 students, 139 schools).

    ==============  ==========================
    Samples         15362
    Features        28, integer
    Tasks           139 (schools), regression
    ==============  ==========================

    Each school is one regression task: predict a student's exam score (1 to
    70) from features of the student and of the school. With
    ``multitask=True`` the target follows mtlearn's target contract: one
    column per school, with NaN (a missing label) in the rows of the other
    schools' students, so every row has exactly one observed value.

    The feature columns are unnamed in the source (``f0`` .. ``f27``); their
    meaning, inferred from their statistics, is: ``f0``-``f2`` year of the
    exam (one-hot), ``f3`` % of the school's students eligible for free school
    meals, ``f4`` % of the school's students in verbal reasoning (VR) band 1,
    ``f5``-``f6`` student gender (one-hot), ``f7``-``f9`` student VR band
    (one-hot; 15 rows all zero), ``f10``-``f20`` student ethnic group
    (one-hot), ``f21``-``f23`` school gender (one-hot), ``f24``-``f26`` school
    denomination (one-hot), ``f27`` the constant 1.

    There is no standard train/test split: papers draw random splits within
    each task (e.g. 10%, 20% or 30% of each school's students for training).

    Parameters
    ----------
    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch. The task of
        each row is then lost: with ``multitask=False`` use the Bunch to get
        ``task``.

    as_frame : bool, default=False
        If True, ``data`` is a pandas DataFrame, ``target`` a DataFrame
        (``multitask=True``) or a Series named ``"score"``, and ``frame`` holds
        the features, a ``task`` column and the target side by side. Requires
        pandas (the ``frames`` extra).

    multitask : bool, default=True
        If True, ``target`` has one column per school (NaN outside the
        school's rows); if False, ``target`` is the vector of scores.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with the attributes:

        data : ndarray of shape (15362, 28), dtype float64, or DataFrame
            The features.
        target : ndarray of shape (15362, 139) or (15362,), dtype float64, \
or DataFrame or Series
            The exam scores: one column per school if ``multitask=True``,
            else one vector.
        task : ndarray of shape (15362,), dtype int64
            0-based school index of each row (a NumPy array even if
            ``as_frame=True``).
        frame : DataFrame or None
            Features, ``task`` and target side by side if ``as_frame=True``,
            else None.
        feature_names : list of str
            ``"f0"`` .. ``"f27"``.
        target_names : list of str
            ``"school_1"`` .. ``"school_139"`` if ``multitask=True``, else
            ``["score"]``.
        task_names : list of str
            ``"school_1"`` .. ``"school_139"``: the name of task ``t`` is
            ``task_names[t]``. The number is the 1-based index of the school
            in the MALSAR file, not the original ILEA school number.
        DESCR : str
            Description of the data set.

    (data, target) : tuple if ``return_X_y`` is True
        The ``data`` and ``target`` described above.

    References
    ----------
    .. [1] H. Goldstein, "Multilevel modelling of survey data", The
       Statistician 40(2):235-244, 1991.
    .. [2] T. Evgeniou and M. Pontil, "Regularized multi-task learning",
       KDD 2004.
    .. [3] A. Argyriou, T. Evgeniou and M. Pontil, "Convex multi-task feature
       learning", Machine Learning 73(3):243-272, 2008.

    Examples
    --------
    >>> import numpy as np
    >>> from mtlearn.datasets import load_school
    >>> school = load_school()
    >>> school.data.shape, school.target.shape
    ((15362, 28), (15362, 139))
    >>> observed = ~np.isnan(school.target)
    >>> observed.sum(axis=0)[:3].tolist()  # students of the first three schools
    [200, 91, 95]
    >>> bool(np.all(observed.sum(axis=1) == 1))  # one observed score per row
    True
    >>> X, y = load_school(multitask=False, return_X_y=True)
    >>> y.shape
    (15362,)
    """
    columns, values = _read_table("school.csv.gz")
    feature_idx, feature_names = _column_indices(columns, _is_feature)
    data = values.take(feature_idx, axis=1)
    score = values[:, columns.index(_TARGET_PREFIX + "score")].copy()
    task = values[:, columns.index(_TASK_COLUMN)].astype(np.int64) - 1
    n_tasks = int(task.max()) + 1
    task_names = [f"school_{t + 1}" for t in range(n_tasks)]

    if multitask:
        target = np.full((score.shape[0], n_tasks), np.nan)
        target[np.arange(score.shape[0]), task] = score
        target_names = list(task_names)
    else:
        target = score
        target_names = ["score"]

    frame = None
    if as_frame:
        data, target, frame = _to_frames(
            data, target, feature_names, target_names, {_TASK_COLUMN: task}
        )
    if return_X_y:
        return data, target
    return Bunch(
        data=data,
        target=target,
        task=task,
        frame=frame,
        feature_names=feature_names,
        target_names=target_names,
        task_names=task_names,
        DESCR=_read_descr("school"),
    )
