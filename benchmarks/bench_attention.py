"""Attention between tasks: mixture of experts and adaptive task weighting.

Side by side in one run, over several seeds (mean ± standard deviation, and
the standard error of the paired difference: a margin counts when it exceeds
two standard errors):

1. *Grouped, conflicting tasks.* ``make_multitask_classification`` with 12
   binary tasks in 4 groups of 3 (``n_groups=4``, ``nonlinearity="sine"``:
   related and sharing a non-linear link within a group, independent across
   groups), with ``nonlinear_share=0.5``: half of every task's signal lies
   in its group's own non-linear features, which no linear function of X
   (and no other group) uses, so a representation shared by all groups must
   hold every group's features side by side (with the default link the
   tasks are nearly linear, and every model sits at the labels' noise
   ceiling); split 75/25. ``MixtureOfExpertsClassifier`` (4 experts of 32
   units) against ``SharedRepresentationClassifier`` with a trunk of 128
   units, so that both have about the same number of parameters (printed).
   The score is the mean over the tasks of the test ROC AUC; scikit-learn's
   ``LogisticRegression`` per task is the linear anchor. The mixture's gates
   are summarised by their normalised entropy (1: uniform over the experts)
   and the total-variation distance between the groups' mean gates (0: every
   group uses the experts alike). A labelled variant, the mixture with
   ``gate_temperature=0.25`` (sharper gates), runs beside it. Then
   ``mtlearn.model_selection.transfer_gain`` (3 folds, ROC AUC) of both on
   the first seeds: the gain of each task from being learned with the others
   over the same model fitted to it alone.
2. *All-related tasks.* The same, with ``n_groups=1`` and
   ``relatedness=0.95``: the mixture must not lose where hard sharing is right.
3. *Task weighting, scales.* ``make_multitask_regression`` (6 tasks, sine
   link) whose task ``t`` is multiplied by ``logspace(0, 2)[t]`` (scales 1 to
   100, not rescaled by the user); ``SharedRepresentationRegressor`` with each
   ``task_weighting``; mean per-task test R². The regressor standardises each
   target internally, so ``"equal"`` already sees targets of one scale.
4. *Task weighting, real data.* yeast and emotions (standard splits,
   ``StandardScaler``), ``SharedRepresentationClassifier`` defaults with each
   ``task_weighting``: test micro-F1.
5. *Cost.* Seconds per epoch (fixed epochs, no early stopping, dropout or
   averaging, best of repeats) of a mixture of E experts of width w against
   one trunk of width w (and of width E * w), and of ``"pcgrad"`` and
   ``"gradnorm"`` against ``"equal"`` on the default shared network.

6. *The mixture's regressor* (``--parts regression``, not in the default):
   the grouped and all-related settings of 1 and 2 as regression tasks
   (``make_multitask_regression``, ``noise=0.5``);
   ``MixtureOfExpertsRegressor`` at its default ``alpha`` and at 1e-3, and
   ``SharedRepresentationRegressor`` with the trunk of 1; test mean R².
7. *The mixture on real data* (``--parts real``, not in the default): yeast
   and emotions (standard splits, ``StandardScaler``),
   ``MixtureOfExpertsClassifier`` at its defaults, with
   ``early_stopping=True`` and with ``gate_temperature=0.25``, against
   ``SharedRepresentationClassifier``'s defaults; test micro-F1.

    python benchmarks/bench_attention.py [--seeds 5] [--first-seed 0]
        [--gain-seeds 1] [--quick] [--width-scale 1] [--fixed-epochs 0]
        [--parts grouped,weighting,cost,regression,real] [--json PATH]

``--quick`` runs tiny settings in a few seconds, to check the script.
"""

import argparse
import json
import platform
import time
import warnings
from pathlib import Path

import numpy as np
import sklearn
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, r2_score, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import mtlearn
from mtlearn.datasets import (
    load_emotions,
    load_yeast,
    make_multitask_classification,
    make_multitask_regression,
)
from mtlearn.exceptions import ConstantTaskWarning
from mtlearn.model_selection import transfer_gain
from mtlearn.neural_network import (
    MixtureOfExpertsClassifier,
    MixtureOfExpertsRegressor,
    SharedRepresentationClassifier,
    SharedRepresentationRegressor,
)

