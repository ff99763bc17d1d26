"""Ensembles across tasks: members combined per task by vote, mean or stacking."""

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import (
    ClassifierMixin,
    RegressorMixin,
    TransformerMixin,
    _fit_context,
    clone,
    is_classifier,
    is_regressor,
)
from sklearn.dummy import DummyClassifier
from sklearn.model_selection import KFold
from sklearn.utils import Bunch, check_random_state, get_tags
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.metaestimators import _BaseComposition, available_if
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import _check_feature_names_in, check_is_fitted

from .._gain_rule import gain_rule
from .._mixins import (
    MultiTaskClassifierMixin,
    MultiTaskRegressorMixin,
    accepts_missing_labels,
)
from .._targets import (
    check_targets,
    decode_labels,
    record_tasks,
    task_label,
    warn_constant_tasks,
)
from .._validation import check_cv_folds, validate_X
from ._base import (
    SCORINGS,
    FitJob,
    align_columns,
    candidate_score,
    check_finite_output,
    combine,
    constant_output,
    cross_fit,
    f1_counts,
    fit_member,
    fold_tasks,
    is_joint,
    member_outputs,
    micro_f1,
    nnls_weights,
    one_hot,
    select_micro_f1,
    skill,
    stack_features,
)

#: Names of the combinations among the candidates of the selection.
_COMBINATIONS = ("average", "weights", "stacking")


def _seeded(estimator, seed):
    """Set every ``*random_state`` parameter left at None to ``seed``."""
    if seed is None:
        return estimator
    unset = {
        key: seed
        for key, value in estimator.get_params(deep=True).items()
        if key.endswith("random_state") and value is None
    }
    return estimator.set_params(**unset)


