"""The argument parser of ``python -m mtlearn`` and the ``compare`` run."""

import argparse
import json
import sys
from pathlib import Path

from mtlearn import __version__

from .data import _BUNDLED, _load_bundled, _load_csv
from .errors import _InputError
from .models import _GROUPS, _MODELS, _STRONGEST, _evaluate, _make_pipeline
from .progress import _Progress
from .report import _best, _format_table, _report, _summary


def _comma_list(text):
    names = [name.strip() for name in text.split(",")]
    if not all(names):
        raise argparse.ArgumentTypeError(
            f"expected names separated by commas, got {text!r}"
        )
    return names


def _model_names(text):
    """The model names of ``--models``, a group name standing for its models."""
    names = []
    valid = [model.name for model in _MODELS]
    for name in _comma_list(text):
        if name in _GROUPS:
            names += _GROUPS[name]
        elif name in valid:
            names.append(name)
        else:
            raise argparse.ArgumentTypeError(
                f"unknown model {name!r} (choose from {', '.join(valid)}, or a "
                f"group: {', '.join(_GROUPS)})"
            )
    return names


def _test_size(text):
    try:
        value = float(text)
    except ValueError:
        value = None
    if value is None or not 0 < value < 1:
        raise argparse.ArgumentTypeError(
            f"must be a number strictly between 0 and 1, got {text!r}"
        )
    return value


def _seed(text):
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or not 0 <= value < 2**31:
        raise argparse.ArgumentTypeError(
            f"must be an integer from 0 to {2**31 - 1}, got {text!r}"
        )
    return value


def _label_prefix(text):
    if not text:
        raise argparse.ArgumentTypeError("must not be empty")
    return text


def _models_epilog():
    """The list of models at the end of ``compare --help``, by group."""
    width = max(len(model.name) for model in _MODELS)
    lines = []
    for group in ("mtlearn", "sklearn"):
        lines.append(f"{group} models (--models {group}):")
        lines += [
            f"  {model.name.ljust(width)}  {model.description}"
            for model in _MODELS
            if model.group == group
        ]
        lines.append("")
    lines += [
        f"{_STRONGEST} fits dozens of models (weights and thresholds are both",
        "chosen by cross-validation): minutes where the others take seconds.",
    ]
    lines.append(
        "* a label with one class in the training part is predicted as that class"
    )
    return "\n".join(lines)