STRATEGIES = ("equal", "uncertainty", "dwa", "gradnorm", "pcgrad")

FULL = dict(
    n_samples=4000,
    n_features=20,
    n_informative=10,
    n_tasks=12,
    n_groups=4,
    relatedness=0.8,
    nonlinear_share=0.5,
    # a variant of the mixture, labelled as such: sharper gates (the
    # temperature that helped on a regression probe of the previous session)
    variant_temperatures=(0.25,),
    n_experts=4,
    expert_width=32,
    trunk_width=128,
    max_iter=200,
    scale_samples=3000,
    cost_samples=10000,
    cost_features=100,
    cost_epochs=5,
    cost_repeats=3,
    real_data=("yeast", "emotions"),
    default_hidden=None,  # the shared network's default trunk
)
QUICK = dict(
    FULL,
    n_samples=400,
    n_tasks=4,
    n_groups=2,
    n_experts=2,
    expert_width=8,
    trunk_width=16,
    max_iter=15,
    scale_samples=300,
    cost_samples=500,
    cost_features=20,
    cost_epochs=2,
    cost_repeats=1,
    real_data=("emotions",),
    default_hidden=(32,),
)


def n_parameters(model):
    """Number of trained parameters of a fitted mtlearn network."""
    network = model[-1] if hasattr(model, "steps") else model
    return int(network._network.params.size)


def mean_auc(model, X, Y):
    """Mean over the tasks of the ROC AUC of the positive-class probability."""
    proba = model.predict_proba(X)
    return float(
        np.mean([roc_auc_score(Y[:, t], p[:, -1]) for t, p in enumerate(proba)])
    )


def linear_mean_auc(X_train, Y_train, X_test, Y_test):
    """Mean test ROC AUC of scikit-learn's LogisticRegression, one per task."""
    return float(
        np.mean(
            [
                roc_auc_score(
                    Y_test[:, t],
                    LogisticRegression()
                    .fit(X_train, Y_train[:, t])
                    .decision_function(X_test),
                )
                for t in range(Y_train.shape[1])
            ]
        )
    )


def gate_summary(model, X, groups):
    """Normalised entropy of the gates (mean over rows and tasks; 1 is
    uniform), the mean total-variation distance between the mean gates of
    two groups (0: the groups use the experts alike), and the mean distance
    between two tasks' mean gates over the pairs of tasks within a group
    and across groups."""
    gates = np.stack(model.gate_weights(X))  # (n_tasks, n_samples, n_experts)
    entropy = -np.sum(gates * np.log(np.clip(gates, 1e-12, None)), axis=-1)
    task_means = gates.mean(axis=1)
    distance = 0.5 * np.abs(task_means[:, None] - task_means[None]).sum(axis=-1)
    same = groups[:, None] == groups[None]
    within = distance[same & ~np.eye(len(groups), dtype=bool)]
    across = distance[~same]
    per_group = np.array(
        [model.mean_gate_weights_[groups == g].mean(axis=0) for g in np.unique(groups)]
    )
    pairs = [
        0.5 * np.abs(per_group[a] - per_group[b]).sum()
        for a in range(len(per_group))
        for b in range(a)
    ]
    return {
        "entropy": float(entropy.mean() / np.log(gates.shape[-1])),
        "group_distance": float(np.mean(pairs)) if pairs else 0.0,
        "task_distance_within": float(within.mean()) if within.size else 0.0,
        "task_distance_across": float(across.mean()) if across.size else 0.0,
        "mean_gates_per_group": per_group.tolist(),
    }


def mean_r2(model, X, Y):
    """Mean over the tasks of the R^2 of the predictions."""
    pred = model.predict(X)
    return float(np.mean([r2_score(Y[:, t], pred[:, t]) for t in range(Y.shape[1])]))


def summary(values):
    """Mean, standard deviation and standard error of a list of scores."""
    values = np.asarray(values, dtype=np.float64)
    std = float(values.std(ddof=1)) if values.size > 1 else float("nan")
    return {
        "mean": float(values.mean()),
        "std": std,
        "se": std / np.sqrt(values.size),
        "values": values.tolist(),
    }


