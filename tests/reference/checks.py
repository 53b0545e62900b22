"""The comparisons: reference figures from the generated project vs crosscase's output."""

from __future__ import annotations

import itertools
import math
from collections import defaultdict

import numpy as np

import refstats as rs

CONF = 0.95
ENUM_LIMIT = 2_000_000        # crosscase enumerates FFH tables up to this many
MC_BUDGET = 20_000            # Python Monte Carlo draws per project, in total


# ---------------------------------------------------------------- the data, as the docs read it

class Data:
    def __init__(self, p):
        self.p = p
        self.anc = {}
        for c in p.codes:
            chain, x = [], c
            while x is not None:
                chain.append(x)
                x = p.codes[x]
            self.anc[c] = chain                     # the code and its ancestors
        self.desc = defaultdict(set)
        for c, chain in self.anc.items():
            for a in chain:
                self.desc[a].add(c)
        # coders per source; counted codings (primary coder where several coded)
        coders = defaultdict(set)
        for sid, code, coder, a, b in p.codings:
            coders[sid].add(coder)
        self.coders = coders
        self.counted = [x for x in p.codings
                        if not (len(coders[x[0]]) > 1 and p.primary_coder in coders[x[0]])
                        or x[2] == p.primary_coder]
        self.src_codes = defaultdict(set)           # sid -> codes (rolled up)
        self.segments = defaultdict(set)            # (code, sid) -> {(start, end)}
        for sid, code, coder, a, b in self.counted:
            for x in self.anc[code]:
                self.src_codes[sid].add(x)
                self.segments[(x, sid)].add((a, b))
        self.by_muni = {k: [s for s, v in p.sources.items() if v["kk"] == k]
                        for k in p.municipalities}

    def units(self, unit):
        """municipality -> list of units, each a list of source ids."""
        out = {}
        for k, sids in self.by_muni.items():
            if unit == "source":
                out[k] = [[s] for s in sids]
            elif unit == "participant":
                parts = defaultdict(list)
                for s in sids:
                    for q in self.p.sources[s]["parts"]:
                        parts[q].append(s)
                out[k] = list(parts.values())
            else:
                cl = defaultdict(list)
                for s in sids:
                    parts = self.p.sources[s]["parts"]
                    key = frozenset(parts) if parts else ("alone", s)
                    cl[key].append(s)
                out[k] = list(cl.values())
        return out

    def unit_has(self, code, unit_sources):
        return any(code in self.src_codes[s] for s in unit_sources)


def index(rows, kind, *keys):
    out = {}
    for r in rows:
        if r.get("kind") == kind:
            out[tuple(r[k] for k in keys)] = r
    return out


# ---------------------------------------------------------------- compare

def check_prevalence(ck, D, rows):
    p = D.p
    got = index(rows, "prevalence", "code", "municipality")
    for c in p.codes:
        for k in p.municipalities:
            key = (c, k)
            r = got.get(key)
            if r is None:
                ck.ok("prevalence: rows present", key, False, "row missing")
                continue
            sids = D.by_muni[k]
            with_c = [s for s in sids if c in D.src_codes[s]]
            parts_total = set(q for s in sids for q in p.sources[s]["parts"])
            parts_c = set(q for s in with_c for q in p.sources[s]["parts"])
            segs = sum(len(D.segments[(c, s)]) for s in sids)
            ck.eq("prevalence: segments", key, r["segments"], segs)
            ck.eq("prevalence: sources", key, r["sources"], len(with_c))
            ck.eq("prevalence: sources_total", key, r["sources_total"], len(sids))
            ck.eq("prevalence: participants", key, r["participants"], len(parts_c))
            ck.eq("prevalence: participants_total", key, r["participants_total"], len(parts_total))
            ck.num("prevalence: source_share", key, r["source_share"],
                   len(with_c) / len(sids) if sids else None)
            ck.num("prevalence: participant_share", key, r["participant_share"],
                   len(parts_c) / len(parts_total) if parts_total else None)


def reference_differences(D, unit):
    """Per code: the unit table, the classical test, cramér's V, exact permutation p."""
    units = D.units(unit)
    munis = [k for k in D.p.municipalities if units[k]]
    out = {}
    for c in D.p.codes:
        rows_n = [len(units[k]) for k in munis]
        x = [sum(D.unit_has(c, u) for u in units[k]) for k in munis]
        N, K = sum(rows_n), sum(x)
        ref = dict(n=N, municipalities=len(munis), x=x, rows=rows_n)
        if len(munis) < 2 or K == 0 or K == N:
            ref.update(test="none")
            out[c] = ref
            continue
        table = np.array([x, [n - a for n, a in zip(rows_n, x)]]).T
        e = np.outer(table.sum(1), table.sum(0)) / N
        chi_u = rs.chi2_uncorrected(table)
        ref["cramers_v"] = math.sqrt(chi_u / (N * (min(len(munis), 2) - 1)))
        ref["chi_u"] = chi_u
        ntab = rs.count_rx2_tables(rows_n, K)
        ref["ntables"] = ntab
        if e.min() >= 5:
            stat, df, pv = rs.chi2_test(table)
            ref.update(test="chi_square", statistic=stat, df=df, p=pv, in_q=True)
        elif len(munis) == 2:
            ref.update(test="fisher", statistic=None, df=None, p=rs.fisher_2x2(table), in_q=True)
        elif ntab <= ENUM_LIMIT:
            pffh, _ = rs.exact_rx2(x, rows_n)
            ref.update(test="fisher_freeman_halton", statistic=None, df=None, p=pffh, in_q=True)
        else:
            stat, df, pv = rs.chi2_test(table)
            ref.update(test="chi_square", statistic=stat, df=df, p=pv, in_q=False)
        out[c] = ref
    return out, units, munis