class _BaseMultiTaskEnsemble(TransformerMixin, _BaseComposition):
    """Fitting, weighting and stacking shared by the classifier and regressor.

    Subclasses set ``_target_kind`` and define ``_output_kind`` ("soft",
    "hard" or "regression") and the prediction methods.
    """

    # members with missing labels are fitted on each task's observed rows
    _accepts_missing_labels = True

    _parameter_constraints = {
        "estimators": [list],
        "weights": [StrOptions({"cv"}), "array-like", None],
        "final_estimator": [HasMethods("fit"), None],
        "cv": ["cv_object"],
        "selection": ["boolean"],
        "n_standard_errors": [Interval(Real, 0, None, closed="left"), None],
        "n_jobs": [Integral, None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def get_params(self, deep=True):
        """Parameters of the ensemble and, with ``deep``, of its members.

        Parameters
        ----------
        deep : bool, default=True
            Also return each member as ``name`` and its parameters as
            ``name__param``.

        Returns
        -------
        params : dict
            Parameter names mapped to their values.
        """
        return self._get_params("estimators", deep=deep)

    def set_params(self, **params):
        """Set parameters of the ensemble or of its members (``name__param``).

        Parameters
        ----------
        **params : keyword arguments
            Ensemble parameters, members by name, or member parameters.

        Returns
        -------
        self : object
            The ensemble.
        """
        self._set_params("estimators", **params)
        return self

    # -- validation ------------------------------------------------------------
    def _validate_estimators(self):
        if len(self.estimators) == 0:
            raise ValueError(
                "estimators must be a non-empty list of (name, estimator)."
            )
        try:
            names, members = zip(*self.estimators)
        except (TypeError, ValueError):
            raise ValueError(
                "estimators must be a list of (name, estimator) tuples."
            ) from None
        self._validate_names(names)
        reserved = set(names) & set(_COMBINATIONS)
        if self.selection and reserved:
            raise ValueError(
                f"Member name {sorted(reserved)[0]!r} is reserved: with "
                "selection=True it names a combination in selected_ and "
                f"cv_results_ ({', '.join(_COMBINATIONS)}); rename the member."
            )
        self._check_estimators_are_instances(members)
        is_kind, kind = (
            (is_classifier, "classifier")
            if self._target_kind == "classification"
            else (is_regressor, "regressor")
        )
        for name, member in self.estimators:
            if not hasattr(member, "fit"):
                raise TypeError(
                    f"Member {name!r} ({type(member).__name__}) has no fit method."
                )
            if not is_kind(member):
                raise TypeError(
                    f"Member {name!r} ({type(member).__name__}) is not a {kind}, "
                    f"and {type(self).__name__} combines {kind}s only (a "
                    f"Pipeline must end in a {kind}; a custom estimator "
                    f"declares it with scikit-learn's {kind.capitalize()}Mixin)."
                )
            if self._output_kind == "soft" and not hasattr(member, "predict_proba"):
                raise ValueError(
                    f"Member {name!r} ({type(member).__name__}) has no "
                    "predict_proba, which voting='soft' needs: use "
                    "voting='hard' or a member that predicts probabilities."
                )
        if self.final_estimator is not None and not is_kind(self.final_estimator):
            raise TypeError(
                f"final_estimator ({type(self.final_estimator).__name__}) is not "
                f"a {kind}; {type(self).__name__} stacks with a {kind}."
            )
        return list(names), list(members)

    def _weight_matrix(self, n_members, n_tasks):
        shape = (n_members, n_tasks)
        if self.weights is None or (
            isinstance(self.weights, str) and self.weights == "cv"
        ):
            return np.full(shape, 1.0 / n_members)
        try:
            weights = np.asarray(self.weights, dtype=np.float64)
        except (TypeError, ValueError):
            raise ValueError(
                "weights must be numbers (an array-like of shape (n_estimators,) "
                f"or (n_estimators, n_tasks)), 'cv' or None; got {self.weights!r}."
            ) from None
        if weights.shape == (n_members,):
            weights = np.repeat(weights[:, None], n_tasks, axis=1)
        if weights.shape != shape:
            raise ValueError(
                f"weights must have shape (n_estimators,) = ({n_members},) or "
                f"(n_estimators, n_tasks) = {shape}, got shape "
                f"{np.shape(self.weights)}."
            )
        if not np.all(np.isfinite(weights)) or np.any(weights < 0):
            raise ValueError(
                f"weights must be finite and non-negative, got {self.weights!r}."
            )
        totals = weights.sum(axis=0)
        for t in np.flatnonzero(totals == 0):
            raise ValueError(
                f"weights are all zero for {task_label(t, self._task_names())}."
            )
        return weights / totals

    def _task_names(self):
        return getattr(self, "task_names_", None)

    # -- fitting -----------------------------------------------------------------
    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y):
        """Fit every member (and, if needed, the cross-validation fits).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.
        y : array-like of shape (n_samples,) or (n_samples, n_tasks)
            Targets; NaN, None or pd.NA mark a missing label, which no member
            ever sees: single-task fits skip the row, multi-task members that
            take missing labels get it as NaN.

        Returns
        -------
        self : object
            The fitted ensemble.
        """
        names, members = self._validate_estimators()
        for stale in (
            "cv_skills_",
            "final_estimators_",
            "cv_results_",
            "oof_outputs_",
            "oof_fold_",
        ):
            if hasattr(self, stale):
                delattr(self, stale)
        X = validate_X(
            self,
            X,
            reset=True,
            accept_sparse="csr",
            ensure_all_finite=not self.__sklearn_tags__().input_tags.allow_nan,
        )
        n_given = X.shape[0]
        targets = check_targets(y, kind=self._target_kind, n_samples=n_given)
        warn_constant_tasks(targets, stacklevel=4)
        # a row without any label carries nothing: it must not sway the fit
        # (whether a member is fitted jointly, the folds)
        rows = targets.labelled_rows
        if rows.size < n_given:
            X, targets = X[rows], targets.take(rows)
        self._setup_targets(targets)
        self._constant = targets.constant
        mask = targets.mask
        y_fit = np.where(mask, targets.values, np.nan)
        weights = self._weight_matrix(len(members), self.n_tasks_)

        rng = check_random_state(self.random_state)
        fold_seed = rng.randint(np.iinfo(np.int32).max)
        seeds = [
            None if self.random_state is None else rng.randint(np.iinfo(np.int32).max)
            for _ in members
        ]
        joint = [is_joint(member, mask, self._constant.size) for member in members]
        need_oof = self.final_estimator is not None or (
            isinstance(self.weights, str) and self.weights == "cv"
        )
        folds = self._folds(X, targets, fold_seed, n_given, rows) if need_oof else []
        takes_constants = [accepts_missing_labels(member) for member in members]
        jobs, fold_constants = self._jobs(joint, takes_constants, y_fit, mask, folds)

        results = Parallel(n_jobs=self.n_jobs, verbose=self.verbose)(
            delayed(fit_member)(
                _seeded(clone(members[job.member]), seeds[job.member]),
                X,
                y_fit,
                mask,
                job,
                self._output_kind,
                self._n_classes,
                names[job.member],
                self._task_names(),
            )
            for job in jobs
        )

        fitted, oof, available = self._collect(jobs, results, len(members), X.shape[0])
        # tasks constant in a fold's training rows: the ensemble predicts them
        for test, constant in fold_constants:
            for t, code in constant.items():
                out = constant_output(test.size, code, self._output_widths[t])
                for member_oof in oof:
                    member_oof[t][test] = out
                available[:, test, t] = True
        self.estimators_ = fitted
        self.named_estimators_ = Bunch(**dict(zip(names, fitted)))
        self._joint = joint

        scored = mask & available.all(axis=0)
        if isinstance(self.weights, str) and self.weights == "cv":
            weights, self.cv_skills_ = self._cv_weights(oof, scored, targets)
        self.weights_ = weights

        if self.final_estimator is not None:
            self.final_estimators_ = self._fit_final(oof, scored, targets, seeds)
        self.selected_ = np.full(self.n_tasks_, self._requested(), dtype=object)
        if need_oof and self.selection:
            fold_id = np.full(X.shape[0], -1)
            for k, (_, test) in enumerate(folds):
                fold_id[test] = k
            self.cv_results_ = self._select(
                names, oof, scored, targets, fold_id, seeds[0]
            )
            # on the rows given to fit: a row without labels has no output
            self.oof_fold_ = np.full(n_given, -1)
            self.oof_fold_[rows] = fold_id
            for t, output in enumerate(self.oof_outputs_):
                given = np.full((n_given, output.shape[1]), np.nan)
                given[rows] = output
                self.oof_outputs_[t] = given
        self._stacked = self.selected_ == "stacking"
        return self

    def _requested(self):
        """The combination the parameters ask for, without selection."""
        if self.final_estimator is not None:
            return "stacking"
        return "average" if self.weights is None else "weights"

    def _select(self, names, oof, scored, targets, fold_id, seed):
        """Per task, the best candidate by cross-fitted out-of-fold score.

        Sets ``selected_`` and the selected columns of ``weights_``; returns
        ``cv_results_``.
        """
        candidates = [*names, "average"]
        if self.weights is not None:
            candidates.append("weights")
        if self.final_estimator is not None:
            candidates.append("stacking")
        scoring = self.scoring or SCORINGS[self._target_kind][0]
        n_members, n_candidates = len(names), len(candidates)
        n_folds = max(int(fold_id.max()) + 1, 1)
        scores = np.full((n_candidates, self.n_tasks_), np.nan)
        split_scores = np.full((n_folds, n_candidates, self.n_tasks_), np.nan)
        # micro-F1 is over all tasks: (tp, fp, fn) counts, chosen jointly
        joint = scoring == "micro_f1"
        counts = np.full((n_candidates, self.n_tasks_, 3), np.nan)
        fold_counts = np.full((n_folds, *counts.shape), np.nan)
        final = (
            None
            if self.final_estimator is None
            else _seeded(clone(self.final_estimator), seed)
        )
        trials = {}  # per task: its scored rows and every candidate's output
        for t in range(self.n_tasks_):
            rows = scored[:, t]
            if t in self._constant or not rows.any():
                continue
            outputs = [member[t][rows] for member in oof]
            truth, fold = targets.values[rows, t], fold_id[rows]
            width = self._output_widths[t]
            trial = [*outputs, combine(outputs, np.full(n_members, 1 / n_members))]
            if isinstance(self.weights, str):
                trial.append(cross_fit(fold, self._nnls_fit_predict(outputs, truth)))
            elif self.weights is not None:
                trial.append(combine(outputs, self.weights_[:, t]))
            if final is not None:
                fit_predict = self._final_fit_predict(final, outputs, truth, width)
                trial.append(cross_fit(fold, fit_predict))
            trials[t] = rows, trial
            # a fold's R^2 over the task's variance in all folds
            spread = np.var(truth) if scoring == "r2" else None
            for c, output in enumerate(trial):
                if output is None:  # one fold: a fitted combination is unscored
                    continue
                if joint:
                    counts[c, t] = f1_counts(output, truth, width)
                else:
                    scores[c, t] = candidate_score(output, truth, scoring, width)
                for k in np.unique(fold):
                    here = fold == k
                    if joint:
                        fold_counts[k, c, t] = f1_counts(
                            output[here], truth[here], width
                        )
                    else:
                        split_scores[k, c, t] = candidate_score(
                            output[here], truth[here], scoring, width, spread
                        )
        unscored = (
            np.isnan(counts).all(axis=(0, 2)) if joint else np.isnan(scores).all(axis=0)
        )
        scorable = np.flatnonzero(~unscored)
        if joint:
            best = np.full(self.n_tasks_, -1)
            best[scorable] = select_micro_f1(counts[:, scorable])
            baseline, gain, procedure = self._joint_gain(
                counts, fold_counts, best, scorable
            )
            scores = _switched_micro_f1(counts, best, scorable)
            split_scores = np.stack(
                [_switched_micro_f1(part, best, scorable) for part in fold_counts]
            )
        ranked = np.where(np.isnan(scores), -np.inf, scores)
        if not joint:
            best = np.argmax(ranked, axis=0)  # ties: the first
            baseline, gain, procedure = self._task_gains(split_scores, best, scorable)
        for t in scorable:
            self.selected_[t] = candidates[best[t]]
            if best[t] < n_members:
                self.weights_[:, t] = np.eye(n_members)[best[t]]
            elif candidates[best[t]] == "average":
                self.weights_[:, t] = 1.0 / n_members
        self.oof_outputs_ = self._selected_outputs(trials, best, scorable, len(fold_id))
        rank = 1 + np.argsort(np.argsort(-ranked, axis=0, kind="stable"), axis=0)
        with warnings.catch_warnings():  # a task without scores: NaN spread
            warnings.simplefilter("ignore", RuntimeWarning)
            std = np.nanstd(split_scores, axis=0)
        return {
            "candidate": np.asarray(candidates, dtype=object),
            "scoring": scoring,
            "score": scores,
            "std_score": std,
            "split_scores": split_scores,
            "rank": rank,
            "baseline": candidates[baseline] if baseline >= 0 else None,
            "gain": gain[0],
            "gain_se": gain[1],
            "selection_gain": procedure[0],
            "selection_gain_se": procedure[1],
        }

    def _best_member(self, pooled):
        """The member (not a combination) with the best pooled score."""
        n_members = len(self.estimators)
        members = np.where(np.isnan(pooled[:n_members]), -np.inf, pooled[:n_members])
        return int(np.argmax(members))

    def _joint_gain(self, counts, fold_counts, best, scorable):
        """micro_f1 selection: the cross-fitted gain of the joint selection
        over the best single member on all tasks, per fold (the selection
        made on the other folds' counts, scored on the fold's); where it does
        not pass the gain rule, every task falls back to that member
        (``best`` changed in place). Returns the member, (mean, standard
        error) of the gain per task (the same for all), and that pair."""
        n_folds = fold_counts.shape[0]
        gain = np.full((2, self.n_tasks_), np.nan)
        if scorable.size == 0:
            return -1, gain, (np.nan, np.nan)
        filled = np.nan_to_num(counts[:, scorable])
        baseline = self._best_member(micro_f1(filled.sum(axis=1)))
        if np.all(best[scorable] == baseline):
            return baseline, gain, (np.nan, np.nan)
        part = np.nan_to_num(fold_counts[:, :, scorable])
        gains = np.full(n_folds, np.nan)
        for k in range(n_folds):
            if not part[k].any():
                continue
            other = np.where(np.isnan(counts[:, scorable]), np.nan, filled - part[k])
            choice = select_micro_f1(other)
            chosen = part[k][choice, np.arange(scorable.size)].sum(axis=0)
            gains[k] = micro_f1(chosen) - micro_f1(part[k][baseline].sum(axis=0))
        mean, se, keep = gain_rule(gains, self.n_standard_errors)
        gain[:, scorable] = np.array([[mean], [se]])
        if not keep:
            best[scorable] = baseline
        return baseline, gain, (mean, se)

    def _task_gains(self, split_scores, best, scorable):
        """Per-task selection under the gain rule, in two steps (``best``
        changed in place).

        1. Per task: its cross-fitted gain over the best single member (the
           candidate best on the other folds' mean score, minus that member,
           on each fold); a task whose gain does not pass the rule takes the
           member.
        2. The whole procedure, cross-fitted: on each fold, step 1 run on
           the other folds alone chooses each task's candidate, scored on
           the fold against the member and averaged over the tasks; if that
           gain does not pass the rule, every task takes the member. With
           many small tasks step 1 alone keeps noise on about one task in
           six (at one standard error); step 2 measures what the kept
           selections are worth on folds they were not chosen on.

        Returns the member, (mean, standard error) of each task's gain, and
        those of the procedure's.
        """
        gain = np.full((2, self.n_tasks_), np.nan)
        if scorable.size == 0:
            return -1, gain, (np.nan, np.nan)
        with warnings.catch_warnings():  # a candidate without scores: NaN
            warnings.simplefilter("ignore", RuntimeWarning)
            pooled = np.nanmean(split_scores[:, :, scorable], axis=(0, 2))
        baseline = self._best_member(pooled)
        for t in scorable:
            if best[t] == baseline:
                continue
            mean, se, keep = self._task_rule(split_scores[:, :, t], baseline)
            gain[:, t] = mean, se
            if not keep:
                best[t] = baseline
        procedure = (np.nan, np.nan)
        if np.any(best[scorable] != baseline):
            gains = self._procedure_gains(split_scores[:, :, scorable], baseline)
            mean, se, keep = gain_rule(gains, self.n_standard_errors)
            procedure = (mean, se)
            if not keep:
                best[scorable] = baseline
        return baseline, gain, procedure

    def _task_rule(self, scores, baseline):
        """The gain rule on one task's scores (n_folds, n_candidates): the
        mean and standard error of its cross-fitted gains over
        ``baseline``, and whether they pass."""
        return gain_rule(_cross_fitted_gains(scores, baseline), self.n_standard_errors)

    def _procedure_gains(self, scores, baseline):
        """Per fold, the mean over the tasks (columns of ``scores``, of
        shape (n_folds, n_candidates, n_tasks)) of the score of the
        candidate the per-task rule keeps on the other folds, minus the
        member's (0 where it keeps the member); NaN for a fold without a
        scored task."""
        n_folds, _, n_tasks = scores.shape
        gains = np.full(n_folds, np.nan)
        for k in range(n_folds):
            others = np.delete(scores, k, axis=0)
            per_task = []
            for j in range(n_tasks):
                choice = _best_on_mean(others[:, :, j])
                if choice is None or np.isnan(scores[k, baseline, j]):
                    continue
                if (
                    choice != baseline
                    and not self._task_rule(others[:, :, j], baseline)[2]
                ):
                    choice = baseline
                per_task.append(scores[k, choice, j] - scores[k, baseline, j])
            per_task = np.asarray(per_task, dtype=np.float64)
            per_task = per_task[np.isfinite(per_task)]
            if per_task.size:
                gains[k] = per_task.mean()
        return gains

    def _selected_outputs(self, trials, best, scorable, n_rows):
        """Per task, the selected candidate's out-of-fold outputs on the
        fitted rows (NaN where it has none)."""
        outputs = [
            np.full((n_rows, self._output_widths[t]), np.nan)
            for t in range(self.n_tasks_)
        ]
        for t in scorable:
            rows, trial = trials[t]
            if trial[best[t]] is not None:
                outputs[t][rows] = trial[best[t]]
        return outputs

    def _nnls_fit_predict(self, outputs, truth):
        kind, width = self._kind, outputs[0].shape[1]

        def fit_predict(train, test):
            train_outputs = [out[train] for out in outputs]
            weights = nnls_weights(train_outputs, truth[train], kind, width)
            return combine([out[test] for out in outputs], weights)

        return fit_predict

    def _final_fit_predict(self, final, outputs, truth, width):
        kind = self._target_kind
        features = stack_features(outputs, self._kind)
        target = truth.astype(np.intp) if kind == "classification" else truth

        def fit_predict(train, test):
            estimator = _final_for(final, target[train], kind)
            estimator.fit(features[train], target[train])
            if kind == "regression":
                return np.asarray(estimator.predict(features[test])).reshape(-1, 1)
            if hasattr(estimator, "predict_proba"):
                proba = estimator.predict_proba(features[test])
                return align_columns(proba, estimator.classes_, width)
            return one_hot(np.asarray(estimator.predict(features[test])), width)

        return fit_predict

    def _collect(self, jobs, results, n_members, n_samples):
        """Fitted members, and out-of-fold outputs with where they exist."""
        fitted = [[None] * self.n_tasks_ for _ in range(n_members)]
        oof = [
            [np.zeros((n_samples, k)) for k in self._output_widths]
            for _ in range(n_members)
        ]
        available = np.zeros((n_members, n_samples, self.n_tasks_), dtype=bool)
        for job, (estimator, outputs) in zip(jobs, results):
            if job.test is None:
                if job.joint:
                    fitted[job.member] = estimator
                else:
                    fitted[job.member][job.tasks[0]] = estimator
                continue
            for t, out in zip(job.tasks, outputs):
                oof[job.member][t][job.test] = out
                available[job.member, job.test, t] = True
        return fitted, oof, available

    def _cv_weights(self, oof, scored, targets):
        """Per task, NNLS weights and each member's skill, out of fold."""
        n_members = len(oof)
        weights = np.full((n_members, self.n_tasks_), 1.0 / n_members)
        skills = np.full((n_members, self.n_tasks_), np.nan)
        for t in range(self.n_tasks_):
            rows = scored[:, t]
            if not rows.any() or t in self._constant:
                continue
            outputs = [member[t][rows] for member in oof]
            truth = targets.values[rows, t]
            width = self._output_widths[t]
            weights[:, t] = nnls_weights(outputs, truth, self._kind, width)
            skills[:, t] = [skill(out, truth, self._kind, width) for out in outputs]
        return weights, skills

    def _setup_targets(self, targets):
        record_tasks(self, targets)

    def _folds(self, X, targets, seed, n_given, rows):
        """Folds of the labelled rows; ``rows`` of the ``n_given`` in X."""
        if not isinstance(self.cv, Integral) and not hasattr(self.cv, "split"):
            # an iterable of folds indexes the rows as given: read as such
            return check_cv_folds(self.cv, n_given, rows=rows)
        n_samples = X.shape[0]
        if isinstance(self.cv, Integral):
            if self.cv > n_samples:
                raise ValueError(
                    f"cv={self.cv} folds need at least {self.cv} samples, X "
                    f"has n_samples={n_samples} (with a label); lower cv "
                    "(weights='cv' and final_estimator use it)."
                )
            splitter = KFold(n_splits=self.cv, shuffle=True, random_state=seed)
        else:
            splitter = self.cv
        if targets.n_tasks == 1:
            y_split = targets.values[:, 0]
        else:  # for multi-label splitters; missing labels as NaN
            y_split = np.where(targets.mask, targets.values, np.nan)
        return check_cv_folds(splitter.split(X, y_split), n_samples)

    def _jobs(self, joint, takes_constants, y, mask, folds):
        """Final fits first, then the cross-validation fits, as one flat list.

        Also returns, per fold, its test rows and the tasks constant in its
        training rows (task -> class code), whose out-of-fold output the
        ensemble sets itself. A multi-task member that fits constant tasks
        (``takes_constants``) gets them in its fold fits too, as in its
        final fit; other members never see a constant task.
        """
        n_samples, n_tasks = mask.shape
        all_rows = np.arange(n_samples)
        classification = self._target_kind == "classification"
        varying = [t for t in range(n_tasks) if t not in self._constant]
        jobs = []
        for m, is_joint_member in enumerate(joint):
            if is_joint_member:
                jobs.append(FitJob(m, tuple(range(n_tasks)), True, all_rows))
            else:
                jobs += [FitJob(m, (t,), False, all_rows) for t in varying]
        fold_constants = []
        for train, test in folds:
            tasks, constant = fold_tasks(y, mask, train, test, varying, classification)
            fold_constants.append((test, constant))
            for m, is_joint_member in enumerate(joint):
                joint_tasks = tasks
                if takes_constants[m]:
                    joint_tasks = tuple(sorted((*tasks, *constant)))
                if is_joint_member and len(joint_tasks) > 1 and tasks:
                    jobs.append(FitJob(m, joint_tasks, True, train, test))
                else:
                    jobs += [FitJob(m, (t,), False, train, test) for t in tasks]
        return jobs, fold_constants

    def _fit_final(self, oof, scored, targets, seeds):
        """One clone of ``final_estimator`` per task, on out-of-fold outputs."""
        jobs = []
        for t in range(self.n_tasks_):
            rows = scored[:, t]
            if t in self._constant:
                jobs.append(None)
                continue
            if not rows.any():
                raise ValueError(
                    f"{task_label(t, self._task_names())}: no cross-validation "
                    "fold could be fitted and scored (each fold's training rows "
                    "need observed labels of at least two classes, its test "
                    "rows one observed label), so its final estimator has "
                    "nothing to learn from; lower cv."
                )
            features = stack_features([member[t][rows] for member in oof], self._kind)
            target = targets.values[rows, t]
            if self._target_kind == "classification":
                target = target.astype(np.intp)
            jobs.append((features, target))
        final = _seeded(clone(self.final_estimator), seeds[0])
        fitted = Parallel(n_jobs=self.n_jobs, verbose=self.verbose)(
            delayed(_fit_final_estimator)(
                _final_for(final, job[1], self._target_kind),
                *job,
                task_label(t, self._task_names()),
            )
            for t, job in enumerate(jobs)
            if job is not None
        )
        it = iter(fitted)
        return [None if job is None else next(it) for job in jobs]

    # -- prediction ----------------------------------------------------------------
    @property
    def _kind(self):
        return self._output_kind

    def _outputs(self, X):
        """Per member, per task: the member's output on X."""
        check_is_fitted(self)
        X = validate_X(
            self,
            X,
            accept_sparse="csr",
            reset=False,
            ensure_all_finite=not self.__sklearn_tags__().input_tags.allow_nan,
        )
        tasks = tuple(range(self.n_tasks_))
        widths = self._output_widths
        n = X.shape[0]
        outputs = []
        names = list(self.named_estimators_)
        for name, fitted, joint in zip(names, self.estimators_, self._joint):
            if joint:
                member = member_outputs(fitted, X, tasks, self._kind, widths, name)
            else:
                member = [
                    None
                    if est is None
                    else member_outputs(est, X, (t,), self._kind, widths, name)[0]
                    for t, est in enumerate(fitted)
                ]
            # a constant task is predicted by the ensemble, whatever the member
            for t in self._constant:
                member[t] = constant_output(n, 0, 1)
            outputs.append(member)
        return outputs

    def _final_features(self, outputs, t):
        return stack_features([member[t] for member in outputs], self._kind)

    def _final_output(self, final, method, outputs, t):
        """``final``'s ``method`` on task ``t``'s stacked outputs, finite."""
        features = self._final_features(outputs, t)
        values = np.asarray(getattr(final, method)(features))
        if method == "predict_proba" or self._target_kind == "regression":
            what = "probabilities" if method == "predict_proba" else "predictions"
            check_finite_output(values.astype(np.float64), None, what, features)
        return values

    def transform(self, X):
        """The members' outputs for each task, side by side.

        Columns come task by task, and within a task member by member (in
        the order of ``estimators``). A member contributes, for a regression
        task, its prediction (one column); for a classification task, its
        probabilities of ``classes_[t]`` under soft voting, or one-hot
        indicators of its predicted class under hard voting — one column
        (the second class) for a binary task, ``n_classes_t`` columns for a
        multiclass task, and one column of ones (the probability of its one
        class) for a constant task. These are the inputs of the final
        estimators; :meth:`get_feature_names_out` names them, so that
        ``set_output(transform="pandas")`` gives a DataFrame.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        outputs : ndarray of shape (n_samples, n_output_columns)
            The members' outputs.
        """
        outputs = self._outputs(X)
        return np.hstack(
            [self._final_features(outputs, t) for t in range(self.n_tasks_)]
        )

    def get_feature_names_out(self, input_features=None):
        """Names of the columns of :meth:`transform`.

        ``"{member}__{task}"`` for a regression task and
        ``"{member}__{task}_{class}"`` for a class of a classification task
        (the second class of a binary task, every class of a multiclass or
        constant task), where ``member`` is the member's name in
        ``estimators`` and ``task`` the task's name in ``task_names_``, or
        ``task0``, ``task1``... when y had none; e.g. ``"lr__task0_1"``.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Only checked against the features seen in fit: the output
            columns do not depend on them.

        Returns
        -------
        feature_names_out : ndarray of str objects
            One name per column of :meth:`transform`.
        """
        check_is_fitted(self)
        _check_feature_names_in(self, input_features, generate_names=False)
        members = list(self.named_estimators_)
        names = []
        for t in range(self.n_tasks_):
            task = f"task{t}" if self._task_names() is None else self.task_names_[t]
            suffixes = self._column_suffixes(t)
            names += [f"{m}__{task}{suffix}" for m in members for suffix in suffixes]
        return np.asarray(names, dtype=object)

    def _column_suffixes(self, t):
        """Per :meth:`transform` column of task ``t`` (for one member): suffix."""
        if self._target_kind == "regression":
            return [""]
        classes = self._task_classes()[t]
        shown = classes[1:] if len(classes) == 2 else classes
        return [f"_{label}" for label in shown]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        try:
            member_tags = [get_tags(member) for _, member in self.estimators]
        except (TypeError, ValueError):
            return tags
        tags.input_tags.allow_nan = all(m.input_tags.allow_nan for m in member_tags)
        tags.input_tags.sparse = all(m.input_tags.sparse for m in member_tags)
        return tags


def _cross_fitted_gains(scores, baseline):
    """One task's scores of shape (n_folds, n_candidates): per fold, the
    score of the candidate best on the other folds' mean minus the
    ``baseline`` candidate's (NaN where a fold holds no evidence)."""
    n_folds = scores.shape[0]
    gains = np.full(n_folds, np.nan)
    for k in range(n_folds):
        choice = _best_on_mean(np.delete(scores, k, axis=0))
        if choice is not None:
            gains[k] = scores[k, choice] - scores[k, baseline]
    return gains


def _best_on_mean(scores):
    """The candidate (column of ``scores``, of shape (n_folds,
    n_candidates)) with the best mean score over the folds, NaN ignored;
    None if no candidate has a score."""
    with warnings.catch_warnings():  # a candidate without scores: NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = np.nanmean(scores, axis=0)
    return None if np.isnan(mean).all() else int(np.nanargmax(mean))


def _switched_micro_f1(counts, choice, tasks):
    """Micro-F1 over ``tasks`` with task ``t`` switched to candidate ``c``
    and the others at ``choice``: (n_candidates, n_tasks), NaN elsewhere."""
    scores = np.full(counts.shape[:2], np.nan)
    if tasks.size == 0:
        return scores
    chosen = np.nan_to_num(counts[choice[tasks], tasks])
    total = chosen.sum(axis=0)
    for i, t in enumerate(tasks):
        scores[:, t] = micro_f1(total - chosen[i] + counts[:, t])
    return scores


def _final_for(final, target, kind):
    """The final estimator of one task: ``final``, or a constant if it must be.

    A classification target of one class (the task's other classes only in
    rows without an out-of-fold output) cannot train a classifier such as
    ``LogisticRegression``: the task's final estimator is then a
    ``DummyClassifier`` that predicts that class.
    """
    if kind == "classification" and np.unique(target).size < 2:
        return DummyClassifier(strategy="prior")
    return clone(final)


def _fit_final_estimator(estimator, features, target, where):
    try:
        return estimator.fit(features, target)
    except Exception as exc:
        raise ValueError(
            f"The final estimator failed to fit on {where}: {type(exc).__name__}: {exc}"
        ) from exc


_SHARED_PARAMETERS_DOC = """
    final_estimator : estimator, default=None
        Stacking: a clone of it is fitted per task on the members' out-of-fold
        outputs for that task (see ``transform`` for the columns) and makes
        the task's prediction. With ``selection`` it is one more candidate:
        with ``weights="cv"`` too, each task keeps the members, their
        average, the weights or the stacking, whichever the selection
        prefers (``selected_``); without selection the weights are then
        unused. None combines the members by their weights.
    cv : int, cross-validation generator or iterable, default=5
        Folds for the out-of-fold outputs that ``weights="cv"`` and
        ``final_estimator`` need: an int is that many shuffled ``KFold``
        folds over the rows (seeded by ``random_state``), shared by all
        tasks; an iterable gives (train, test) pairs of row indices (or
        boolean masks) of X as given. Rows whose labels are all missing are
        dropped before anything else (whatever ``cv``, they do not change
        the fit): splitters split the other rows, and an iterable's folds
        lose them (a fold left with an empty part is skipped). A fold is
        skipped for a task when its training rows hold no observed label of
        the task or its test rows none; rows of a task without an out-of-fold
        output are left out of that task's weights and final estimator. When
        a fold's training rows hold one class of a task, the members are not
        fitted on it there and their out-of-fold output is that class with
        probability 1.
    selection : bool, default=True
        With out-of-fold outputs (``weights="cv"`` or ``final_estimator``),
        keep per task the best of the candidates below by out-of-fold score,
        so that the ensemble does not lose, out of fold, to any of its
        members nor to their plain average (a discrete Super Learner over
        the combinations). False keeps the combination asked for.
    scoring : str, default=None
        The selection's criterion per task, higher is better (see
        ``cv_results_``). Classifier: ``"neg_brier_score"`` (None: the
        squared error that ``weights="cv"`` minimises), ``"neg_log_loss"``,
        ``"accuracy"``, ``"f1"`` (of the second class for a binary task,
        macro for a multiclass one) or ``"micro_f1"`` (F1 of the predicted
        labels micro-averaged over all tasks, the multi-label measure: the
        tasks' candidates are then chosen jointly, by coordinate ascent on
        the out-of-fold micro-F1 from each task's best alone). Regressor:
        ``"r2"`` (None) or ``"neg_mean_squared_error"``, which rank the
        candidates of a task alike.
    n_standard_errors : float >= 0 or None, default=1.0
        The selection's gain rule: a selection other than the best single
        member (the member with the best out-of-fold score over all tasks)
        is kept only if its cross-fitted gain over that member (the
        selection made on the other folds, scored on each fold) exceeds this
        many standard errors of the per-fold gains; otherwise the member is
        used. Per task, then for the whole selection: on each fold, the
        per-task rule run on the other folds alone, scored on the fold; if
        that gain does not pass, every task takes the member (with many
        small tasks the per-task rule alone, at one standard error, keeps
        noise on about one task in six: on School it put the ensemble
        regressor below its network; with two folds the second step's
        per-task rule sees one fold and keeps nothing, so the member is
        used: take ``cv`` >= 3 for a selection). With ``"micro_f1"`` the
        tasks are selected and tested jointly. The same rule as
        :class:`~mtlearn.model_selection.MultiTaskThresholdClassifier`'s:
        on small data a selection among several candidates per task picks
        noise, and then loses to the best member on new data (measured:
        ``benchmarks/bench_ensemble.py``). None keeps the selection always.
    n_jobs : int, default=None
        Number of joblib workers. Every fit — each member on each task (or
        on all tasks at once), each cross-validation fit — is one joblib
        task in a single ``Parallel`` call, so any joblib backend (loky,
        threading, dask, ray) spreads them. None means 1 unless in a
        ``joblib.parallel_config`` context; -1 means all processors.
    random_state : int, RandomState instance or None, default=None
        Seeds the shuffling of the ``cv`` folds and, when not None, every
        member parameter ending in ``random_state`` that is left at None
        (one seed per member, the same for all its fits), so that fits are
        reproducible on any backend.
    verbose : int, default=0
        Verbosity of ``joblib.Parallel``.
"""

_SHARED_ATTRIBUTES_DOC = """
    estimators_ : list
        One entry per member, in the order of ``estimators``: the fitted
        member when it was fitted once on all tasks, else a list of
        ``n_tasks_`` fitted clones, the ``t``-th fitted on task ``t``'s
        observed rows only, or None for a constant task (no member is fitted
        on one). Classification members are fitted on class codes (indices
        into ``classes_[t]``), not on the labels.
    named_estimators_ : Bunch
        The same entries by member name.
    weights_ : ndarray of shape (n_estimators, n_tasks_)
        Weight of each member in each task, each column summing to 1, as
        used by the predictions: after selection, one-hot for a task that
        selected a member and equal for one that selected the average;
        otherwise the weights given or learned (unused by a task that
        predicts by stacking).
    selected_ : ndarray of str objects of shape (n_tasks_,)
        How each task predicts: ``"stacking"`` (its final estimator),
        ``"weights"`` (the weights given or learned), ``"average"`` (equal
        weights) or a member's name (that member alone). Without selection,
        or for a task that could not be scored (a constant task, a task
        without out-of-fold outputs), the combination the parameters ask
        for.
    cv_results_ : dict
        With selection (``selection=True`` and ``weights="cv"`` or
        ``final_estimator``), the out-of-fold scores of the candidates:

        - ``"candidate"``: ndarray of shape (n_candidates,), the members'
          names, ``"average"``, then ``"weights"`` (if ``weights`` is not
          None) and ``"stacking"`` (if ``final_estimator``);
        - ``"scoring"``: the criterion (``scoring``, or its default);
        - ``"score"``: ndarray of shape (n_candidates, n_tasks_), the score
          on all the task's rows with out-of-fold outputs, pooled over the
          folds; NaN where not scored. For ``"micro_f1"``: the micro-F1 over
          all scored tasks with task ``t`` switched to the candidate and
          the other tasks at their selection;
        - ``"split_scores"``: ndarray of shape (n_folds, n_candidates,
          n_tasks_), the score on each fold's rows (NaN where a fold has no
          such row, or for ``"r2"`` a constant truth). ``"r2"`` divides a
          fold's squared error by the variance of the task's rows in all
          folds: a small task's fold may hold one row;
        - ``"std_score"``: ndarray of shape (n_candidates, n_tasks_), the
          spread of ``split_scores`` over the folds, NaN ignored;
        - ``"rank"``: ndarray of shape (n_candidates, n_tasks_), 1 for the
          best ``score`` of each task (unscored candidates last);
        - ``"baseline"``: the best single member, what a task falls back to
          under the gain rule (see ``n_standard_errors``);
        - ``"gain"``, ``"gain_se"``: ndarray of shape (n_tasks_,), the mean
          cross-fitted gain of the selection over that member and its
          standard error (NaN where the selection is the member or no
          spread was measured; one value for all tasks with
          ``"micro_f1"``);
        - ``"selection_gain"``, ``"selection_gain_se"``: float, the
          cross-fitted gain of the whole selection over that member (on
          each fold, the selection the rule keeps on the other folds,
          averaged over the tasks) and its standard error; NaN where the
          selection is the member on every task.
    oof_outputs_ : list of ndarray
        With selection: for each task, an array of shape (n_samples,
        n_outputs_t) with the selected candidate's **cross-fitted**
        out-of-fold outputs on the rows given to ``fit`` (class
        probabilities in the order of ``classes_[t]`` under soft voting or
        stacking, one-hot votes under hard voting, predictions for
        regression): a member's own out-of-fold output, their average, or
        the weights / final estimator fitted on the other folds' outputs
        and applied to the fold's. NaN where the task has none (a missing
        label, a row without labels, a constant task, a fold without a
        fitted combination). What
        :class:`~mtlearn.model_selection.MultiTaskThresholdClassifier`
        tunes on with ``cv="oof"``, without refitting the ensemble per fold.
    oof_fold_ : ndarray of shape (n_samples,)
        With selection: the fold whose test part held each row given to
        ``fit`` (-1 for a row in none, such as a row without labels).
    cv_skills_ : ndarray of shape (n_estimators, n_tasks_)
        With ``weights="cv"``: each member's out-of-fold skill per task, 1 -
        its loss over the loss of the best constant (Brier score against
        the class frequencies under soft voting, error rate against the
        majority class under hard voting, R^2 for regression); NaN where it
        could not be scored.
    final_estimators_ : list of estimator
        With ``final_estimator``: the fitted final estimator of each task;
        None for a constant task, and a ``DummyClassifier`` for a task whose
        rows with out-of-fold outputs hold one class only.
    n_tasks_ : int
        Number of tasks (1 for one-dimensional y).
    task_names_ : ndarray of str
        Task names, from the column names of a DataFrame y. Only defined
        when y had names.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit, when X had string column names.
"""

_SELECTION_DOC = """
    Selection (``selection=True``, with ``weights="cv"`` or
    ``final_estimator``): each task then keeps the best of its candidates,
    every member alone, the plain average of the members, the ``weights``
    (given or learned) and stacking, by their score (``scoring``) on the
    task's out-of-fold rows, pooled over the folds. The members' out-of-fold
    outputs are the ones the weights and the final estimator are fitted on;
    no member is fitted again. A single member and the average have nothing
    fitted on those outputs, but learned weights and the final estimator
    have, so scoring them on the rows they were fitted on would favour them:
    they are scored *cross-fitted*, on each fold's rows with weights (or a
    final estimator) fitted on the other folds' out-of-fold outputs only
    (a second level of the same folds; with one fold they are not scored).
    The highest score wins, ties going to the first in the order above
    (``scoring="micro_f1"`` scores all tasks at once: see ``scoring``);
    the kept weights or final estimator are those fitted on all the rows.
    A task that cannot be scored (constant, or no out-of-fold output)
    keeps the combination asked for. ``selected_`` says what each task
    kept, ``cv_results_`` holds every candidate's scores.
"""

_MEMBERS_DOC = """
    Members are multi-task or single-task. A member that declares
    multi-output targets (its ``target_tags.multi_output``) is fitted once on
    all tasks when it takes missing labels (mtlearn's estimators, or a
    Pipeline ending in one) or when y has no missing label and no constant
    task; otherwise, as any single-task classifier or regressor, it is
    fitted once per task on that task's observed rows only. Missing labels
    are never imputed. A member (or final estimator) whose predictions or
    probabilities are not finite, as when X's values are too large for it,
    is a ``ValueError`` that names it.
"""


class MultiTaskEnsembleClassifier(
    MultiTaskClassifierMixin, ClassifierMixin, _BaseMultiTaskEnsemble
):
    """Multi-task classifier combining several models per task.

    Each task's prediction combines the members' outputs for that task:
    soft voting takes the weighted mean of their probabilities, hard voting
    the weighted majority of their predicted labels, and stacking
    (``final_estimator``) a per-task model fitted on their out-of-fold
    outputs. With ``weights="cv"`` each task weighs its members by the best
    convex mix of their out-of-fold probabilities (under hard voting, of
    their one-hot votes)::

        c_t = argmin_{{c >= 0}} || Y_t - sum_m c_m P_mt ||^2
        weights_[:, t] = c_t / sum_m c_mt

    where ``Y_t`` holds task ``t``'s observed labels one-hot and ``P_mt``
    member ``m``'s out-of-fold probabilities on the same rows: non-negative
    least squares on the Brier score, normalised (the NNLS combination of the
    Super Learner). A member that adds nothing to the others gets weight 0;
    equal weights if all coefficients are 0. ``cv_skills_`` reports each
    member's own out-of-fold Brier skill, ``1 - Brier / Brier(class
    frequencies)`` (0 is chance level).

    {selection}

    {members}
    ``MultiTaskEnsemble`` is the same class.

    Parameters
    ----------
    estimators : list of (str, estimator)
        The members, by name; their parameters are reachable as
        ``name__param`` (``GridSearchCV``, ``set_params``).
    voting : {{"soft", "hard"}}, default="soft"
        Soft: weighted mean of the members' probabilities (every member needs
        ``predict_proba``). Hard: weighted majority of their predicted labels
        (ties go to the first class in ``classes_[t]``).
    weights : {{"cv"}}, array-like of shape (n_estimators,) or \
(n_estimators, n_tasks), default=None
        Weight of each member, for all tasks or per task; None weighs them
        equally, "cv" learns per-task weights out of fold (see above).
    {parameters}

    Attributes
    ----------
    classes_ : ndarray or list of ndarray
        Class labels of each task (an array for one-dimensional y).
    {attributes}

    See Also
    --------
    MultiTaskEnsembleRegressor : The same for regression tasks.
    sklearn.ensemble.VotingClassifier : Voting for one task.
    sklearn.ensemble.StackingClassifier : Stacking for one task.

    Notes
    -----
    Outputs follow ``MultiOutputClassifier``: ``predict`` gives
    (n_samples, n_tasks), ``predict_proba`` a list of (n_samples,
    n_classes_t) arrays; single-output shapes for one-dimensional y.
    ``score`` is the mean over tasks of the accuracy on the observed labels.

    Constant tasks: a task whose observed labels hold one class (a rare
    label) is predicted by the ensemble itself, as scikit-learn's forests
    do: ``classes_[t]`` holds that class, ``predict`` gives it and
    ``predict_proba`` ones of shape (n_samples, 1). No single-task member is
    fitted on it; a multi-task member from mtlearn gets it with the other
    tasks (it fits constant tasks itself), another multi-output member
    (e.g. a forest) is then fitted per task. Each fit warns once with
    :class:`~mtlearn.exceptions.ConstantTaskWarning`; the members' own
    warnings are silenced. In a cross-validation fold whose training rows
    hold one class of a task, the members' out-of-fold output for that task
    is that class with probability 1.

    References
    ----------
    D. H. Wolpert, "Stacked generalization", Neural Networks 5(2):241-259,
    1992.

    M. J. van der Laan, E. C. Polley and A. E. Hubbard, "Super learner",
    Statistical Applications in Genetics and Molecular Biology 6(1), 2007.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from mtlearn.ensemble import MultiTaskEnsemble
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(200, 4))
    >>> Y = np.column_stack([X[:, 0] > 0, X[:, 1] * X[:, 2] > 0]).astype(float)
    >>> Y[:20, 1] = np.nan  # a missing label: task 1's members skip the row
    >>> ensemble = MultiTaskEnsemble(
    ...     [("lr", LogisticRegression()),
    ...      ("tree", DecisionTreeClassifier(max_depth=4))],
    ...     weights="cv", random_state=0,
    ... ).fit(X, Y)
    >>> ensemble.predict(X[:2])
    array([[1., 1.],
           [1., 1.]])
    >>> ensemble.cv_results_["candidate"]
    array(['lr', 'tree', 'average', 'weights'], dtype=object)
    >>> ensemble.cv_results_["baseline"]  # the best member over both tasks
    'tree'
    >>> # task 1 scored best with the learned weights, but their cross-fitted
    >>> # gain over the tree alone is within its noise: the tree is kept
    >>> ensemble.cv_results_["gain"].round(4), ensemble.selected_
    (array([    nan, -0.0071]), array(['tree', 'tree'], dtype=object))
    """

    _parameter_constraints = {
        **_BaseMultiTaskEnsemble._parameter_constraints,
        "voting": [StrOptions({"soft", "hard"})],
        "scoring": [StrOptions(set(SCORINGS["classification"])), None],
    }
    _target_kind = "classification"

    def __init__(
        self,
        estimators,
        *,
        voting="soft",
        weights=None,
        final_estimator=None,
        cv=5,
        selection=True,
        scoring=None,
        n_standard_errors=1.0,
        n_jobs=None,
        random_state=None,
        verbose=0,
    ):
        self.estimators = estimators
        self.voting = voting
        self.weights = weights
        self.final_estimator = final_estimator
        self.cv = cv
        self.selection = selection
        self.scoring = scoring
        self.n_standard_errors = n_standard_errors
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    @property
    def _output_kind(self):
        return self.voting

    def _setup_targets(self, targets):
        super()._setup_targets(targets)
        self.classes_ = targets.classes[0] if targets.one_d else targets.classes
        self._n_classes = [len(c) for c in targets.classes]

    @property
    def _output_widths(self):
        return self._n_classes

    def _task_classes(self):
        return [self.classes_] if self._one_d else self.classes_

    def _proba(self, X):
        """Per task, the combined (or stacked) probabilities of the classes."""
        outputs = self._outputs(X)
        return [self._task_proba(outputs, t) for t in range(self.n_tasks_)]

    def _task_proba(self, outputs, t):
        if not self._stacked[t]:
            return combine([member[t] for member in outputs], self.weights_[:, t])
        final = self.final_estimators_[t]
        if final is None:
            return constant_output(outputs[0][t].shape[0], 0, 1)
        proba = self._final_output(final, "predict_proba", outputs, t)
        return align_columns(proba, final.classes_, self._n_classes[t])

    def _can_predict_proba(self):
        if self.final_estimator is not None:
            return hasattr(self.final_estimator, "predict_proba")
        return self.voting == "soft"

    @available_if(_can_predict_proba)
    def predict_proba(self, X):
        """Class probabilities of each task (soft voting, or stacking).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes) or list of such
            For several tasks a list with one array of shape
            (n_samples, n_classes_t) per task, columns in the order of
            ``classes_[t]``; one array for one-dimensional y.
        """
        probas = self._proba(X)
        return probas[0] if self._one_d else probas

    def predict(self, X):
        """Predicted labels of each task.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_tasks)
            Predicted labels, from each task's classes.
        """
        outputs = self._outputs(X)
        n = outputs[0][0].shape[0]
        columns = []
        for t in range(self.n_tasks_):
            if not self._stacked[t]:
                columns.append(np.argmax(self._task_proba(outputs, t), axis=1))
            elif self.final_estimators_[t] is None:
                columns.append(np.zeros(n, dtype=np.intp))
            else:
                final = self.final_estimators_[t]
                columns.append(self._final_output(final, "predict", outputs, t))
        codes = np.column_stack(columns).astype(np.intp)
        return decode_labels(codes, self._task_classes(), self._one_d)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


MultiTaskEnsemble = MultiTaskEnsembleClassifier


class MultiTaskEnsembleRegressor(
    MultiTaskRegressorMixin, RegressorMixin, _BaseMultiTaskEnsemble
):
    """Multi-task regressor combining several models per task.

    Each task's prediction is the weighted mean of the members' predictions
    for that task, or, with ``final_estimator``, a per-task model fitted on
    their out-of-fold predictions (stacking). With ``weights="cv"`` each task
    weighs its members by the best convex mix of their out-of-fold
    predictions::

        c_t = argmin_{{c >= 0}} || y_t - sum_m c_m p_mt ||^2
        weights_[:, t] = c_t / sum_m c_mt

    (non-negative least squares, normalised: the NNLS combination of the
    Super Learner); ``cv_skills_`` reports each member's out-of-fold R^2.

    {selection}

    {members}

    Parameters
    ----------
    estimators : list of (str, estimator)
        The members, by name; their parameters are reachable as
        ``name__param`` (``GridSearchCV``, ``set_params``).
    weights : {{"cv"}}, array-like of shape (n_estimators,) or \
(n_estimators, n_tasks), default=None
        Weight of each member, for all tasks or per task; None weighs them
        equally, "cv" learns per-task weights out of fold (see above).
    {parameters}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    MultiTaskEnsembleClassifier : The same for classification tasks.
    sklearn.ensemble.VotingRegressor : Averaging for one target.
    sklearn.ensemble.StackingRegressor : Stacking for one target.

    Notes
    -----
    ``score`` is the mean over tasks of R^2 on the observed targets.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import Ridge
    >>> from sklearn.tree import DecisionTreeRegressor
    >>> from mtlearn.ensemble import MultiTaskEnsembleRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(200, 3))
    >>> Y = np.column_stack([X[:, 0] + X[:, 1], np.abs(X[:, 2])])
    >>> Y[:20, 0] = np.nan  # a missing target: task 0's members skip the row
    >>> ensemble = MultiTaskEnsembleRegressor(
    ...     [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=4))],
    ...     final_estimator=Ridge(), random_state=0,
    ... ).fit(X, Y)
    >>> ensemble.predict(X[:3]).shape
    (3, 2)
    >>> ensemble.transform(X[:3]).shape  # 2 tasks x 2 members
    (3, 4)
    """

    _parameter_constraints = {
        **_BaseMultiTaskEnsemble._parameter_constraints,
        "scoring": [StrOptions(set(SCORINGS["regression"])), None],
    }
    _target_kind = "regression"
    _output_kind = "regression"

    def __init__(
        self,
        estimators,
        *,
        weights=None,
        final_estimator=None,
        cv=5,
        selection=True,
        scoring=None,
        n_standard_errors=1.0,
        n_jobs=None,
        random_state=None,
        verbose=0,
    ):
        self.estimators = estimators
        self.weights = weights
        self.final_estimator = final_estimator
        self.cv = cv
        self.selection = selection
        self.scoring = scoring
        self.n_standard_errors = n_standard_errors
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    _n_classes = None

    @property
    def _output_widths(self):
        return [1] * self.n_tasks_

    def predict(self, X):
        """Predicted targets of each task.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_tasks)
            Predictions.
        """
        outputs = self._outputs(X)
        columns = [
            self._final_output(self.final_estimators_[t], "predict", outputs, t)
            if self._stacked[t]
            else combine([member[t] for member in outputs], self.weights_[:, t])[:, 0]
            for t in range(self.n_tasks_)
        ]
        y_pred = np.column_stack(columns).astype(np.float64)
        return y_pred[:, 0] if self._one_d else y_pred


for _cls in (MultiTaskEnsembleClassifier, MultiTaskEnsembleRegressor):
    _cls.__doc__ = _cls.__doc__.format(
        members=_MEMBERS_DOC.strip(),
        selection=_SELECTION_DOC.strip(),
        parameters=_SHARED_PARAMETERS_DOC.strip("\n").lstrip(),
        attributes=_SHARED_ATTRIBUTES_DOC.strip("\n").lstrip(),
    )
