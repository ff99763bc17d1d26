"""Warnings and errors of mtlearn that users may want to filter or catch."""

__all__ = ["ConstantTaskWarning"]


class ConstantTaskWarning(UserWarning):
    """A classification task has one class only among its observed labels.

    Normal for rare labels (a label with no positive example in a training
    split, or in a cross-validation fold). The task is fitted as a constant
    that predicts its one class with probability 1; the warning names the
    tasks, once per fit. Silence it with::

        import warnings
        from mtlearn.exceptions import ConstantTaskWarning
        warnings.filterwarnings("ignore", category=ConstantTaskWarning)
    """