def check_differences(ck, D, rows, unit, nperm, mc_state):
    label = f"[{unit}]"
    refs, units, munis = reference_differences(D, unit)
    classical = {r["code"]: r for r in rows if r["kind"] == "difference" and r["test"] != "permutation"}
    perm = {r["code"]: r for r in rows if r["kind"] == "difference" and r["test"] == "permutation"}
    q_ref = {}
    fam = [(c, ref["p"]) for c, ref in refs.items() if ref["test"] != "none" and ref["in_q"]]
    for (c, _), q in zip(fam, rs.bh([pv for _, pv in fam])):
        q_ref[c] = q
    for c, ref in refs.items():
        r = classical.get(c)
        if r is None:
            ck.ok(f"difference {label}: rows present", c, False, "row missing")
            continue
        ck.eq(f"difference {label}: unit", c, r["unit"], unit)
        ck.eq(f"difference {label}: n units", c, r["n"], ref["n"])
        ck.eq(f"difference {label}: municipalities", c, r["municipalities"], ref["municipalities"])
        ck.eq(f"difference {label}: test chosen", c, r["test"], ref["test"])
        if ref["test"] == "none":
            ck.ok(f"undefined: test none has null p and a reason {label}", c,
                  r["p_value"] is None and r["q_value"] is None and bool(r["reason"]),
                  f"p {r['p_value']}, q {r['q_value']}, reason {r['reason']!r}")
            continue
        if r["test"] != ref["test"]:
            continue
        name = {"chi_square": "chi-square (scipy chi2_contingency)",
                "fisher": "Fisher 2x2 (scipy fisher_exact)",
                "fisher_freeman_halton": "Fisher-Freeman-Halton (enumerated)"}[ref["test"]]
        if ref["test"] == "chi_square":
            ck.num(f"{name} statistic {label}", c, r["statistic"], ref["statistic"], rel=True)
            ck.eq(f"{name} df {label}", c, r["df"], ref["df"])
        ck.num(f"{name} p {label}", c, r["p_value"], ref["p"])
        ck.num(f"Cramer's V {label}", c, r["cramers_v"], ref["cramers_v"])
        ck.num(f"BH q classical (statsmodels fdr_bh) {label}", c, r["q_value"], q_ref.get(c))
        if not ref["in_q"]:
            ck.ok(f"undefined: rough chi-square has no q {label}", c,
                  r["q_value"] is None and "rough" in r["reason"], r["reason"])
    # permutation rows
    pq = [(c, r["p_value"]) for c, r in perm.items() if r["p_value"] is not None]
    pq_ref = dict(zip([c for c, _ in pq], rs.bh([v for _, v in pq])))
    for c, ref in refs.items():
        r = perm.get(c)
        if ref["test"] == "none":
            ck.ok(f"permutation {label}: no row when no test", c,
                  r is None or r["p_value"] is None, f"row {r}")
            continue
        if r is None:
            ck.ok(f"permutation {label}: rows present", c, False, "row missing")
            continue
        ck.num(f"permutation statistic = uncorrected chi2 {label}", c, r["statistic"],
               ref["chi_u"], rel=True)
        ck.eq(f"permutation count {label}", c, r["permutations"], nperm)
        pcc = r["p_value"]
        ck.num(f"permutation Monte Carlo se formula {label}", c, r["monte_carlo_se"],
               math.sqrt(pcc * (1 - pcc) / nperm))
        ck.num(f"BH q permutation family {label}", c, r["q_value"], pq_ref.get(c))
        # the reference p: exact when the tables can be enumerated, else Monte Carlo
        if ref["ntables"] <= 1_000_000:
            _, pex = rs.exact_rx2(ref["x"], ref["rows"])
            se_ref = 0.0
        else:
            draws = max(200, min(5000, mc_state["left"]))
            mc_state["left"] -= draws
            pex = rs.mc_perm_rx2(ref["x"], ref["rows"], draws, mc_state["rng"])
            pfl = max(pex, 3 / draws)
            se_ref = math.sqrt(pfl * (1 - pfl) / draws)
        mean = (1 + nperm * pex) / (1 + nperm)
        pfl = max(pex, 3 / nperm) if se_ref else pex
        sd = math.sqrt(nperm * pfl * (1 - pfl)) / (1 + nperm)
        tol = 4 * math.sqrt(sd ** 2 + se_ref ** 2) + 1 / (1 + nperm)
        s = ck._s(f"permutation p within 4 MC se {label}")
        s["rows"] += 1
        s["maxdiff"] = max(s["maxdiff"], abs(pcc - mean))
        if abs(pcc - mean) > tol:
            ck.fail(f"permutation p within 4 MC se {label}", c,
                    f"crosscase {pcc}, reference {pex} (expected {mean:.4f} ± {tol:.4f})")
    # contrasts: each municipality against the others, in the same unit
    got = index(rows, "contrast", "code", "municipality")
    for c in D.p.codes:
        for k in D.p.municipalities:
            r = got.get((c, k))
            if r is None:
                if units[k]:
                    ck.ok(f"contrast {label}: rows present", (c, k), False, "row missing")
                continue
            n = len(units[k])
            w = sum(D.unit_has(c, u) for u in units[k])
            rn = sum(len(units[m]) for m in munis if m != k)
            rw = sum(D.unit_has(c, u) for m in munis if m != k for u in units[m])
            key = (c, k)
            ck.eq(f"contrast {label}: counts", key, (r["with_code"], r["n"], r["rest_with_code"],
                                                     r["rest_n"]), (w, n, rw, rn))
            ck.num(f"contrast {label}: share", key, r["share"], w / n if n else None)
            ck.num(f"contrast {label}: rest_share", key, r["rest_share"], rw / rn if rn else None)
            ck.num(f"contrast {label}: difference", key, r["difference"],
                   w / n - rw / rn if n and rn else None)
            lo, hi = rs.newcombe(w, n, rw, rn, CONF)
            ck.num(f"Newcombe interval (method 10) {label}", key, r["ci_low"], lo)
            ck.num(f"Newcombe interval (method 10) {label}", key, r["ci_high"], hi)
            if n and rn:
                slo, shi = rs.newcombe_statsmodels(w, n, rw, rn, CONF)
                ck.num("Newcombe: own vs statsmodels newcomb", key, lo, slo)
                ck.num("Newcombe: own vs statsmodels newcomb", key, hi, shi)


