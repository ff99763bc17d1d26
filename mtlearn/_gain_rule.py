"""The rule that keeps a choice tuned out of fold only when it beats its noise.

Shared by :class:`~mtlearn.model_selection.MultiTaskThresholdClassifier`
(tuned thresholds against 0.5) and the ensembles' selection (the selected
candidates against the best single member).
"""

import numpy as np


def gain_rule(gains, n_standard_errors):
    """Mean and standard error of the per-fold gains, and whether they pass.

    ``gains`` holds one out-of-fold gain per fold (NaN for a fold that holds
    no evidence). The tuned choice is kept when the mean gain exceeds
    ``n_standard_errors`` standard errors of the gains (``std(ddof=1) /
    sqrt(n)``); fewer than two folds with a gain give no spread: the rule
    abstains. ``n_standard_errors=None`` keeps the tuned choice.
    """
    gains = gains[np.isfinite(gains)]
    if gains.size < 2:
        return np.nan, np.nan, n_standard_errors is None
    mean = float(gains.mean())
    se = float(gains.std(ddof=1) / np.sqrt(gains.size))
    keep = n_standard_errors is None or mean > n_standard_errors * se
    return mean, se, keep
