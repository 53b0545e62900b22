"""Reference statistics: thin wrappers around scipy / statsmodels / krippendorff, and the few
figures those packages do not have (exact r×2 enumeration, Newcombe, Kaplan–Meier, log-rank),
written from their published definitions."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import scipy.stats as st
from scipy.special import gammaln
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint, confint_proportions_2indep


# which path the rank tests took (exact or normal approximation), for the report
METHODS = Counter()


def z_of(conf):
    return float(st.norm.ppf(1 - (1 - conf) / 2))


# ---------------------------------------------------------------- proportions

def wilson(k, n, conf=0.95):
    if n == 0:
        return None, None
    lo, hi = proportion_confint(k, n, alpha=1 - conf, method="wilson")
    return float(lo), float(hi)


def newcombe(k1, n1, k2, n2, conf=0.95):
    """Newcombe (1998) method 10: hybrid score interval from Wilson intervals."""
    if n1 == 0 or n2 == 0:
        return None, None
    p1, p2 = k1 / n1, k2 / n2
    l1, u1 = wilson(k1, n1, conf)
    l2, u2 = wilson(k2, n2, conf)
    d = p1 - p2
    return (d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2),
            d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2))


def newcombe_statsmodels(k1, n1, k2, n2, conf=0.95):
    lo, hi = confint_proportions_2indep(k1, n1, k2, n2, method="newcomb", compare="diff",
                                        alpha=1 - conf)
    return float(lo), float(hi)


def bh(pvalues):
    if len(pvalues) == 0:
        return []
    return list(multipletests(pvalues, method="fdr_bh")[1])


# ---------------------------------------------------------------- tables

def chi2_uncorrected(table):
    t = np.asarray(table, dtype=float)
    e = np.outer(t.sum(1), t.sum(0)) / t.sum()
    return float(((t - e) ** 2 / e).sum())


def chi2_test(table):
    """Pearson's χ², Yates' correction on a 2×2 table only (as R's chisq.test)."""
    t = np.asarray(table)
    res = st.chi2_contingency(t, correction=(t.shape == (2, 2)))
    return float(res.statistic), int(res.dof), float(res.pvalue)


def fisher_2x2(table):
    return float(st.fisher_exact(np.asarray(table), alternative="two-sided").pvalue)


def count_rx2_tables(rows, k):
    """How many r×2 tables have row sums `rows` and first-column sum k."""
    ways = np.zeros(k + 1, dtype=object)
    ways[0] = 1
    for n in rows:
        new = np.zeros(k + 1, dtype=object)
        for s in range(k + 1):
            if ways[s]:
                for x in range(0, min(n, k - s) + 1):
                    new[s + x] += ways[s]
        ways = new
    return int(ways[k])


def enumerate_rx2(rows, k):
    """Every r×2 table with row sums `rows` and column-1 sum k: arrays (x matrix, probability)."""
    rows = list(rows)
    N = sum(rows)
    xs = np.zeros((1, 0), dtype=np.int64)
    s = np.zeros(1, dtype=np.int64)
    remaining = [sum(rows[i + 1:]) for i in range(len(rows))]
    for i, n in enumerate(rows):
        if i == len(rows) - 1:
            x = k - s
            keep = (x >= 0) & (x <= n)
            xs = np.column_stack([xs[keep], x[keep]])
            break
        cand = np.arange(0, n + 1)
        new_s = s[:, None] + cand[None, :]
        keep = (new_s <= k) & (new_s + remaining[i] >= k)
        ii, jj = np.nonzero(keep)
        xs = np.column_stack([xs[ii], cand[jj]])
        s = new_s[ii, jj]
    lognum = np.zeros(len(xs))
    for i, n in enumerate(rows):
        x = xs[:, i]
        lognum += gammaln(n + 1) - gammaln(x + 1) - gammaln(n - x + 1)
    logden = gammaln(N + 1) - gammaln(k + 1) - gammaln(N - k + 1)
    return xs, np.exp(lognum - logden)


def rx2_chi2(xs, rows, k):
    rows = np.asarray(rows, dtype=float)
    N = rows.sum()
    e1 = rows * k / N
    e2 = rows * (N - k) / N
    dev = xs - e1[None, :]
    return (dev ** 2 / e1[None, :] + dev ** 2 / e2[None, :]).sum(1)


def exact_rx2(x_obs, rows):
    """Fisher–Freeman–Halton p (tables no more likely than the observed, relative tolerance
    1e-7 as R) and the exact permutation p of the uncorrected χ² (P(χ²* ≥ χ²))."""
    k = int(sum(x_obs))
    xs, pr = enumerate_rx2(rows, k)
    obs = np.all(xs == np.asarray(x_obs)[None, :], axis=1)
    p_obs = pr[obs][0]
    p_ffh = float(pr[pr <= p_obs * (1 + 1e-7)].sum())
    chi = rx2_chi2(xs, rows, k)
    chi_obs = chi[obs][0]
    p_perm = float(pr[chi >= chi_obs - 1e-9 * max(1.0, chi_obs)].sum())
    return min(1.0, p_ffh), min(1.0, p_perm)


def mc_perm_rx2(x_obs, rows, draws, rng):
    """Monte Carlo P(χ²* ≥ χ²) under the multivariate hypergeometric table (vectorised)."""
    k = int(sum(x_obs))
    xs = rng.multivariate_hypergeometric(np.asarray(rows), k, size=draws)
    chi = rx2_chi2(xs, rows, k)
    chi_obs = rx2_chi2(np.asarray(x_obs)[None, :], rows, k)[0]
    return float(np.mean(chi >= chi_obs - 1e-9 * max(1.0, chi_obs)))


# ---------------------------------------------------------------- rank tests

def tie_round(values):
    """Values within 1e-9 of each other tie (docs/statistics.md): snap to a 1e-9 grid."""
    return np.round(np.asarray(values, dtype=float), 9)


def has_ties(values):
    v = tie_round(values)
    return len(np.unique(v)) < len(v)


def mann_whitney(x, y):
    """U of the first sample; exact below 50 per group without ties, else normal with
    continuity and tie correction (R's wilcox.test). None when every value is the same."""
    x, y = tie_round(x), tie_round(y)
    allv = np.concatenate([x, y])
    if len(np.unique(allv)) < 2:
        return None, None
    exact = len(x) < 50 and len(y) < 50 and not has_ties(allv)
    METHODS["Mann-Whitney " + ("exact" if exact else "normal approximation")] += 1
    r = st.mannwhitneyu(x, y, alternative="two-sided", use_continuity=True,
                        method="exact" if exact else "asymptotic")
    return float(r.statistic), float(r.pvalue)


def wilcoxon_signed(d):
    """R's wilcox.test(paired = TRUE): zeros dropped, statistic min(W+, W−) as crosscase
    reports it, exact below 50 without ties and zeros, else normal with continuity and ties."""
    d = tie_round(d)
    zeros = np.sum(d == 0)
    nz = d[d != 0]
    if len(nz) == 0:
        return None, None
    exact = len(nz) < 50 and zeros == 0 and not has_ties(np.abs(nz))
    METHODS["Wilcoxon signed-rank " + ("exact" if exact else "normal approximation")] += 1
    r = st.wilcoxon(nz, zero_method="wilcox", correction=True, alternative="two-sided",
                    method="exact" if exact else "approx")
    ranks = st.rankdata(np.abs(nz))
    wplus = float(ranks[nz > 0].sum())
    wminus = float(ranks[nz < 0].sum())
    return min(wplus, wminus), float(r.pvalue), wplus


def kruskal(groups):
    groups = [tie_round(g) for g in groups if len(g) > 0]
    if len(groups) < 2 or len(np.unique(np.concatenate(groups))) < 2:
        return None, None, None
    r = st.kruskal(*groups)
    return float(r.statistic), len(groups) - 1, float(r.pvalue)


# ---------------------------------------------------------------- surveys

def cronbach_alpha(matrix):
    """Rows = respondents who answered every item; sample variances."""
    m = np.asarray(matrix, dtype=float)
    if m.shape[0] < 2 or m.shape[1] < 2:
        return None
    k = m.shape[1]
    vt = m.sum(1).var(ddof=1)
    if vt == 0:
        return None
    return float(k / (k - 1) * (1 - m.var(0, ddof=1).sum() / vt))


# ---------------------------------------------------------------- agreement

def cohen_kappa_2(a, b):
    """Two raters' binary values on the same units: κ = (p_o − p_e)/(1 − p_e)."""
    a, b = np.asarray(a), np.asarray(b)
    po = float(np.mean(a == b))
    pa, pb = float(np.mean(a)), float(np.mean(b))
    pe = pa * pb + (1 - pa) * (1 - pb)
    if abs(1 - pe) < 1e-15:
        return None
    return (po - pe) / (1 - pe)


def cohen_kappa_statsmodels(a, b):
    from statsmodels.stats.inter_rater import cohens_kappa
    a, b = np.asarray(a, dtype=int), np.asarray(b, dtype=int)
    t = np.zeros((2, 2))
    np.add.at(t, (a, b), 1)
    return float(cohens_kappa(t, return_results=False))


def kripp_alpha_nominal(reliability):
    """reliability: coders × units array with np.nan for missing."""
    import krippendorff
    r = np.asarray(reliability, dtype=float)
    vals = r[~np.isnan(r)]
    pairable = np.sum(~np.isnan(r), axis=0) >= 2
    if not pairable.any() or len(np.unique(r[:, pairable][~np.isnan(r[:, pairable])])) < 2:
        return None
    if len(np.unique(vals)) < 2:
        return None
    return float(krippendorff.alpha(reliability_data=r, level_of_measurement="nominal",
                                    value_domain=[0.0, 1.0]))


def kripp_alpha_binary_counts(units):
    """Krippendorff's α (nominal, binary) from per-unit counts (m_u values, ones_u ones),
    for very many units: the coincidence-matrix formula of Krippendorff (2011)."""
    m = np.asarray([u[0] for u in units], dtype=float)
    ones = np.asarray([u[1] for u in units], dtype=float)
    keep = m >= 2
    m, ones = m[keep], ones[keep]
    zeros = m - ones
    n = m.sum()
    # coincidences o_01 = Σ_u 2·ones·zeros/(m_u − 1)
    o01 = float((2 * ones * zeros / (m - 1)).sum())
    n1, n0 = float(ones.sum()), float(zeros.sum())
    if n1 == 0 or n0 == 0:
        return None
    do = o01
    de = 2 * n1 * n0 / (n - 1)
    return 1 - do / de


# ---------------------------------------------------------------- survival

def kaplan_meier(times, events, conf=0.95):
    """R's survfit: rows at every distinct time (events or censorings) with n.risk, n.event,
    n.censor, surv, Greenwood std.err of S, and conf.type = "log" limits capped at 1."""
    t = np.asarray(times, dtype=float)
    e = np.asarray(events, dtype=bool)
    z = z_of(conf)
    out = []
    s = 1.0
    g = 0.0
    for u in np.unique(t):
        at = int(np.sum(t >= u))
        d = int(np.sum((t == u) & e))
        c = int(np.sum((t == u) & ~e))
        if d:
            s *= 1 - d / at
            g = g + d / (at * (at - d)) if at > d else math.inf
        se_log = math.sqrt(g)
        if s > 0 and math.isfinite(se_log):
            lo = s * math.exp(-z * se_log)
            hi = min(1.0, s * math.exp(z * se_log))
            se = s * se_log
        else:
            # S = 0: Greenwood's S·sqrt(Σ d/(n(n−d))) is 0·∞; R's summary(survfit) prints
            # NaN and its log limits NA, which crosscase reports as null
            lo = hi = None
            se = None
        out.append(dict(days=float(u), at_risk=at, implemented=d, censored=c, surv=s,
                        std_err=se, lo=lo, hi=hi))
    return out


def _km_quantile(times_steps, values, last_time, eps=math.sqrt(np.finfo(float).eps)):
    """R's quantile.survfit for p = 0.5 on one step curve (values may be None = NA)."""
    # times_steps: the event times where the curve steps; values: curve after each
    for i, (tm, v) in enumerate(zip(times_steps, values)):
        if v is None:
            continue
        if v < 0.5 - eps:
            return tm
        if abs(v - 0.5) <= eps:
            # flat at 0.5 until the next step down (or the end of follow-up)
            for tm2, v2 in zip(times_steps[i + 1:], values[i + 1:]):
                if v2 is not None and v2 < v - eps:
                    return (tm + tm2) / 2
            return (tm + last_time) / 2
    return None


def km_median(rows, last_time):
    ev = [r for r in rows if r["implemented"] > 0]
    ts = [r["days"] for r in ev]
    med = _km_quantile(ts, [r["surv"] for r in ev], last_time)
    # Brookmeyer–Crowley: the lower limit is where the lower band of S falls to 0.5, the
    # upper limit where the upper band does; NA (undefined) band values are skipped
    lo = _km_quantile(ts, [r["lo"] for r in ev], last_time)
    hi = _km_quantile(ts, [r["hi"] for r in ev], last_time)
    return med, lo, hi


def log_rank(times, events, groups):
    """R's survdiff(rho = 0): χ² over all groups but one, groups − 1 df."""
    t = np.asarray(times, dtype=float)
    e = np.asarray(events, dtype=bool)
    g = np.asarray(groups)
    labels = sorted(set(g.tolist()))
    G = len(labels)
    O = np.zeros(G)
    E = np.zeros(G)
    V = np.zeros((G, G))
    for u in np.unique(t[e]):
        risk = np.array([np.sum((t >= u) & (g == L)) for L in labels], dtype=float)
        dth = np.array([np.sum((t == u) & e & (g == L)) for L in labels], dtype=float)
        n, d = risk.sum(), dth.sum()
        O += dth
        E += d * risk / n
        if n > 1:
            f = d * (n - d) / (n - 1)
            V += f * (np.diag(risk / n) - np.outer(risk, risk) / n ** 2)
    diff = (O - E)[:-1]
    Vr = V[:-1, :-1]
    chi = float(diff @ np.linalg.solve(Vr, diff))
    return chi, G - 1, float(st.chi2.sf(chi, G - 1))