def check_wave_change(ck, D, rows, wf, wt):
    got = index(rows, "wave_change", "code", "municipality")
    for c in D.p.codes:
        for k in D.p.municipalities:
            key = (c, k, wf, wt)
            r = got.get((c, k))
            if r is None:
                ck.ok("wave change: rows present", key, False, "row missing")
                continue
            # docs/statistics.md: participant clusters are the unit, each counted once per wave
            ck.eq("wave change: unit", key, r.get("unit"), "cluster")
            cl = D.units("cluster")[k]
            a = [[s for s in u if D.p.sources[s]["wave"] == wf] for u in cl]
            b = [[s for s in u if D.p.sources[s]["wave"] == wt] for u in cl]
            a, b = [u for u in a if u], [u for u in b if u]
            xa = sum(D.unit_has(c, u) for u in a)
            xb = sum(D.unit_has(c, u) for u in b)
            ck.eq("wave change: counts", key, (r["with_from"], r["n_from"], r["with_to"], r["n_to"]),
                  (xa, len(a), xb, len(b)))
            ck.num("wave change: share_from", key, r["share_from"], xa / len(a) if a else None)
            ck.num("wave change: share_to", key, r["share_to"], xb / len(b) if b else None)
            ck.num("wave change: change", key, r["change"],
                   xb / len(b) - xa / len(a) if a and b else None)
            lo, hi = rs.newcombe(xb, len(b), xa, len(a), CONF)
            ck.num("wave change: Newcombe interval", key, r["ci_low"], lo)
            ck.num("wave change: Newcombe interval", key, r["ci_high"], hi)
            if not a or not b:
                ck.ok("undefined: wave without sources -> test none", key,
                      r["test"] == "none" and r["p_value"] is None and r["share_from" if not a else "share_to"] is None
                      and bool(r["reason"]), f"{r}")
                continue
            K, N = xa + xb, len(a) + len(b)
            if K == 0 or K == N:
                ck.ok("undefined: code in all/none of both waves -> test none", key,
                      r["test"] == "none" and r["p_value"] is None and bool(r["reason"]), f"{r}")
                continue
            table = np.array([[xa, len(a) - xa], [xb, len(b) - xb]])
            e = np.outer(table.sum(1), table.sum(0)) / N
            if e.min() >= 5:
                ck.eq("wave change: test chosen", key, r["test"], "chi_square")
                ck.num("wave change: Yates chi-square p (scipy)", key, r["p_value"],
                       rs.chi2_test(table)[2])
            else:
                ck.eq("wave change: test chosen", key, r["test"], "fisher")
                ck.num("wave change: Fisher p (scipy)", key, r["p_value"], rs.fisher_2x2(table))


def check_compare(ck, D, binary, db, run_json, nperm, seed):
    mc_state = dict(left=MC_BUDGET, rng=np.random.default_rng(seed))
    rows, _ = run_json(binary, ["compare", "--db", db, "--permutations", str(nperm)])
    check_prevalence(ck, D, rows)
    check_differences(ck, D, rows, "cluster", nperm, mc_state)
    for unit in ("source", "participant"):
        rows_u, err = run_json(binary, ["compare", "--db", db, "--permutations", str(nperm),
                                        "--unit", unit])
        check_differences(ck, D, rows_u, unit, nperm, mc_state)
    waves = list(D.p.waves)
    for wf, wt in [(waves[0], waves[-1]), (waves[0], waves[1])][: 2 if len(waves) > 2 else 1]:
        rows_w, _ = run_json(binary, ["compare", "--db", db, "--permutations", "0",
                                      "--waves", f"{wf},{wt}"])
        check_wave_change(ck, D, rows_w, wf, wt)


def check_all(ck, proj, binary, db, run_json, nperm, seed):
    D = Data(proj)
    check_compare(ck, D, binary, db, run_json, nperm, seed)


# ---------------------------------------------------------------- agreement