def paired(a, b):
    """Summary of the per-seed differences a - b, and whether |mean| > 2 se."""
    diff = summary(np.asarray(a) - np.asarray(b))
    diff["beyond_2se"] = bool(abs(diff["mean"]) > 2 * diff["se"])
    return diff


def fmt(s, digits=4):
    return f"{s['mean']:.{digits}f} ± {s['std']:.{digits}f}"


def fmt_diff(d, digits=4):
    verdict = "beyond 2 se" if d["beyond_2se"] else "within 2 se"
    return (
        f"{d['mean']:+.{digits}f} ± {d['std']:.{digits}f} "
        f"(se {d['se']:.{digits}f}, {verdict})"
    )


def _timed(fn):
    tic = time.perf_counter()
    fn()
    return time.perf_counter() - tic


# -- 1 and 2: mixture of experts against hard sharing -----------------------------


def gated_and_shared(cfg, seed):
    """The two models of comparable size, with the library's other defaults."""
    # --fixed-epochs: that many epochs, no early stopping (a diagnostic)
    training = {"max_iter": cfg["max_iter"]}
    if cfg.get("fixed_epochs"):
        training = {"max_iter": cfg["fixed_epochs"], "early_stopping": False}
    moe = MixtureOfExpertsClassifier(
        n_experts=cfg["n_experts"],
        expert_layer_sizes=(cfg["expert_width"],),
        random_state=seed,
        **training,
    )
    shared = SharedRepresentationClassifier(
        hidden_layer_sizes=(cfg["trunk_width"],),
        random_state=seed,
        **training,
    )
    models = {"mixture of experts": moe, "shared trunk": shared}
    for t in cfg["variant_temperatures"]:
        models[f"mixture, T={t}"] = clone(moe).set_params(gate_temperature=t)
    return models


def grouped_data(cfg, seed, *, n_groups, relatedness):
    """X, Y and the group of each task."""
    return make_multitask_classification(
        n_samples=cfg["n_samples"],
        n_features=cfg["n_features"],
        n_informative=cfg["n_informative"],
        n_tasks=cfg["n_tasks"],
        n_groups=n_groups,
        relatedness=relatedness,
        nonlinearity="sine",
        nonlinear_share=cfg["nonlinear_share"],
        return_groups=True,
        random_state=seed,
    )