def _build_parser():
    """Return the top-level parser and the ``compare`` subparser."""
    parser = argparse.ArgumentParser(
        prog="python -m mtlearn",
        description="mtlearn: multi-task learning on tabular data.",
    )
    parser.add_argument("--version", action="version", version=f"mtlearn {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    compare = commands.add_parser(
        "compare",
        help="compare mtlearn with scikit-learn on a multi-label data set",
        description=(
            "Fit mtlearn's and scikit-learn's multi-label classifiers, each\n"
            "behind a StandardScaler, on the training part of a data set; print\n"
            "their test-set metrics and fit times. The table goes to stdout, the\n"
            "progress to stderr.\n"
            "\n"
            "A label with one class only in the training part (a rare label, or\n"
            "one that never varies) is fitted as a constant by every model, which\n"
            "then predicts that class for it: mtlearn's models do it themselves\n"
            "(with a ConstantTaskWarning), random-forest, mlp and knn fit it\n"
            "natively, and the models marked * wrap each LogisticRegression so\n"
            "that it predicts the one class seen instead of failing, as a\n"
            "MultiOutputClassifier user would have to. A note on stderr names\n"
            "such labels."
        ),
        epilog=_models_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    source = compare.add_mutually_exclusive_group()
    source.add_argument(
        "--dataset",
        choices=list(_BUNDLED),
        help="bundled data set, with its standard train/test split (default: yeast)",
    )
    source.add_argument(
        "--data",
        metavar="FILE.csv",
        help="your own CSV file (or .csv.gz) with a header row: the label "
        "columns, and numeric features in every other column",
    )
    label_choice = compare.add_mutually_exclusive_group()
    label_choice.add_argument(
        "--labels",
        type=_comma_list,
        metavar="COL,COL,...",
        help="with --data: the label columns (0/1, or two values each; a "
        "column of one value is a constant label)",
    )
    label_choice.add_argument(
        "--label-prefix",
        type=_label_prefix,
        metavar="PREFIX",
        help="with --data: the label columns are those whose name starts "
        "with PREFIX (e.g. 'label:'), which is removed from the label names",
    )
    compare.add_argument(
        "--test-size",
        type=_test_size,
        metavar="FRACTION",
        help="with --data: fraction of the rows held out for testing, at "
        "random (default: 0.25)",
    )
    compare.add_argument(
        "--models",
        type=_model_names,
        metavar="NAME,NAME,...",
        help="models to compare, or groups of them: mtlearn, sklearn, all "
        "(default: all, listed below)",
    )
    compare.add_argument(
        "--seed",
        type=_seed,
        default=0,
        help="seed of the models and of the --data split (default: %(default)s)",
    )
    compare.add_argument(
        "--json", metavar="PATH", help="also save the results as JSON to PATH"
    )
    compare.add_argument(
        "--plot",
        metavar="PATH",
        help="also draw the metrics of each model (needs matplotlib) to PATH, "
        "in the format of its extension: .png, .pdf, .svg... (PNG if none)",
    )
    return parser, compare


def _check_compare_args(args, compare):
    """Reject option combinations that argparse cannot express."""
    if args.data is None:
        for option, value in [
            ("--labels", args.labels),
            ("--label-prefix", args.label_prefix),
            ("--test-size", args.test_size),
        ]:
            if value is not None:
                compare.error(
                    f"{option} applies only with --data (bundled data sets come "
                    "with their labels and their standard split)"
                )
    elif args.labels is None and args.label_prefix is None:
        compare.error("--data needs --labels COL,COL,... or --label-prefix PREFIX")
    if args.json is not None:
        _check_output_path("--json", args.json, compare)
    if args.plot is not None:
        _check_plot_path(args.plot, compare)


def _check_output_path(option, path, compare):
    """Reject an output path whose folder is missing or that is a folder."""
    folder = Path(path).parent
    if not folder.is_dir():
        compare.error(f"{option}: folder {str(folder)!r} does not exist")
    try:
        is_folder = Path(path).is_dir()
    except OSError:  # e.g. a name too long: writing it reports that
        is_folder = False
    if is_folder:
        compare.error(f"{option}: {path!r} is a folder, not a file name")


def _check_plot_path(path, compare):
    """Reject a ``--plot`` path that cannot be drawn to, before any fit."""
    _check_output_path("--plot", path, compare)
    try:
        from matplotlib.figure import Figure
    except ImportError:
        compare.error(
            "--plot needs matplotlib: pip install matplotlib, or mtlearn[plot]"
        )
    formats = Figure().canvas.get_supported_filetypes()
    if _plot_format(path) not in formats:
        compare.error(
            f"--plot: cannot draw to a {Path(path).suffix!r} file (choose from "
            f"{', '.join('.' + name for name in sorted(formats))})"
        )


def _plot_format(path):
    """File format of ``--plot PATH``: its extension, PNG when it has none."""
    return Path(path).suffix[1:].lower() or "png"


def _save_plot(report, path):
    """Draw each model's test-set metrics (a ``TaskScoreDisplay``) to ``path``.

    A figure made without pyplot: no global backend is chosen or changed.
    """
    from matplotlib.figure import Figure

    from mtlearn.plotting import TaskScoreDisplay

    figure = Figure(
        figsize=(4.0 + 1.2 * len(report["models"]), 4.8), layout="constrained"
    )
    TaskScoreDisplay.from_compare_results(report, ax=figure.subplots())
    try:
        figure.savefig(path, format=_plot_format(path))
    except OSError as exc:
        raise _InputError(f"cannot write {path}: {exc.strerror or exc}") from None


def _compare(args):
    """Run ``compare`` on parsed arguments; return the exit status."""
    if args.data is None:
        data = _load_bundled(args.dataset or "yeast")
    else:
        test_size = 0.25 if args.test_size is None else args.test_size
        data = _load_csv(
            args.data, args.labels, args.label_prefix, test_size, args.seed
        )
    chosen = set(args.models or [model.name for model in _MODELS])
    models = [model for model in _MODELS if model.name in chosen]
    # Build every pipeline first: a model that cannot be made fails now, not
    # after the others have been fitted.
    pipelines = [_make_pipeline(model, args.seed) for model in models]

    with _Progress(len(models), sys.stderr) as progress:
        results = []
        for index, (model, pipeline) in enumerate(
            zip(models, pipelines, strict=True), 1
        ):
            progress.start(index, model.name)
            results.append(_evaluate(model, pipeline, data))
        total_seconds = progress.elapsed()
    for result in results:
        for message in result["warnings"]:
            print(
                f"warning: {result['name']}: {message.splitlines()[0]}",
                file=sys.stderr,
            )

    best = _best(results)
    print(_summary(data, args.seed))
    print()
    print(_format_table(results, best))
    report = _report(data, args.seed, results, best, total_seconds)
    if args.json is not None:
        try:
            with open(args.json, "w", encoding="utf-8") as file:
                json.dump(report, file, indent=2)
                file.write("\n")
        except OSError as exc:
            raise _InputError(
                f"cannot write {args.json}: {exc.strerror or exc}"
            ) from None
    if args.plot is not None:
        _save_plot(report, args.plot)
    return 0


def main(argv=None):
    """Run the ``python -m mtlearn`` command line.

    Parameters
    ----------
    argv : list of str or None, default=None
        The arguments after ``python -m mtlearn``; None reads ``sys.argv``.

    Returns
    -------
    status : int
        0 on success; 2 when no command is given (the help is printed on
        stderr); 130 when interrupted.

    Raises
    ------
    SystemExit
        For ``--help`` and ``--version`` (status 0) and for bad arguments or
        data (status 2, with a one-line message on stderr).
    """
    parser, compare = _build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    _check_compare_args(args, compare)
    try:
        return _compare(args)
    except _InputError as exc:
        compare.exit(2, f"{compare.prog}: error: {exc}\n")
    except KeyboardInterrupt:
        print(f"\n{compare.prog}: interrupted", file=sys.stderr)
        return 130