def _agreement_figures(values):
    """values: list of units, each a dict coder -> 0/1 (only coders with a value)."""
    units = [u for u in values if len(u) >= 2]
    coders = sorted(set(c for u in units for c in u))
    # percent agreement: the mean over units of the share of agreeing coder pairs
    pa = []
    for u in units:
        pairs = list(itertools.combinations(sorted(u), 2))
        pa.append(np.mean([u[a] == u[b] for a, b in pairs]))
    po = float(np.mean(pa)) if pa else None
    kappa = kappa_sm = None
    if len(coders) == 2:
        a = [u[coders[0]] for u in units]
        b = [u[coders[1]] for u in units]
        kappa = rs.cohen_kappa_2(a, b)
        if kappa is not None:
            kappa_sm = rs.cohen_kappa_statsmodels(a, b)
    bp = (po - 0.5) / 0.5 if po is not None else None
    rel = np.full((len(coders), len(units)), np.nan)
    for j, u in enumerate(units):
        for i, c in enumerate(coders):
            if c in u:
                rel[i, j] = u[c]
    alpha = rs.kripp_alpha_nominal(rel) if units else None
    return dict(coders=len(coders), units=len(units), po=po, kappa=kappa, kappa_sm=kappa_sm,
                bp=bp, alpha=alpha)


def check_agreement(ck, D, binary, db, run_json):
    p = D.p
    rows, _ = run_json(binary, ["agreement", "--db", db])
    got = {(r["code"], r["level"]): r for r in rows}
    pair_src = sorted(s for s, cs in D.coders.items() if len(cs) >= 2)
    by = defaultdict(list)                       # (sid, coder) -> codings
    for x in p.codings:
        by[(x[0], x[2])].append(x)
    # the pool: every code that some coder applied directly (anywhere in the project)
    direct = sorted(set(x[1] for x in p.codings))
    pooled_doc, pooled_chr = [], []
    for c in list(p.codes) + [None]:
        doc, chars = [], []
        codes_here = [c] if c is not None else direct
        for cc in codes_here:
            target = D.desc[cc] if c is not None else {cc}
            for s in pair_src:
                u = {}
                for coder in D.coders[s]:
                    u[coder] = int(any(x[1] in target for x in by[(s, coder)]))
                doc.append(u)
                text = p.sources[s]["text"]
                if text is None:
                    continue
                arrs = {}
                for coder in D.coders[s]:
                    arr = np.zeros(len(text), dtype=np.int8)
                    for x in by[(s, coder)]:
                        if x[1] in target:
                            arr[x[3]:x[4]] = 1
                    arrs[coder] = arr
                chars.append(arrs)
        for level, units in (("document", doc), ("character", chars)):
            key = (c, level)
            r = got.get(key)
            if level == "character":
                # expand the per-source arrays into per-character units, vectorised
                ref = _char_agreement(units)
            else:
                ref = _agreement_figures(units)
            if r is None:
                ck.ok("agreement: rows present", key, False, f"row missing (reference {ref})")
                continue
            what = "pooled" if c is None else "per code"
            ck.eq(f"agreement {level} {what}: coders, units", key, (r["coders"], r["units"]),
                  (ref["coders"], ref["units"]))
            ck.num(f"agreement {level} {what}: percent agreement", key, r["percent_agreement"], ref["po"])
            ck.num(f"agreement {level} {what}: Cohen kappa", key, r["cohen_kappa"], ref["kappa"])
            if ref.get("kappa_sm") is not None:
                ck.num("Cohen kappa: own vs statsmodels cohens_kappa", key, ref["kappa"], ref["kappa_sm"])
            ck.num(f"agreement {level} {what}: Brennan-Prediger", key, r["brennan_prediger"], ref["bp"])
            ck.num(f"agreement {level} {what}: Krippendorff alpha (krippendorff pkg)", key,
                   r["krippendorff_alpha"], ref["alpha"])
            if ref["coders"] >= 3:
                ck.ok("undefined: kappa null with three coders", key, r["cohen_kappa"] is None,
                      f"kappa {r['cohen_kappa']}")
    extra = set(got) - set((c, l) for c in list(p.codes) + [None] for l in ("document", "character"))
    ck.ok("agreement: no unexpected rows", None, not extra, f"extra rows {sorted(map(str, extra))[:5]}")


def _char_agreement(sources):
    """Character-level units: each source is a dict coder -> 0/1 array over its characters."""
    coders = sorted(set(c for s in sources for c in s))
    cols = []
    for s in sources:
        n = len(next(iter(s.values())))
        block = np.full((len(coders), n), np.nan)
        for i, c in enumerate(coders):
            if c in s:
                block[i] = s[c]
        cols.append(block)
    if not cols:
        return dict(coders=0, units=0, po=None, kappa=None, bp=None, alpha=None)
    rel = np.concatenate(cols, axis=1)
    have = ~np.isnan(rel)
    m = have.sum(0)
    rel = rel[:, m >= 2]
    have = have[:, m >= 2]
    active = [i for i in range(len(coders)) if have[i].any()]
    rel, have = rel[active], have[active]
    # percent agreement: per unit, the share of agreeing pairs
    agree = np.zeros(rel.shape[1])
    npairs = np.zeros(rel.shape[1])
    for i, j in itertools.combinations(range(len(active)), 2):
        both = have[i] & have[j]
        agree += both & (rel[i] == rel[j])
        npairs += both
    po = float(np.mean(agree / npairs)) if rel.shape[1] else None
    kappa = kappa_sm = None
    if len(active) == 2:
        kappa = rs.cohen_kappa_2(rel[0], rel[1])
        if kappa is not None:
            kappa_sm = rs.cohen_kappa_statsmodels(rel[0], rel[1])
    alpha = rs.kripp_alpha_nominal(rel) if rel.shape[1] else None
    return dict(coders=len(active), units=rel.shape[1], po=po, kappa=kappa, kappa_sm=kappa_sm,
                bp=(po - 0.5) / 0.5 if po is not None else None, alpha=alpha)