def compare_architectures(cfg, seeds, gain_seeds, *, n_groups, relatedness, title):
    names = list(gated_and_shared(cfg, 0))
    mixtures = [name for name in names if name.startswith("mixture")]
    scores = {name: [] for name in names}
    sizes, gains = {}, {name: [] for name in scores}
    linear, gates = [], {name: [] for name in mixtures}
    for seed in seeds:
        X, Y, groups = grouped_data(
            cfg, seed, n_groups=n_groups, relatedness=relatedness
        )
        X_train, X_test, Y_train, Y_test = train_test_split(
            X, Y, test_size=0.25, random_state=seed
        )
        linear.append(linear_mean_auc(X_train, Y_train, X_test, Y_test))
        for name, model in gated_and_shared(cfg, seed).items():
            model.fit(X_train, Y_train)
            scores[name].append(mean_auc(model, X_test, Y_test))
            sizes[name] = n_parameters(model)
            if name in mixtures:
                gates[name].append(gate_summary(model, X_test, groups))
            if seed in gain_seeds:
                gain = transfer_gain(
                    clone(model), X, Y, cv=3, scoring="roc_auc", random_state=seed
                )
                gains[name].append(np.asarray(gain.gain, dtype=np.float64))
    result = {
        "setup": {
            "n_groups": n_groups,
            "relatedness": relatedness,
            "nonlinear_share": cfg["nonlinear_share"],
        },
        "n_parameters": sizes,
        "test_mean_auc": {name: summary(s) for name, s in scores.items()},
        "linear_anchor_auc": summary(linear),
        "difference_moe_minus_shared": paired(
            scores["mixture of experts"], scores["shared trunk"]
        ),
        "variants_minus_shared": {
            name: paired(scores[name], scores["shared trunk"]) for name in mixtures[1:]
        },
        "gates": {
            name: {
                "entropy": summary([g["entropy"] for g in per_seed]),
                **{
                    key: summary([g[key] for g in per_seed])
                    for key in (
                        "group_distance",
                        "task_distance_within",
                        "task_distance_across",
                    )
                },
                "per_seed": per_seed,
            }
            for name, per_seed in gates.items()
        },
    }
    print(f"\n{title}")
    print(f"{'model':<22}{'parameters':>11}   test mean AUC (mean ± std)")
    for name in scores:
        print(f"{name:<22}{sizes[name]:>11}   {fmt(result['test_mean_auc'][name])}")
    print(f"{'LogisticRegression':<22}{'':>11}   {fmt(result['linear_anchor_auc'])}")
    print(f"mixture - shared: {fmt_diff(result['difference_moe_minus_shared'])}")
    for name, diff in result["variants_minus_shared"].items():
        print(f"{name} - shared: {fmt_diff(diff)}")
    print(
        "gates: normalised entropy (1 = uniform); total-variation distance "
        "between the groups' mean gates (0 = alike); between two tasks' mean "
        "gates, within a group / across groups"
    )
    for name, summary_ in result["gates"].items():
        print(
            f"  {name:<20}{fmt(summary_['entropy'], 3)}; "
            f"{fmt(summary_['group_distance'], 3)}; "
            f"{fmt(summary_['task_distance_within'], 3)} / "
            f"{fmt(summary_['task_distance_across'], 3)}"
        )
    if gain_seeds:
        result["transfer_gain"] = {}
        print(
            f"transfer_gain (3-fold ROC AUC, seeds {sorted(gain_seeds)}): mean "
            "over tasks [min, max]; tasks with negative gain"
        )
        for name, per_seed in gains.items():
            gain = np.mean(per_seed, axis=0)  # per task, averaged over seeds
            result["transfer_gain"][name] = {
                "per_task": gain.tolist(),
                "mean": float(gain.mean()),
                "n_negative": int(np.sum(gain < 0)),
            }
            print(
                f"  {name:<20}{gain.mean():+.4f} [{gain.min():+.4f}, "
                f"{gain.max():+.4f}]; {int(np.sum(gain < 0))} of {gain.size} tasks"
            )
    return result


# -- 3 and 4: task weighting ---------------------------------------------------------


def mixture_regressor(cfg, seeds):
    """The mixture's regressor at its default ``alpha`` (1e-2) and at the
    shared regressor's (1e-3), and the shared regressor of its size, on
    grouped and all-related regression tasks (the classification parts'
    settings, ``noise=0.5``): test mean R^2."""
    settings = {
        "4 groups": dict(n_groups=cfg["n_groups"], relatedness=cfg["relatedness"]),
        "one group": dict(n_groups=1, relatedness=0.95),
    }
    result = {}
    print("\n6. Regression, the mixture's alpha: test mean R^2 (mean ± std)")
    for setting, structure in settings.items():
        scores = {"mixture, alpha=1e-2": [], "mixture, alpha=1e-3": [], "shared": []}
        for seed in seeds:
            X, Y = make_multitask_regression(
                n_samples=cfg["n_samples"],
                n_features=cfg["n_features"],
                n_informative=cfg["n_informative"],
                n_tasks=cfg["n_tasks"],
                nonlinearity="sine",
                nonlinear_share=cfg["nonlinear_share"],
                noise=0.5,
                random_state=seed,
                **structure,
            )
            X_train, X_test, Y_train, Y_test = train_test_split(
                X, Y, test_size=0.25, random_state=seed
            )
            mixture = MixtureOfExpertsRegressor(
                n_experts=cfg["n_experts"],
                expert_layer_sizes=(cfg["expert_width"],),
                max_iter=cfg["max_iter"],
                random_state=seed,
            )
            models = {
                "mixture, alpha=1e-2": mixture,
                "mixture, alpha=1e-3": clone(mixture).set_params(alpha=1e-3),
                "shared": SharedRepresentationRegressor(
                    hidden_layer_sizes=(cfg["trunk_width"],),
                    max_iter=cfg["max_iter"],
                    random_state=seed,
                ),
            }
            for name, model in models.items():
                model.fit(X_train, Y_train)
                scores[name].append(mean_r2(model, X_test, Y_test))
        result[setting] = {
            "test_mean_r2": {name: summary(v) for name, v in scores.items()},
            "alpha_1e-2_minus_1e-3": paired(
                scores["mixture, alpha=1e-2"], scores["mixture, alpha=1e-3"]
            ),
            "mixture_minus_shared": paired(
                scores["mixture, alpha=1e-2"], scores["shared"]
            ),
        }
        print(f"  {setting}:")
        for name, summary_ in result[setting]["test_mean_r2"].items():
            print(f"    {name:<22}{fmt(summary_)}")
        print(
            "    alpha 1e-2 - 1e-3: "
            f"{fmt_diff(result[setting]['alpha_1e-2_minus_1e-3'])}; mixture - "
            f"shared: {fmt_diff(result[setting]['mixture_minus_shared'])}"
        )
    return result


