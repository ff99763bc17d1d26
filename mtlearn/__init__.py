"""mtlearn: multi-task learning on tabular data with the scikit-learn API."""

__version__ = "0.1.0.dev0"

__all__ = ["__version__"]
