"""Displays for multi-task models, in the style of scikit-learn's displays.

Each display stores what it draws and has a ``plot(ax=None, ...)`` method that
draws it and keeps the artists (``ax_``, ``figure_``, ...); class methods
(``from_estimator``, ``from_predictions``, ...) compute the values, then plot.

matplotlib is optional: it is imported when a display computes or draws, and
its absence is an ``ImportError`` that says how to install it.
"""

from ._gate_weights import GateWeightDisplay
from ._loss_curves import TaskLossCurveDisplay
from ._task_correlation import TaskCorrelationDisplay
from ._task_graph import TaskGraphDisplay
from ._task_scores import TaskScoreDisplay
from ._task_weights import TaskWeightCurveDisplay

__all__ = [
    "GateWeightDisplay",
    "TaskCorrelationDisplay",
    "TaskGraphDisplay",
    "TaskLossCurveDisplay",
    "TaskScoreDisplay",
    "TaskWeightCurveDisplay",
]