def standard_split(name):
    """X_train, Y_train, X_test, Y_test of a real set's standard split."""
    loader = {"yeast": load_yeast, "emotions": load_emotions}[name]
    return (
        *loader(subset="train", return_X_y=True),
        *loader(subset="test", return_X_y=True),
    )


def mixture_on_real_data(cfg, seeds, name):
    """The mixture at its defaults, with ``early_stopping=True`` and with
    ``gate_temperature=0.25``, against the shared network's defaults, on a
    real set's standard split: test micro-F1."""
    X_train, Y_train, X_test, Y_test = standard_split(name)
    variants = {
        "mixture (defaults)": {},
        "mixture, early_stopping=True": {"early_stopping": True},
        "mixture, T=0.25": {"gate_temperature": 0.25},
    }
    scores = {name_: [] for name_ in ["shared network", *variants]}
    for seed in seeds:
        models = {"shared network": SharedRepresentationClassifier(random_state=seed)}
        for variant, params in variants.items():
            models[variant] = MixtureOfExpertsClassifier(random_state=seed, **params)
        for model_name, network in models.items():
            if cfg["default_hidden"] is not None:
                network.set_params(max_iter=cfg["max_iter"])
            model = make_pipeline(StandardScaler(), network).fit(X_train, Y_train)
            scores[model_name].append(
                float(f1_score(Y_test, model.predict(X_test), average="micro"))
            )
    result = {
        "score": {model_name: summary(v) for model_name, v in scores.items()},
        "minus_mixture_defaults": {
            model_name: paired(v, scores["mixture (defaults)"])
            for model_name, v in scores.items()
            if model_name != "mixture (defaults)"
        },
    }
    print(f"\n7. The mixture on {name} (standard split): test micro-F1")
    for model_name, summary_ in result["score"].items():
        line = f"  {model_name:<30}{fmt(summary_)}"
        if model_name in result["minus_mixture_defaults"]:
            diff = result["minus_mixture_defaults"][model_name]
            line += f"   minus the mixture's defaults: {fmt_diff(diff)}"
        print(line)
    return result


def weighting_on_scales(cfg, seeds):
    n_tasks = 6
    scales = np.logspace(0, 2, n_tasks)
    scores = {s: [] for s in STRATEGIES}
    for seed in seeds:
        X, Y = make_multitask_regression(
            n_samples=cfg["scale_samples"],
            n_features=cfg["n_features"],
            n_informative=cfg["n_informative"],
            n_tasks=n_tasks,
            relatedness=0.5,
            nonlinearity="sine",
            noise=1.0,
            random_state=seed,
        )
        Y = Y * scales
        X_train, X_test, Y_train, Y_test = train_test_split(
            X, Y, test_size=0.25, random_state=seed
        )
        for strategy in STRATEGIES:
            model = SharedRepresentationRegressor(
                max_iter=cfg["max_iter"], task_weighting=strategy, random_state=seed
            )
            if cfg["default_hidden"] is not None:
                model.set_params(hidden_layer_sizes=cfg["default_hidden"])
            model.fit(X_train, Y_train)
            scores[strategy].append(mean_r2(model, X_test, Y_test))
    return report_strategies(
        scores,
        "Task weighting, regression targets of scales 1 to 100 (x"
        f"{np.round(scales, 1).tolist()}): test mean per-task R^2",
        extra={"scales": scales.tolist()},
    )