_prev_check_all = check_all


def check_all(ck, proj, binary, db, run_json, nperm, seed):  # noqa: F811
    D = Data(proj)
    check_compare(ck, D, binary, db, run_json, nperm, seed)
    check_agreement(ck, D, binary, db, run_json)
    check_cooccur(ck, D, binary, db, run_json)
    check_survey(ck, D, binary, db, run_json)
    check_ideas(ck, D, binary, db, run_json)
    check_ideas(ck, D, binary, db, run_json, exits="exit-date")


# ---------------------------------------------------------------- co-occurrence

def check_cooccur(ck, D, binary, db, run_json, within=200):
    p = D.p
    rows, _ = run_json(binary, ["cooccur", "--db", db, "--within", str(within)])
    got = {}
    for r in rows:
        got[(r["code_a"], r["code_b"], r["municipality"])] = r
    codes = list(p.codes)
    scopes = [None] + list(p.municipalities)
    expected = set()
    for k in scopes:
        sids = list(p.sources) if k is None else D.by_muni[k]
        for i, a in enumerate(codes):
            for b in codes[i + 1:]:
                if a in D.anc[b] or b in D.anc[a]:
                    continue
                sa = [s for s in sids if a in D.src_codes[s]]
                sb = [s for s in sids if b in D.src_codes[s]]
                both = set(sa) & set(sb)
                if not both:
                    continue
                r = got.get((a, b, k))
                flip = False
                if r is None and (b, a, k) in got:
                    r, flip = got[(b, a, k)], True
                expected.add((a, b, k) if not flip else (b, a, k))
                key = (a, b, k)
                if r is None:
                    ck.ok("cooccur: rows present", key, False, "row missing")
                    continue
                if flip:
                    a_, b_ = b, a
                else:
                    a_, b_ = a, b
                sa = [s for s in sids if a_ in D.src_codes[s]]
                sb = [s for s in sids if b_ in D.src_codes[s]]
                n_ov = n_wi = ova = ovb = 0
                sega = sum(len(D.segments[(a_, s)]) for s in sids)
                segb = sum(len(D.segments[(b_, s)]) for s in sids)
                for s in both:
                    A = sorted(D.segments[(a_, s)])
                    B = sorted(D.segments[(b_, s)])
                    ov = np.array([[x0 < y1 and y0 < x1 for (y0, y1) in B] for (x0, x1) in A])
                    gap = np.array([[max(0, y0 - x1, x0 - y1) for (y0, y1) in B] for (x0, x1) in A])
                    n_ov += int(ov.sum())
                    n_wi += int((ov | (gap <= within)).sum())
                    ova += int(ov.any(1).sum())
                    ovb += int(ov.any(0).sum())
                n12 = (ova + ovb) / 2
                ck.eq("cooccur: sources_a, sources_b, same_source", key,
                      (r["sources_a"], r["sources_b"], r["same_source"]), (len(sa), len(sb), len(both)))
                ck.eq("cooccur: segments_a, segments_b", key, (r["segments_a"], r["segments_b"]),
                      (sega, segb))
                ck.eq("cooccur: overlapping pairs", key, r["overlapping"], n_ov)
                ck.eq("cooccur: within pairs", key, r["within"], n_wi)
                ck.eq("cooccur: overlapping_a, overlapping_b", key,
                      (r["overlapping_a"], r["overlapping_b"]), (ova, ovb))
                ck.num("cooccur: jaccard", key, r["jaccard"], len(both) / (len(sa) + len(sb) - len(both)))
                ck.num("cooccur: c_coefficient", key, r["c_coefficient"],
                       n12 / (sega + segb - n12) if sega + segb - n12 > 0 else None)
    extra = set(got) - expected
    ck.ok("cooccur: no unexpected rows", None, not extra, f"{len(extra)} extra rows, e.g. {sorted(map(str, extra))[:3]}")


# ---------------------------------------------------------------- surveys

def _survey_values(spec, rows):
    lo, hi = spec["scale"]
    miss = set(m.lower() for m in spec["missing"])
    out = []
    for r in rows:
        vals = {}
        for it, dim, rev in spec["items"]:
            v = r["answers"][it]
            if v == "" or (isinstance(v, str) and v.lower() in miss):
                vals[it] = None
            else:
                vals[it] = int(v)
        out.append(dict(r, vals=vals))
    return out


def _index(spec, resp, dim):
    lo, hi = spec["scale"]
    its = [(it, rev) for it, d, rev in spec["items"] if d == dim]
    vals = [(lo + hi - resp["vals"][it]) if rev else resp["vals"][it]
            for it, rev in its if resp["vals"][it] is not None]
    if 2 * len(vals) < len(its):
        return None, None
    full = len(vals) == len(its)
    return float(np.mean(vals)), (vals if full else None)


