"""Task graphs: tasks as nodes, related tasks joined by weighted edges.

A task graph is a symmetric, non-negative ``(n_tasks, n_tasks)`` float64
array with a zero diagonal; ``graph[s, t]`` says how strongly tasks ``s`` and
``t`` are related. The functions here estimate one from the targets
(missing-aware correlation or co-occurrence, shrunk when the tasks share few
rows) or from per-task coefficients, sparsify it (k nearest tasks,
threshold), normalise it, and cluster the tasks along it. The linear models
call :func:`estimate_task_graph` for a string ``task_graph``.
"""

from ._cluster import task_clusters
from ._estimate import (
    TASK_GRAPH_RULES,
    estimate_task_graph,
    graph_from_coefficients,
    graph_from_targets,
)
from ._graph import normalize, sparsify

__all__ = [
    "TASK_GRAPH_RULES",
    "estimate_task_graph",
    "graph_from_coefficients",
    "graph_from_targets",
    "normalize",
    "sparsify",
    "task_clusters",
]