def weighting_on_real_data(cfg, seeds, name):
    X_train, Y_train, X_test, Y_test = standard_split(name)
    scores = {s: [] for s in STRATEGIES}
    for seed in seeds:
        for strategy in STRATEGIES:
            network = SharedRepresentationClassifier(
                task_weighting=strategy, random_state=seed
            )
            if cfg["default_hidden"] is not None:
                network.set_params(
                    hidden_layer_sizes=cfg["default_hidden"], max_iter=cfg["max_iter"]
                )
            model = make_pipeline(StandardScaler(), network).fit(X_train, Y_train)
            scores[strategy].append(
                float(f1_score(Y_test, model.predict(X_test), average="micro"))
            )
    return report_strategies(
        scores, f"Task weighting on {name} (standard split): test micro-F1"
    )


def report_strategies(scores, title, extra=None):
    result = {"score": {s: summary(v) for s, v in scores.items()}}
    result["difference_vs_equal"] = {
        s: paired(v, scores["equal"]) for s, v in scores.items() if s != "equal"
    }
    result.update(extra or {})
    print(f"\n{title}")
    print(f"{'task_weighting':<16}{'score (mean ± std)':>22}   minus 'equal'")
    for s in STRATEGIES:
        diff = result["difference_vs_equal"].get(s)
        print(
            f"{s:<16}{fmt(result['score'][s]):>22}   "
            + (fmt_diff(diff) if diff else "")
        )
    return result


# -- 5: cost ---------------------------------------------------------------------------


def seconds_per_epoch(model, X, Y, repeats):
    """Best over repeats of the fit time divided by the epochs run."""
    best = min(_timed(lambda: model.fit(X, Y)) for _ in range(repeats))
    return best / model.n_iter_