def check_survey(ck, D, binary, db, run_json):
    p = D.p
    rows, _ = run_json(binary, ["survey", "--db", db])
    items_got = index(rows, "item", "instrument", "wave", "group", "item")
    index_got = index(rows, "index", "instrument", "wave", "group", "dimension")
    tests_got = {}
    for r in rows:
        if r["kind"] == "test":
            tests_got[(r["instrument"], r["wave"], r["target"], r["test"], r["group_a"], r["group_b"])] = r
    pp_got = index(rows, "pre_post", "instrument", "group", "target")
    for inst, sv in p.surveys.items():
        spec = sv["spec"]
        lo, hi = spec["scale"]
        resp = _survey_values(spec, sv["rows"])
        dims = sorted(set(d for _, d, _ in spec["items"]))
        targets = [(it, "item") for it, _, _ in spec["items"]] + [(d, "index") for d in dims]

        def values(rs_, target, kind):
            if kind == "item":
                return [float(r["vals"][target]) for r in rs_ if r["vals"][target] is not None]
            return [v for v in (_index(spec, r, target)[0] for r in rs_) if v is not None]

        if spec["design"] == "waves":
            waves = sorted(set(r["wave"] for r in resp))
            for w in waves:
                inw = [r for r in resp if r["wave"] == w]
                munis = [k for k in p.municipalities if any(r["kommunkod"] == k for r in inw)]
                groups = [(k, [r for r in inw if r["kommunkod"] == k]) for k in munis] + [("all", inw)]
                for g, grs in groups:
                    for it, dim, rev in spec["items"]:
                        key = (inst, w, g, it)
                        r = items_got.get(key)
                        if r is None:
                            ck.ok("survey item: rows present", key, False, "row missing")
                            continue
                        v = np.array(values(grs, it, "item"))
                        ck.eq("survey item: n, no_answer", key, (r["n"], r["no_answer"]),
                              (len(v), len(grs) - len(v)))
                        dist = [int(np.sum(v == s)) for s in range(lo, hi + 1)]
                        ck.eq("survey item: distribution", key, r["distribution"], dist)
                        ck.num("survey item: mean", key, r["mean"], float(v.mean()) if len(v) else None)
                        ck.num("survey item: median (numpy, R's)", key, r["median"],
                               float(np.median(v)) if len(v) else None)
                        t2 = int(np.sum(v >= hi - 1))
                        ck.num("survey item: top-two share", key, r["top_two"], t2 / len(v) if len(v) else None)
                        wl, wh = rs.wilson(t2, len(v), CONF)
                        ck.num("survey item: Wilson (statsmodels wilson)", key, r["top_two_low"], wl)
                        ck.num("survey item: Wilson (statsmodels wilson)", key, r["top_two_high"], wh)
                    for dim in dims:
                        key = (inst, w, g, dim)
                        r = index_got.get(key)
                        if r is None:
                            ck.ok("survey index: rows present", key, False, "row missing")
                            continue
                        idx = [_index(spec, x, dim) for x in grs]
                        v = np.array([a for a, _ in idx if a is not None])
                        full = [b for _, b in idx if b is not None]
                        ck.eq("survey index: n, alpha_n", key, (r["n"], r["alpha_n"]), (len(v), len(full)))
                        ck.num("survey index: mean", key, r["mean"], float(v.mean()) if len(v) else None)
                        ck.num("survey index: median", key, r["median"], float(np.median(v)) if len(v) else None)
                        ck.num("Cronbach alpha (sample variances)", key, r["cronbach_alpha"],
                               rs.cronbach_alpha(full) if full else None)
                # tests across municipalities, BH within instrument and wave
                kw_ref, mw_ref = {}, {}
                for target, tk in targets:
                    gv = [(k, values(grs, target, tk)) for k, grs in groups if k != "all"]
                    gv = [(k, x) for k, x in gv if len(x) > 0]
                    kw_ref[target] = (rs.kruskal([x for _, x in gv]), sum(len(x) for _, x in gv), len(gv))
                    for (ka, xa), (kb, xb) in itertools.combinations(gv, 2):
                        mw_ref[(target, ka, kb)] = (rs.mann_whitney(xa, xb), len(xa) + len(xb))
                kw_fam = [t for t, v in kw_ref.items() if v[0][2] is not None]
                kw_q = dict(zip(kw_fam, rs.bh([kw_ref[t][0][2] for t in kw_fam])))
                mw_fam = [t for t, v in mw_ref.items() if v[0][1] is not None]
                mw_q = dict(zip(mw_fam, rs.bh([mw_ref[t][0][1] for t in mw_fam])))
                for target, ((h, df, pv), n, ng) in kw_ref.items():
                    key = (inst, w, target)
                    r = tests_got.get((inst, w, target, "kruskal_wallis", None, None))
                    if r is None:
                        ck.ok("survey KW: rows present", key, False, "row missing")
                        continue
                    ck.eq("survey KW: n, groups", key, (r["n"], r["groups"]), (n, ng))
                    ck.num("Kruskal-Wallis H (scipy kruskal)", key, r["statistic"], h, rel=True)
                    ck.num("Kruskal-Wallis p (scipy kruskal)", key, r["p_value"], pv)
                    ck.num("Kruskal-Wallis BH q (instrument x wave)", key, r["q_value"], kw_q.get(target))
                    if h is None:
                        ck.ok("undefined: rank test null with a reason", key, bool(r["reason"]), r["reason"])
                for (target, ka, kb), ((u, pv), n) in mw_ref.items():
                    key = (inst, w, target, ka, kb)
                    r = tests_got.get((inst, w, target, "mann_whitney", ka, kb))
                    flip = False
                    if r is None:
                        r = tests_got.get((inst, w, target, "mann_whitney", kb, ka))
                        flip = r is not None
                    if r is None:
                        ck.ok("survey MW: rows present", key, False, "row missing")
                        continue
                    if flip:
                        na = len(values([x for x in inw if x["kommunkod"] == ka], target,
                                        dict(targets)[target]))
                        u = None if u is None else (na * (n - na) - u)
                    ck.eq("survey MW: n", key, r["n"], n)
                    ck.num("Mann-Whitney U (scipy mannwhitneyu)", key, r["statistic"], u, rel=True)
                    ck.num("Mann-Whitney p (scipy mannwhitneyu)", key, r["p_value"], pv)
                    ck.num("Mann-Whitney BH q (instrument x wave)", key, r["q_value"], mw_q.get((target, ka, kb)))
                    if u is None:
                        ck.ok("undefined: rank test null with a reason", key,
                              r["q_value"] is None and bool(r["reason"]), r["reason"])
        else:
            munis = [k for k in p.municipalities if any(r["kommunkod"] == k for r in resp)]
            groups = [(k, [r for r in resp if r["kommunkod"] == k]) for k in munis] + [("all", resp)]
            for g, grs in groups:
                for target, tk in targets:
                    key = (inst, g, target)
                    r = pp_got.get(key)
                    if r is None:
                        ck.ok("survey pre/post: rows present", key, False, "row missing")
                        continue
                    rev = tk == "item" and dict((i, rv) for i, _, rv in spec["items"])[target]

                    def val(x):
                        if tk == "item":
                            v = x["vals"][target]
                            return None if v is None else float(v)
                        return _index(spec, x, target)[0]
                    pre = {x["respondent"]: val(x) for x in grs if x["wave"] == "pre"}
                    post = {x["respondent"]: val(x) for x in grs if x["wave"] == "post"}
                    pre = {a: b for a, b in pre.items() if b is not None}
                    post = {a: b for a, b in post.items() if b is not None}
                    both = sorted(set(pre) & set(post))
                    ck.eq("survey pre/post: n_pre, n_post, pairs", key,
                          (r["n_pre"], r["n_post"], r["pairs"]), (len(pre), len(post), len(both)))
                    if both:
                        ck.eq("survey pre/post: design", key, r["design"], "paired")
                        a = np.array([pre[x] for x in both])
                        b = np.array([post[x] for x in both])
                        ck.num("pre/post paired: means", key, r["mean_pre"], float(a.mean()))
                        ck.num("pre/post paired: means", key, r["mean_post"], float(b.mean()))
                        res = rs.wilcoxon_signed(b - a)
                        stat, pv = (res[0], res[1]) if res[0] is not None else (None, None)
                        ck.num("Wilcoxon signed-rank min(W+,W-) (scipy wilcoxon)", key, r["statistic"], stat, rel=True)
                        ck.num("Wilcoxon signed-rank p (scipy wilcoxon)", key, r["p_value"], pv)
                        imp = int(np.sum(rs.tie_round(b - a) < 0)) if rev else int(np.sum(rs.tie_round(b - a) > 0))
                        ck.eq("pre/post paired: improved", key, r["improved"], imp)
                        wl, wh = rs.wilson(imp, len(both), CONF)
                        ck.num("pre/post paired: improved share + Wilson", key, r["improved_share"], imp / len(both))
                        ck.num("pre/post paired: improved share + Wilson", key, r["improved_low"], wl)
                        ck.num("pre/post paired: improved share + Wilson", key, r["improved_high"], wh)
                    else:
                        ck.eq("survey pre/post: design", key, r["design"], "unpaired")
                        a, b = list(pre.values()), list(post.values())
                        ck.num("pre/post unpaired: means", key, r["mean_pre"], float(np.mean(a)) if a else None)
                        ck.num("pre/post unpaired: means", key, r["mean_post"], float(np.mean(b)) if b else None)
                        u, pv = rs.mann_whitney(b, a) if a and b else (None, None)
                        ck.num("pre/post unpaired: Mann-Whitney U of after (scipy)", key, r["statistic"], u, rel=True)
                        ck.num("pre/post unpaired: Mann-Whitney p (scipy)", key, r["p_value"], pv)


