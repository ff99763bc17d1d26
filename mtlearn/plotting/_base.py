"""Helpers shared by the displays: the lazy matplotlib import and axes set-up.

matplotlib is an optional dependency of mtlearn: nothing here imports it at
module level, so ``import mtlearn.plotting`` works without it, and every
display asks for it only when it is about to compute or draw.
"""

import numpy as np


def check_matplotlib(caller):
    """Import matplotlib, or say how to install it.

    Parameters
    ----------
    caller : str
        Name of the function or method that needs matplotlib, for the message.

    Raises
    ------
    ImportError
        When matplotlib cannot be imported.
    """
    try:
        import matplotlib  # noqa: F401
    except ImportError as exc:
        raise ImportError(
            f"{caller} requires matplotlib, which is not installed. Install it "
            "with `pip install matplotlib`, or install mtlearn with its plot "
            "extra: `pip install mtlearn[plot]`."
        ) from exc


def new_axes(ax, caller, figsize=None):
    """Return ``(ax, figure, outside)``: the given axes, or new ones.

    New axes come from :func:`matplotlib.pyplot.subplots` (so they show in
    notebooks and with ``plt.show()``), with a constrained layout that makes
    room for a legend right of the axes. ``outside`` says whether the legend
    may go there: when the axes are alone in a figure with a constrained
    layout, as the new ones are.
    """
    check_matplotlib(caller)
    if ax is None:
        import matplotlib.pyplot as plt

        figure, ax = plt.subplots(figsize=figsize, layout="constrained")
    else:
        figure = ax.figure
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    outside = len(figure.axes) == 1 and isinstance(
        figure.get_layout_engine(), ConstrainedLayoutEngine
    )
    return ax, figure, outside


def add_legend(ax, handles, outside):
    """Legend of ``handles``: right of the axes when ``outside``, else inside."""
    if outside:
        return ax.figure.legend(
            handles=handles, loc="outside right upper", fontsize="small"
        )
    return ax.legend(handles=handles, loc="best", fontsize="small")


def task_names_or_default(task_names, n_tasks):
    """Task names as a list of str: the given ones, or ``task 0``, ``task 1``..."""
    if task_names is None:
        return [f"task {t}" for t in range(n_tasks)]
    names = [str(name) for name in task_names]
    if len(names) != n_tasks:
        raise ValueError(
            f"task_names has {len(names)} entries but there are {n_tasks} tasks."
        )
    return names


def select_tasks(tasks, task_names):
    """Indices of the tasks chosen by ``tasks`` (indices or names; None: all)."""
    n_tasks = len(task_names)
    if tasks is None:
        return list(range(n_tasks))
    if isinstance(tasks, (str, int, np.integer)):
        tasks = [tasks]
    indices = []
    for task in tasks:
        if isinstance(task, (int, np.integer)) and not isinstance(task, bool):
            if not -n_tasks <= task < n_tasks:
                raise ValueError(
                    f"task index {task} is out of range: there are {n_tasks} tasks."
                )
            indices.append(int(task) % n_tasks)
        elif str(task) in task_names:
            indices.append(task_names.index(str(task)))
        else:
            raise ValueError(
                f"unknown task {task!r}; choose indices below {n_tasks} or "
                f"names from {task_names}."
            )
    if not indices:
        raise ValueError("tasks is empty: select at least one task.")
    return indices


def task_colors(n_tasks):
    """One distinct colour per task: the default cycle, tab20 beyond ten."""
    import matplotlib as mpl

    if n_tasks <= 10:
        return [f"C{t}" for t in range(n_tasks)]
    cmap = mpl.colormaps["tab20"]
    return [cmap(t % 20) for t in range(n_tasks)]