def cost(cfg):
    X, Y = make_multitask_classification(
        n_samples=cfg["cost_samples"],
        n_features=cfg["cost_features"],
        n_informative=10,
        n_tasks=10,
        random_state=0,
    )
    fixed = dict(
        max_iter=cfg["cost_epochs"],
        tol=0.0,
        n_iter_no_change=10 * cfg["cost_epochs"],
        early_stopping=False,
        dropout=0.0,
        average=False,
        random_state=0,
    )
    E, w = cfg["n_experts"], 4 * cfg["expert_width"]
    models = {
        f"shared trunk, width {w}": SharedRepresentationClassifier(
            hidden_layer_sizes=(w,), **fixed
        ),
        f"shared trunk, width {E * w}": SharedRepresentationClassifier(
            hidden_layer_sizes=(E * w,), **fixed
        ),
        f"mixture, {E} experts of width {w}": MixtureOfExpertsClassifier(
            n_experts=E, expert_layer_sizes=(w,), **fixed
        ),
    }
    for strategy in STRATEGIES:
        models[f"shared default, {strategy}"] = SharedRepresentationClassifier(
            task_weighting=strategy, **fixed
        )
        if cfg["default_hidden"] is not None:
            models[f"shared default, {strategy}"].set_params(
                hidden_layer_sizes=cfg["default_hidden"]
            )
    seconds = {
        name: seconds_per_epoch(model, X, Y, cfg["cost_repeats"])
        for name, model in models.items()
    }
    trunk = seconds[f"shared trunk, width {w}"]
    equal = seconds["shared default, equal"]
    ratios = {
        "mixture / trunk of width w": seconds[f"mixture, {E} experts of width {w}"]
        / trunk,
        "trunk of width E*w / trunk of width w": seconds[f"shared trunk, width {E * w}"]
        / trunk,
        **{
            f"{s} / equal": seconds[f"shared default, {s}"] / equal
            for s in STRATEGIES
            if s != "equal"
        },
    }
    print(
        f"\nCost: seconds per epoch, {cfg['cost_samples']} x {cfg['cost_features']}, "
        f"10 binary tasks, best of {cfg['cost_repeats']} fits of "
        f"{cfg['cost_epochs']} epochs (shared machine: noisy)"
    )
    for name, s in seconds.items():
        print(f"  {name:<36}{s:>9.4f}")
    for name, r in ratios.items():
        print(f"  {name:<36}{r:>9.2f}")
    return {"seconds_per_epoch": seconds, "ratios": ratios, "E": E, "w": w}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument(
        "--gain-seeds",
        type=int,
        default=1,
        help="seeds (the first ones) on which transfer_gain is computed",
    )
    parser.add_argument(
        "--first-seed",
        type=int,
        default=0,
        help="seeds first-seed .. first-seed + seeds - 1 (a held-out set of "
        "seeds for a setting chosen on others)",
    )
    parser.add_argument("--quick", action="store_true", help="tiny settings")
    parser.add_argument(
        "--fixed-epochs",
        type=int,
        default=0,
        help="parts 1 and 2: train every network this many epochs without "
        "early stopping (0: the library's early stopping)",
    )
    parser.add_argument(
        "--width-scale",
        type=float,
        default=1.0,
        help="multiply the experts' and the trunk's widths of parts 1, 2 and 6 "
        "(both models keep about the same number of parameters as each other)",
    )
    parser.add_argument(
        "--parts",
        default="grouped,weighting,cost",
        help="comma-separated parts to run: grouped (1, 2), weighting (3, 4), "
        "cost (5), regression (6), real (7); 6 and 7 are not in the default",
    )
    parser.add_argument(
        "--json", default=str(Path(__file__).parent / "results" / "attention.json")
    )
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore", ConvergenceWarning)
    warnings.simplefilter("ignore", ConstantTaskWarning)
    cfg = dict(QUICK if args.quick else FULL)
    for key in ("expert_width", "trunk_width"):
        cfg[key] = max(1, round(cfg[key] * args.width_scale))
    cfg["fixed_epochs"] = args.fixed_epochs
    first = args.first_seed
    seeds = list(range(first, first + (2 if args.quick else args.seeds)))
    gain_seeds = set(seeds[: args.gain_seeds])
    tic = time.perf_counter()

    print(
        f"{cfg['n_samples']} rows x {cfg['n_features']} features, {cfg['n_tasks']} "
        f"binary tasks, sine link (nonlinear_share={cfg['nonlinear_share']}); "
        f"seeds {seeds}; mixture: {cfg['n_experts']} "
        f"experts of {cfg['expert_width']} units; shared: a trunk of "
        f"{cfg['trunk_width']}; both otherwise at the library's defaults, "
        f"max_iter={cfg['max_iter']}"
    )
    parts = set(args.parts.split(","))
    unknown = parts - {"grouped", "weighting", "cost", "regression", "real"}
    if unknown:
        parser.error(f"unknown parts {sorted(unknown)}")
    report = {"config": {k: v for k, v in cfg.items()}, "seeds": seeds}
    if "grouped" in parts:
        report["grouped"] = compare_architectures(
            cfg,
            seeds,
            gain_seeds,
            n_groups=cfg["n_groups"],
            relatedness=cfg["relatedness"],
            title=f"1. {cfg['n_groups']} groups of "
            f"{cfg['n_tasks'] // cfg['n_groups']} tasks (relatedness "
            f"{cfg['relatedness']} within a group, independent across)",
        )
        report["all_related"] = compare_architectures(
            cfg,
            seeds,
            set(),
            n_groups=1,
            relatedness=0.95,
            title="2. One group, relatedness 0.95",
        )
    if "weighting" in parts:
        report["weighting_scales"] = weighting_on_scales(cfg, seeds)
        report["weighting_real"] = {
            name: weighting_on_real_data(cfg, seeds, name) for name in cfg["real_data"]
        }
    if "cost" in parts:
        report["cost"] = cost(cfg)
    if "regression" in parts:
        report["regression"] = mixture_regressor(cfg, seeds)
    if "real" in parts:
        report["mixture_real"] = {
            name: mixture_on_real_data(cfg, seeds, name) for name in cfg["real_data"]
        }
    report["seconds"] = time.perf_counter() - tic
    report["versions"] = {
        "mtlearn": mtlearn.__version__,
        "sklearn": sklearn.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
    }
    print(f"\ntotal {report['seconds']:.0f} s")
    path = Path(args.json)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2))
    print(f"saved {path}")


if __name__ == "__main__":
    main()
