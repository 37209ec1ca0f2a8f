"""Nearest-neighbour matching with replacement: M matches, Abadie–Imbens bias correction and
variance.

Each treated row is matched to its M nearest controls, either on the standardised covariates
(Abadie and Imbens' estimator; a k-d tree) or on the logit of the propensity score (a sort and
a binary search, so millions of rows take a fraction of a second). Controls tied with the M-th
nearest are all used, sharing the match equally (Abadie and Imbens 2006), which keeps the
result independent of row order. The matched difference is bias-corrected with a regression of
the outcome on the covariates fitted on the matched controls (Abadie and Imbens 2011), and the
standard error is Abadie and Imbens' (2006) for the population ATT with replacement.
See docs/decisions/0019-matching-default.md for the default and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

MatchOn = Literal["covariates", "score"]


@dataclass(frozen=True)
class MatchSets:
    """Matched controls of each treated row, in compressed rows: treated i's controls are
    ``control[start[i]:start[i + 1]]`` with weights ``weight[...]`` (1/size of its set)."""

    start: np.ndarray  #: (n_treated + 1,) offsets
    control: np.ndarray  #: control index of each entry
    weight: np.ndarray  #: share of each entry in its treated row's counterfactual

    @property
    def size(self) -> np.ndarray:
        return np.diff(self.start)

    @property
    def matched(self) -> np.ndarray:
        return self.size > 0

    def row_of_entry(self) -> np.ndarray:
        return np.repeat(np.arange(self.size.size), self.size)

    def mean_of(self, control_values: np.ndarray) -> np.ndarray:
        """Weighted mean of ``control_values`` over each treated row's set (NaN if none)."""
        total = np.bincount(
            self.row_of_entry(),
            weights=self.weight * control_values[self.control],
            minlength=self.size.size,
        )
        return np.where(self.matched, total, np.nan)

    def control_weights(self, n_control: int) -> tuple[np.ndarray, np.ndarray]:
        """K and K' per control: sums over treated rows of its shares and squared shares."""
        k = np.bincount(self.control, weights=self.weight, minlength=n_control)
        k_sq = np.bincount(self.control, weights=self.weight**2, minlength=n_control)
        return k, k_sq

    def within(self, keep: np.ndarray) -> MatchSets:
        """Only the entries with ``keep``; shares renormalised per treated row."""
        row = self.row_of_entry()[keep]
        counts = np.bincount(row, minlength=self.size.size)
        start = np.concatenate(([0], np.cumsum(counts)))
        return MatchSets(start, self.control[keep], 1.0 / counts[row])