# ---------------------------------------------------------------- ideas

PROGRESS = ["submitted", "assessed", "tested", "implemented", "spread"]
EXITS = ["rejected", "withdrawn"]


def check_ideas(ck, D, binary, db, run_json, exits="end-of-follow-up"):
    p = D.p
    rows, _ = run_json(binary, ["ideas", "--db", db, "--exits", exits])
    tag = "" if exits == "end-of-follow-up" else " [exit-date]"
    ev = defaultdict(dict)
    for iid, stage, date in p.events:
        ev[iid][stage] = date
    info = {}
    for iid, idea in p.ideas.items():
        e = ev[iid]
        top = max([0] + [PROGRESS.index(s) for s in e if s in PROGRESS])
        impl = [e[s] for s in ("implemented", "spread") if s in e]
        if impl:
            t, d = (min(impl) - idea["submitted"]).days, True
        else:
            ex = [e[s] for s in EXITS if s in e]
            end = ex[0] if (ex and exits == "exit-date") else p.observed_until
            t, d = (end - idea["submitted"]).days, False
        info[iid] = dict(kk=idea["kk"], top=top, exits=[s for s in EXITS if s in e], t=t, d=d)
    munis = [k for k in p.municipalities if any(v["kk"] == k for v in info.values())]
    groups = [(k, [i for i, v in info.items() if v["kk"] == k]) for k in munis] + [("all", list(info))]
    emp = {}
    for k in munis:
        own = [e for kk, u, e in p.headcounts if kk == k and u == ""]
        units = [e for kk, u, e in p.headcounts if kk == k and u != ""]
        emp[k] = own[0] if own else (sum(units) if units else None)
    emp["all"] = sum(emp[k] for k in munis) if all(emp[k] is not None for k in munis) else None
    funnel = index(rows, "funnel", "group", "stage")
    surv = index(rows, "survival", "group", "days")
    med = index(rows, "median", "group")
    if exits == "end-of-follow-up":
        for g, ids in groups:
            n = len(ids)
            prev = None
            for s in PROGRESS + EXITS:
                key = (g, s)
                r = funnel.get(key)
                if r is None:
                    ck.ok("ideas funnel: rows present", key, False, "row missing")
                    continue
                if s in PROGRESS:
                    reached = sum(info[i]["top"] >= PROGRESS.index(s) for i in ids)
                else:
                    reached = sum(s in info[i]["exits"] for i in ids)
                ck.eq("ideas funnel: ideas, reached", key, (r["ideas"], r["reached"]), (n, reached))
                ck.eq("ideas funnel: employees", key, r["employees"], emp[g])
                ck.num("ideas funnel: per 100 employees", key, r["ideas_per_100_employees"],
                       100 * n / emp[g] if emp[g] else None)
                lo, hi = rs.wilson(reached, n, CONF)
                ck.num("ideas funnel: share", key, r["share"], reached / n)
                ck.num("ideas funnel: share Wilson (statsmodels)", key, r["share_low"], lo)
                ck.num("ideas funnel: share Wilson (statsmodels)", key, r["share_high"], hi)
                if s in PROGRESS:
                    if prev is None:
                        ck.ok("ideas funnel: first stage has no conversion", key,
                              r["conversion"] is None, f"{r['conversion']}")
                    else:
                        c = reached / prev if prev else None
                        lo, hi = rs.wilson(reached, prev, CONF)
                        ck.num("ideas funnel: conversion", key, r["conversion"], c)
                        ck.num("ideas funnel: conversion Wilson (statsmodels)", key, r["conversion_low"], lo)
                        ck.num("ideas funnel: conversion Wilson (statsmodels)", key, r["conversion_high"], hi)
                    prev = reached
    for g, ids in groups:
        t = [info[i]["t"] for i in ids]
        d = [info[i]["d"] for i in ids]
        km = rs.kaplan_meier(t, d, CONF)
        got_days = sorted(k[1] for k in surv if k[0] == g)
        ref_days = sorted(r["days"] for r in km)
        ev_days = sorted(r["days"] for r in km if r["implemented"] > 0)
        ck.ok(f"KM{tag}: rows at the times of the curve", g, got_days in (ref_days, ev_days),
              f"crosscase days {got_days[:8]}..., reference {ref_days[:8]}...")
        for row in km:
            key = (g, row["days"])
            r = surv.get(key)
            if r is None:
                continue
            ck.eq(f"KM{tag}: at_risk, implemented, censored", key,
                  (r["at_risk"], r["implemented"], r["censored"]),
                  (row["at_risk"], row["implemented"], row["censored"]))
            ck.num(f"KM{tag}: S(t)", key, r["not_implemented"], row["surv"])
            ck.num(f"KM{tag}: Greenwood std err", key, r["std_err"], row["std_err"])
            ck.num(f"KM{tag}: log interval", key, r["ci_low"], row["lo"])
            ck.num(f"KM{tag}: log interval", key, r["ci_high"], row["hi"])
        last = max(t)
        m, lo, hi = rs.km_median(km, last)
        r = med.get((g,))
        if r is None:
            ck.ok(f"KM median{tag}: rows present", g, False, "row missing")
            continue
        ck.eq(f"KM median{tag}: ideas, implemented", g, (r["ideas"], r["implemented"]), (len(ids), sum(d)))
        ck.num(f"KM median{tag} (quantile.survfit)", g, r["median_days"], m)
        ck.num(f"KM median{tag} Brookmeyer-Crowley interval", g, r["ci_low"], lo)
        ck.num(f"KM median{tag} Brookmeyer-Crowley interval", g, r["ci_high"], hi)
        if m is None or lo is None or hi is None:
            ck.ok("undefined: median or limit null with a reason", g, bool(r["reason"]), r["reason"])
    lr = [r for r in rows if r["kind"] == "log_rank"]
    ids = [i for k in munis for i in info if info[i]["kk"] == k]
    chi, df, pv = rs.log_rank([info[i]["t"] for i in ids], [info[i]["d"] for i in ids],
                              [info[i]["kk"] for i in ids])
    ck.eq(f"log-rank{tag}: one row", None, len(lr), 1)
    if lr:
        ck.num(f"log-rank{tag} chi2 (survdiff)", None, lr[0]["statistic"], chi, rel=True)
        ck.eq(f"log-rank{tag} df", None, lr[0]["df"], df)
        ck.num(f"log-rank{tag} p", None, lr[0]["p_value"], pv)
