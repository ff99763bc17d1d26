"""The command line: ``python -m mtlearn compare``.

``compare`` fits mtlearn's and scikit-learn's models on the training part of a
multi-label data set, predicts the test part and prints one table of
multi-label metrics and fit times; ``--json`` saves the same results,
``--plot`` draws them.

One module per concern, in the order the command uses them:

- ``models``: the model registry ``_MODELS``, one ``_Model(name, description,
  factory)`` entry per model, where ``factory(seed)`` returns an unfitted
  estimator that goes behind the same ``StandardScaler`` in a ``Pipeline``;
  the private wrappers it needs; the fit and scoring of one model;
- ``data``: a bundled data set with its published split, or a user's CSV file
  split at random;
- ``progress``: ``_Progress``, the progress report on stderr;
- ``report``: the best model of each column, the text table and the results
  that ``--json`` saves;
- ``main``: the argument parser and the run.

The table's metric columns are the library's,
``mtlearn.metrics._multilabel_columns``, which ``mtlearn.plotting`` draws too:
the library never imports this package.
"""