def _from_runs(order: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> MatchSets:
    """Match sets that are the runs ``order[lo[i]:hi[i]]`` of sorted controls."""
    size = np.maximum(hi - lo, 0)
    start = np.concatenate(([0], np.cumsum(size)))
    row = np.repeat(np.arange(size.size), size)
    position = np.arange(start[-1]) - start[row] + lo[row]
    return MatchSets(start, order[position], 1.0 / size[row])


def stable_order(values: np.ndarray) -> np.ndarray:
    """``np.argsort(values, kind="stable")``, cheaper: NumPy's default sort (a third faster
    than its stable one on a million scores), then each run of equal values, which that sort
    may leave in any order, put back in row order."""
    order = np.argsort(values)
    ordered = values[order]
    if ordered.size and np.isnan(ordered[-1]):  # NaN is not equal to itself: sort stably
        return np.argsort(values, kind="stable")
    equal = ordered[1:] == ordered[:-1]
    if equal.any():
        tied = np.zeros(ordered.size, dtype=bool)
        tied[1:] |= equal
        tied[:-1] |= equal
        at = np.flatnonzero(tied)
        run = np.cumsum(np.concatenate(([True], ~equal))[at])  # a new run where values differ
        order[at] = order[at][np.lexsort((order[at], run))]
    return order


def _search(
    ordered: np.ndarray, keys: np.ndarray, key_order: np.ndarray, side: Literal["left", "right"]
) -> np.ndarray:
    """``np.searchsorted(ordered, keys, side)``, with the keys visited in ``key_order``: on
    keys in increasing order the binary searches follow nearly the same path through the
    array and stay in cache. The positions do not depend on the order of the visit."""
    found = np.empty(keys.size, dtype=np.intp)
    found[key_order] = np.searchsorted(ordered, keys[key_order], side=side)
    return found


def score_tolerance(logit: np.ndarray) -> float:
    """Scores closer than this are equal: far above rounding error, far below real gaps."""
    return 1e-9 * max(1.0, float(np.abs(logit).max(initial=0.0)))


def match_on_score(
    treated_logit: np.ndarray,
    control_logit: np.ndarray,
    matches: int,
    caliper: float | None,
    order: np.ndarray | None = None,
) -> MatchSets:
    """The M nearest controls on the logit (ties at the M-th distance included), within
    ``caliper`` (absolute, on the logit); a treated row with no control within it is unmatched.

    On one dimension the controls within a distance form one run of the sorted controls, so
    every set is found with two binary searches.
    """
    if order is None:
        order = stable_order(control_logit)
    ordered = control_logit[order]
    n = ordered.size
    tolerance = score_tolerance(control_logit)
    m = min(matches, n)
    by_score = np.argsort(treated_logit)
    pos = _search(ordered, treated_logit, by_score, "left")
    # The M nearest lie among the M sorted controls on either side.
    window = pos[:, None] + np.arange(-m, m)[None, :]
    inside = (window >= 0) & (window < n)
    distance = np.where(
        inside, np.abs(ordered[np.clip(window, 0, n - 1)] - treated_logit[:, None]), np.inf
    )
    radius = np.partition(distance, m - 1, axis=1)[:, m - 1]
    if caliper is not None:
        nearest = distance.min(axis=1)
        radius = np.where(nearest <= caliper + tolerance, np.minimum(radius, caliper), -np.inf)
    lo = _search(ordered, treated_logit - radius - tolerance, by_score, "left")
    hi = _search(ordered, treated_logit + radius + tolerance, by_score, "right")
    hi = np.where(np.isfinite(radius), hi, lo)
    return _from_runs(order, lo, hi)


def match_on_covariates(
    treated_x: np.ndarray, control_x: np.ndarray, matches: int
) -> tuple[MatchSets, object]:
    """The M nearest controls in Euclidean distance on standardised covariates (the inverse-
    variance metric), ties at the M-th distance included. Returns the sets and the k-d tree."""
    from scipy.spatial import cKDTree  # only for covariate matching

    tree = cKDTree(control_x)
    m = min(matches, control_x.shape[0])
    distance, _ = tree.query(treated_x, k=m)
    radius = distance if m == 1 else distance[:, m - 1]
    tolerance = 1e-9 * max(1.0, float(np.abs(control_x).max(initial=0.0)))
    found = tree.query_ball_point(treated_x, radius + tolerance, return_sorted=True)
    size = np.fromiter((len(f) for f in found), dtype=np.intp, count=len(found))
    start = np.concatenate(([0], np.cumsum(size)))
    control = np.fromiter((j for f in found for j in f), dtype=np.intp, count=int(start[-1]))
    row = np.repeat(np.arange(size.size), size)
    return MatchSets(start, control, 1.0 / size[row]), tree


def variance_from_neighbours(
    values: np.ndarray, neighbour_mean: np.ndarray, j: np.ndarray
) -> np.ndarray:
    """Abadie–Imbens' conditional variance: J/(J+1) (Y - mean of its J nearest fellows)²."""
    return j / (j + 1) * (values - neighbour_mean) ** 2


def control_variance_on_score(sorted_logit: np.ndarray, sorted_outcome: np.ndarray) -> np.ndarray:
    """Conditional outcome variance of each control (sorted by score) from its nearest fellow
    controls: the other controls with the same score if any, else all controls of the next
    lower and next higher score; ties are used whole, so row order does not matter."""
    n = sorted_outcome.size
    if n < 2:
        return np.zeros(n)
    tolerance = score_tolerance(sorted_logit)
    starts = np.empty(n, dtype=bool)
    starts[0] = True
    starts[1:] = np.diff(sorted_logit) > tolerance
    group = np.cumsum(starts) - 1
    n_groups = int(group[-1]) + 1
    total = np.bincount(group, weights=sorted_outcome, minlength=n_groups)
    count = np.bincount(group, minlength=n_groups).astype(np.float64)
    own_count = count[group] - 1
    own_sum = total[group] - sorted_outcome
    padded_total = np.concatenate(([0.0], total, [0.0]))
    padded_count = np.concatenate(([0.0], count, [0.0]))
    side_count = padded_count[group] + padded_count[group + 2]
    side_sum = padded_total[group] + padded_total[group + 2]
    tied = own_count > 0
    j = np.where(tied, own_count, side_count)
    return variance_from_neighbours(sorted_outcome, np.where(tied, own_sum, side_sum) / j, j)


def control_variance_on_covariates(
    tree: Any, control_x: np.ndarray, outcome: np.ndarray, which: np.ndarray
) -> np.ndarray:
    """The same for the controls ``which`` (indices), with neighbours in covariate space: all
    other controls at the distance of the nearest one (ties whole)."""
    sigma2 = np.zeros(outcome.size)
    if which.size == 0 or outcome.size < 2:
        return sigma2
    distance, _ = tree.query(control_x[which], k=2)  # itself, then its nearest fellow
    tolerance = 1e-9 * max(1.0, float(np.abs(control_x).max(initial=0.0)))
    found = tree.query_ball_point(control_x[which], distance[:, 1] + tolerance)
    means = np.empty(which.size)
    counts = np.empty(which.size)
    for i, (own, near) in enumerate(zip(which, found, strict=True)):
        others = [j for j in near if j != own]
        counts[i] = len(others)
        means[i] = outcome[others].mean()
    sigma2[which] = variance_from_neighbours(outcome[which], means, counts)
    return sigma2


@dataclass(frozen=True)
class MatchingEstimate:
    """ATT from matching, its Abadie–Imbens standard error and the weights used."""

    estimate: float
    std_error: float
    treated_used: np.ndarray  #: bool per treated row: matched (within the caliper)
    control_weight: np.ndarray  #: K per control row: how often it serves as a match


def matching_att(
    treated_outcome: np.ndarray,
    control_outcome: np.ndarray,
    treated_x: np.ndarray,
    control_x: np.ndarray,
    treated_logit: np.ndarray,
    control_logit: np.ndarray,
    *,
    matches: int,
    match_on: MatchOn,
    caliper: float | None,
    bias_correction: bool,
) -> MatchingEstimate:
    """ATT as the mean (bias-corrected) treated-minus-matches difference.

    ``treated_x``/``control_x`` are the standardised model covariates; ``caliper`` is absolute,
    on the logit of the score (with covariate matching, matches farther than it on the logit
    are dropped). The bias correction (Abadie and Imbens 2011) fits the outcome on the
    covariates by least squares on the matched controls, weighted by how often each is used,
    and adds mu(X_i) - mean of mu(X_j) over i's matches to the counterfactual. The variance is
    (1/N1²) [sum over matched treated of (tau_i - ATT)² + sum over controls of (K_j² - K'_j)
    sigma²_j] (Abadie and Imbens 2006, population ATT); the propensity score is taken as known.
    """
    n_control = control_outcome.size
    tree = None
    if match_on == "covariates":
        sets, tree = match_on_covariates(treated_x, control_x, matches)
        if caliper is not None:
            gap = np.abs(control_logit[sets.control] - treated_logit[sets.row_of_entry()])
            sets = sets.within(gap <= caliper + score_tolerance(control_logit))
    else:
        order = stable_order(control_logit)
        sets = match_on_score(treated_logit, control_logit, matches, caliper, order)
    used = sets.matched
    n_used = int(used.sum())
    if n_used == 0:
        return MatchingEstimate(np.nan, np.nan, used, np.zeros(n_control))
    counterfactual = sets.mean_of(control_outcome)
    k, k_sq = sets.control_weights(n_control)
    if bias_correction:
        fitted_c, fitted_t = _outcome_fit(control_outcome, control_x, treated_x, k)
        counterfactual = counterfactual + fitted_t - sets.mean_of(fitted_c)
    difference = treated_outcome[used] - counterfactual[used]
    att = float(difference.mean())
    serving = np.flatnonzero(k > 0)
    if tree is not None:
        sigma2 = control_variance_on_covariates(tree, control_x, control_outcome, serving)
    else:
        sigma2 = np.empty(n_control)
        sigma2[order] = control_variance_on_score(control_logit[order], control_outcome[order])
    variance = (np.sum((difference - att) ** 2) + np.sum((k**2 - k_sq) * sigma2)) / n_used**2
    return MatchingEstimate(att, float(np.sqrt(variance)), used, k)


def _outcome_fit(
    control_outcome: np.ndarray, control_x: np.ndarray, treated_x: np.ndarray, k: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """mu(X) = a + X b by least squares on the matched controls, weighted by K."""
    serving = k > 0
    x = np.column_stack((np.ones(int(serving.sum())), control_x[serving]))
    weighted = x * k[serving][:, None]
    gram = weighted.T @ x
    try:
        # The normal equations are fast on a million rows; lstsq's SVD is not needed unless
        # the matched controls make the covariates collinear.
        if np.linalg.cond(gram) > 1e12:
            raise np.linalg.LinAlgError
        coef = np.linalg.solve(gram, weighted.T @ control_outcome[serving])
    except np.linalg.LinAlgError:
        root = np.sqrt(k[serving])
        coef = np.linalg.lstsq(x * root[:, None], control_outcome[serving] * root, rcond=None)[0]
    return coef[0] + control_x @ coef[1:], coef[0] + treated_x @ coef[1:]
