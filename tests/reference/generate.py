"""Held-out synthetic projects in crosscase's native CSV format (docs/project-format.md).

Every project is drawn from a numpy Generator with its own seed; the generator returns the
data it wrote as plain Python structures too, so that the reference computations in
check_statistics.py work from the generated data and never from crosscase's output.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
from dataclasses import dataclass, field

import numpy as np

ROLES = ["top_manager", "middle_manager", "first_line_manager", "employee", "politician",
         "intermediary", "other"]
WORDS = ("och att det som en på är för med till av inte den har de vi om så ett men kan "
         "idé idéer förändring ledning chef medarbetare verksamhet utveckling stöd tid "
         "resurser kultur struktur samverkan uppföljning tillit mandat innovation "
         "äldreomsorg skola förvaltning kommun beslut prövning spridning lärande").split()


@dataclass
class Project:
    seed: int
    name: str
    dir: str
    municipalities: list = field(default_factory=list)      # [kommunkod]
    units: dict = field(default_factory=dict)               # unit -> kommunkod
    participants: dict = field(default_factory=dict)        # pid -> (kommunkod, unit, role)
    waves: dict = field(default_factory=dict)               # wave -> (start, end) dates
    codes: dict = field(default_factory=dict)               # code -> parent or None
    sources: dict = field(default_factory=dict)             # sid -> dict(kk, wave, parts, text)
    codings: list = field(default_factory=list)             # (sid, code, coder, start, end)
    primary_coder: str = "AL"
    surveys: dict = field(default_factory=dict)             # id -> dict(spec, rows)
    ideas: dict = field(default_factory=dict)               # id -> dict(kk, unit, submitted, wave, codes)
    events: list = field(default_factory=list)              # (idea, stage, date)
    headcounts: list = field(default_factory=list)          # (kk, unit or '', employees)
    observed_until: dt.date = None


def _write_csv(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        for r in rows:
            w.writerow(r)


def _text(rng, n_chars):
    out = []
    length = 0
    while length < n_chars:
        w = WORDS[rng.integers(len(WORDS))]
        out.append(w)
        length += len(w) + 1
    s = " ".join(out)[:n_chars]
    return s.capitalize()


def _date_in(rng, start, end):
    return start + dt.timedelta(days=int(rng.integers(0, (end - start).days + 1)))


def generate(seed: int, root: str, kommuner_csv: str, variant: int) -> Project:
    """variant 0, 1, 2 switches on different edge cases (see the comments)."""
    rng = np.random.default_rng(seed)
    d = os.path.join(root, f"project-{seed}")
    os.makedirs(os.path.join(d, "texts"), exist_ok=True)
    os.makedirs(os.path.join(d, "surveys"), exist_ok=True)
    p = Project(seed=seed, name=f"Held-out reference project {seed}", dir=d)

    with open(kommuner_csv, encoding="utf-8") as f:
        kommuner = [(r["kommunkod"], r["kommun"]) for r in csv.DictReader(f)]
    n_m = 7 if variant == 0 else int(rng.integers(4, 7))
    picked = sorted(rng.choice(len(kommuner), size=n_m, replace=False))
    munis = [kommuner[i] for i in picked]
    p.municipalities = [k for k, _ in munis]
    # variant 2: the last municipality has no sources at all (its shares must be null)
    empty_muni = p.municipalities[-1] if variant == 2 else None

    # waves
    n_w = 3 if variant != 1 else 2
    years = [2016, 2018, 2019][:n_w]
    for i, y in enumerate(years):
        p.waves[f"w{i+1}"] = (dt.date(y, 1, 1), dt.date(y, 12, 31))
    wave_ids = list(p.waves)

    # units and participants
    for k in p.municipalities:
        for u in range(int(rng.integers(1, 3))):
            p.units[f"{k}-U{u+1}"] = k
    for k in p.municipalities:
        if k == empty_muni:
            continue
        ku = [u for u, kk in p.units.items() if kk == k]
        # variant 0: the last municipality is tiny (small expected counts beside large ones)
        tiny = variant == 0 and k == p.municipalities[-1]
        for j in range(2 if tiny else int(rng.integers(9, 16) if variant == 0 else rng.integers(8, 15) if variant == 1 else rng.integers(5, 15))):
            p.participants[f"P{k}-{j+1:02d}"] = (k, ku[rng.integers(len(ku))],
                                                  ROLES[rng.integers(len(ROLES))])

    # codebook: top-level codes, some with children, one grandchild
    n_top = int(rng.integers(5, 8))
    for t in range(n_top):
        top = f"t{t+1}"
        p.codes[top] = None
        for c in range(int(rng.choice([0, 0, 1, 2, 3]))):
            child = f"{top}.c{c+1}"
            p.codes[child] = top
            if rng.random() < 0.25:
                p.codes[f"{child}.g1"] = child
    while len(p.codes) < 10:
        p.codes[f"x{len(p.codes)}"] = None
    codes = list(p.codes)[:20]
    p.codes = {c: p.codes[c] for c in codes if p.codes[c] is None or p.codes[c] in codes}
    codes = list(p.codes)
    leaves = [c for c in codes if c not in p.codes.values()]
    # base prevalences: rare, medium and common codes; one leaf never used
    base = {}
    for c in codes:
        r = rng.random()
        base[c] = (rng.uniform(0.02, 0.06) if r < 0.35 else
                   rng.uniform(0.1, 0.4) if r < 0.8 else rng.uniform(0.5, 0.85))
    never = leaves[-1]
    base[never] = 0.0
    # variant 0: every source has a text and one code is in every source
    always = leaves[0] if variant == 0 else None
    if always:
        base[always] = 1.0
    parents_directly = {c for c in codes if c in p.codes.values() and rng.random() < 0.6}

    # sources: interviews of each participant (1-4 across waves), group sessions, documents
    src_rows = []

    def add_source(k, kind, parts, wave):
        sid = f"S{len(p.sources)+1:03d}-{k}"
        start, end = p.waves[wave]
        has_text = not (variant != 0 and rng.random() < 0.05)
        text = _text(rng, int(rng.integers(200, 700))) if has_text else None
        unit = p.participants[parts[0]][1] if parts else ""
        p.sources[sid] = dict(kk=k, wave=wave, parts=list(parts), text=text, kind=kind,
                              unit=unit)
        src_rows.append([sid, kind, k, unit, _date_in(rng, start, end).isoformat(), wave,
                         "|".join(parts), "", int(rng.integers(20, 120)), f"Källa {sid}",
                         f"texts/{sid}.txt" if has_text else ""])
        if has_text:
            with open(os.path.join(d, "texts", f"{sid}.txt"), "w", encoding="utf-8") as f:
                f.write(text)

    for k in p.municipalities:
        if k == empty_muni:
            continue
        # variant 1: the first municipality was visited in the first wave only
        kw = wave_ids[:1] if (variant == 1 and k == p.municipalities[0]) else wave_ids
        pids = [q for q, v in p.participants.items() if v[0] == k]
        tiny = variant == 0 and k == p.municipalities[-1]
        for q in pids:
            for _ in range(1 if tiny else int(rng.integers(1, 5))):
                add_source(k, "interview", [q], kw[rng.integers(len(kw))])
        for _ in range(0 if tiny else int(rng.integers(0, 3))):
            group = sorted(rng.choice(pids, size=min(len(pids), int(rng.integers(2, 4))),
                                      replace=False))
            for _ in range(int(rng.integers(1, 3))):
                add_source(k, "workshop", group, kw[rng.integers(len(kw))])
        for _ in range(0 if tiny else int(rng.integers(0, 4))):
            add_source(k, ["document", "observation"][rng.integers(2)], [],
                       kw[rng.integers(len(kw))])
    _write_csv(os.path.join(d, "sources.csv"),
               ["source_id", "kind", "kommunkod", "unit_id", "date", "wave_id", "participants",
                "setting", "duration_min", "title", "text_file"], src_rows)

    # codings: propensity = base × municipality effect × participant effect
    m_eff = {(k, c): float(np.exp(rng.normal(0, 0.6))) for k in p.municipalities for c in codes}
    p_eff = {q: float(np.exp(rng.normal(0, 0.5))) for q in p.participants}
    coded = set()

    def seg(text):
        n = len(text)
        a = int(rng.integers(0, n - 10))
        b = min(n, a + int(rng.integers(5, 120)))
        return a, b

    def add(sid, code, coder, a, b):
        key = (sid, code, coder, a, b)
        if key not in coded:
            coded.add(key)
            p.codings.append(key)

    al_codings = {}
    for sid, s in p.sources.items():
        if s["text"] is None:
            continue
        pe = np.mean([p_eff[q] for q in s["parts"]]) if s["parts"] else 1.0
        segs = []
        for c in codes:
            if c in p.codes.values() and c not in parents_directly:
                continue
            pr = 1.0 if c == always else min(0.97, base[c] * m_eff[(s["kk"], c)] * pe)
            if base[c] == 0.0:
                pr = 0.0
            if rng.random() < pr:
                for _ in range(int(rng.integers(1, 4))):
                    a, b = seg(s["text"])
                    segs.append((c, a, b))
                    # the same segment coded with its parent too (counts once for it)
                    if p.codes[c] is not None and rng.random() < 0.15:
                        segs.append((p.codes[c], a, b))
                    # the same segment coded with another code
                    if rng.random() < 0.1:
                        other = [x for x in leaves if x != c and x != never]
                        segs.append((other[rng.integers(len(other))], a, b))
        al_codings[sid] = segs

    text_sids = [sid for sid, s in p.sources.items() if s["text"] is not None]
    second = set(sid for sid in text_sids if rng.random() < 0.3)
    bk_only = set(sid for sid in text_sids if sid not in second and rng.random() < 0.04)
    third = set()
    if variant == 1:          # a third coder who codes other sources alone
        third = set(sid for sid in text_sids if sid not in second | bk_only and rng.random() < 0.05)
    if variant == 2:          # a third coder who shares sources with AL and BK
        third = set(list(sorted(second))[:5])
    for sid in text_sids:
        segs = al_codings[sid]
        text = p.sources[sid]["text"]
        if sid in bk_only:
            for c, a, b in segs:
                add(sid, c, "BK", a, b)
            continue
        if variant == 1 and sid in third:
            for c, a, b in segs:
                add(sid, c, "CJ", a, b)
            continue
        for c, a, b in segs:
            add(sid, c, "AL", a, b)
        for coder, flag in (("BK", sid in second), ("CJ", variant == 2 and sid in third)):
            if not flag:
                continue
            for c, a, b in segs:
                r = rng.random()
                if r < 0.12:
                    continue                       # missed
                if r < 0.35:                       # boundaries differ
                    a2 = max(0, a + int(rng.integers(-8, 9)))
                    b2 = min(len(text), max(a2 + 1, b + int(rng.integers(-8, 9))))
                    add(sid, c, coder, a2, b2)
                else:
                    add(sid, c, coder, a, b)
            if rng.random() < 0.4:                 # an extra coding
                c = leaves[rng.integers(len(leaves) - 1)]
                a, b = seg(text)
                add(sid, c, coder, a, b)
            if not any(x[0] == sid and x[2] == coder for x in p.codings):
                a, b = seg(text)
                add(sid, leaves[0], coder, a, b)

    # files
    toml = [f'name = "{p.name}"', 'language = "sv"', "disclosure_threshold = 5",
            f'primary_coder = "{p.primary_coder}"']
    p.observed_until = dt.date(years[-1], 12, 31)
    toml += ["", "[ideas]", f'observed_until = "{p.observed_until.isoformat()}"']
    with open(os.path.join(d, "project.toml"), "w", encoding="utf-8") as f:
        f.write("\n".join(toml) + "\n")
    _write_csv(os.path.join(d, "municipalities.csv"), ["kommunkod", "name"], munis)
    _write_csv(os.path.join(d, "units.csv"), ["unit_id", "kommunkod", "name"],
               [[u, k, f"Enhet {u}"] for u, k in p.units.items()])
    _write_csv(os.path.join(d, "participants.csv"),
               ["participant_id", "kommunkod", "unit_id", "role"],
               [[q, *v] for q, v in p.participants.items()])
    _write_csv(os.path.join(d, "waves.csv"), ["wave_id", "name", "start", "end"],
               [[w, f"Våg {w}", a.isoformat(), b.isoformat()] for w, (a, b) in p.waves.items()])
    _write_csv(os.path.join(d, "codebook.csv"),
               ["code_id", "parent_id", "label_sv", "label_en", "description", "colour"],
               [[c, par or "", f"Kod {c}", f"Code {c}", "", ""] for c, par in p.codes.items()])
    _write_csv(os.path.join(d, "codings.csv"), ["source_id", "code_id", "coder", "start", "end"],
               [list(x) for x in p.codings])

    _surveys(p, rng, variant, empty_muni)
    _ideas(p, rng, variant, empty_muni)
    return p


def _surveys(p, rng, variant, empty_muni):
    d = p.dir
    munis = [k for k in p.municipalities if k != empty_muni]
    wave_ids = list(p.waves)
    # instrument in waves: two dimensions, a reverse-coded item
    items = [("q1", "stod", False), ("q2", "stod", False), ("q3", "stod", True),
             ("q4", "struktur", False), ("q5", "struktur", False), ("q6", "struktur", False)]
    rows = []
    for k in munis:
        level = rng.normal(0, 0.5)
        for r in range(int(rng.integers(6, 16))):
            person = rng.normal(level, 0.7)
            for w in wave_ids:
                if rng.random() < 0.2:
                    continue
                answers = {}
                for it, dim, rev in items:
                    x = 3 + person + rng.normal(0, 0.8) + (0.3 if dim == "struktur" else 0)
                    v = int(np.clip(np.rint(6 - x if rev else x), 1, 5))
                    u = rng.random()
                    answers[it] = "vet ej" if u < 0.05 else "" if u < 0.09 else v
                # variant 2: everyone in the first two municipalities answers 4 on q6 in w1
                if variant == 2 and w == "w1" and k in munis[:2]:
                    answers["q6"] = 4
                rows.append(dict(respondent=f"E{k}-{r+1:02d}", kommunkod=k,
                                 role=ROLES[rng.integers(3)], wave=w, answers=answers))
    spec = dict(design="waves", scale=(1, 5), missing=["vet ej"], items=items)
    p.surveys["enkat"] = dict(spec=spec, rows=rows)
    head = ['name_sv = "Enkät"', 'design = "waves"', "scale = [1, 5]", 'missing = ["vet ej"]',
            "", "[[dimensions]]", 'id = "stod"', 'label_sv = "Stöd"', "",
            "[[dimensions]]", 'id = "struktur"', 'label_sv = "Struktur"']
    _write_instrument(d, "enkat", head, items, rows, long=variant == 1)

    # a small instrument on a 1-10 scale, few respondents: rank tests without ties (exact path)
    items = [("a1", "d", False), ("a2", "d", True), ("a3", "d", False)]
    rows = []
    for k in munis:
        for r in range(int(rng.integers(3, 6))):
            answers = {it: int(rng.integers(1, 11)) for it, _, _ in items}
            rows.append(dict(respondent=f"L{k}-{r+1:02d}", kommunkod=k, role="employee",
                             wave=wave_ids[0], answers=answers))
    p.surveys["liten"] = dict(spec=dict(design="waves", scale=(1, 10), missing=[], items=items),
                              rows=rows)
    _write_instrument(d, "liten", ['name_sv = "Liten enkät"', "scale = [1, 10]", "", "[[dimensions]]",
                                   'id = "d"', 'label_sv = "D"'], items, rows)

    # pre/post instrument: one dimension with a reverse-coded item
    items = [("k1", "komp", False), ("k2", "komp", False), ("k3", "komp", True),
             ("k4", "komp", False)]
    rows = []
    for mi, k in enumerate(munis):
        unpaired = mi == len(munis) - 1      # the last municipality: different people after
        n = int(rng.integers(5, 14))
        for r in range(n):
            person = rng.normal(0, 0.7)
            gain = rng.normal(0.4, 0.6)
            for w in ("pre", "post"):
                if w == "post" and rng.random() < 0.15:
                    continue
                rid = f"U{k}-{r+1:02d}" + ("b" if unpaired and w == "post" else "")
                answers = {}
                for it, dim, rev in items:
                    x = 3 + person + (gain if w == "post" else 0) + rng.normal(0, 0.6)
                    v = int(np.clip(np.rint(6 - x if rev else x), 1, 5))
                    answers[it] = "" if rng.random() < 0.04 else v
                rows.append(dict(respondent=rid, kommunkod=k, role="first_line_manager", wave=w,
                                 answers=answers))
    spec = dict(design="pre_post", scale=(1, 5), missing=[], items=items)
    p.surveys["utb"] = dict(spec=spec, rows=rows)
    _write_instrument(d, "utb", ['name_sv = "Utbildning"', 'design = "pre_post"', "scale = [1, 5]", "",
                                 "[[dimensions]]", 'id = "komp"', 'label_sv = "Kompetens"'], items, rows)


def _write_instrument(d, name, head, items, rows, long=False):
    """surveys/<name>.toml (the lines `head`, then one [[items]] table per item) and surveys/<name>.csv, wide or
    (with `long`) one row per answer."""
    toml = list(head)
    for it, dim, rev in items:
        toml += ["", "[[items]]", f'id = "{it}"', f'text_sv = "Fråga {it}"', f'dimension = "{dim}"']
        if rev:
            toml.append("reverse = true")
    with open(os.path.join(d, "surveys", f"{name}.toml"), "w", encoding="utf-8") as f:
        f.write("\n".join(toml) + "\n")
    if long:
        _write_csv(os.path.join(d, "surveys", f"{name}.csv"),
                   ["respondent", "kommunkod", "role", "wave", "item", "value"],
                   [[r["respondent"], r["kommunkod"], r["role"], r["wave"], it, r["answers"][it]]
                    for r in rows for it, _, _ in items])
        return
    _write_csv(os.path.join(d, "surveys", f"{name}.csv"),
               ["respondent", "kommunkod", "role", "wave"] + [it for it, _, _ in items],
               [[r["respondent"], r["kommunkod"], r["role"], r["wave"]] +
                [r["answers"][it] for it, _, _ in items] for r in rows])


def _ideas(p, rng, variant, empty_muni):
    d = p.dir
    first = min(a for a, _ in p.waves.values())
    last = p.observed_until
    codes = [c for c, par in p.codes.items() if par is None]
    rows, events = [], []
    for k in p.municipalities:
        if k == empty_muni:
            continue
        ku = [u for u, kk in p.units.items() if kk == k]
        speed = rng.uniform(0.5, 2.0)
        for i in range(int(rng.integers(8, 36))):
            iid = f"I{k}-{i+1:03d}"
            sub = _date_in(rng, first, last - dt.timedelta(days=20))
            unit = ku[rng.integers(len(ku))]
            theme = "|".join(sorted(set(rng.choice(codes, size=int(rng.integers(0, 3))))))
            p.ideas[iid] = dict(kk=k, unit=unit, submitted=sub, codes=theme)
            rows.append([iid, k, unit, sub.isoformat(), "", theme, f"Idé {iid}"])
            t = sub
            for stage, prob in (("assessed", 0.85), ("tested", 0.65), ("implemented", 0.6),
                                ("spread", 0.3)):
                if stage == "assessed" and rng.random() < 0.08:
                    continue                         # an idea that skips assessment
                if rng.random() > prob:
                    if stage in ("assessed", "tested") and rng.random() < 0.5:
                        t2 = t + dt.timedelta(days=int(rng.integers(0, 60)))
                        if t2 <= last:
                            events.append((iid, ["rejected", "withdrawn"][rng.integers(2)], t2))
                    break
                # whole weeks from time to time, so that days tie
                step = int(rng.integers(1, 9)) * 7 if rng.random() < 0.4 else int(rng.integers(0, 80))
                t2 = t + dt.timedelta(days=int(step * speed))
                if t2 > last:
                    break
                events.append((iid, stage, t2))
                t = t2
    p.events = events
    _write_csv(os.path.join(d, "ideas.csv"),
               ["idea_id", "kommunkod", "unit_id", "submitted", "wave_id", "codes", "title"], rows)
    _write_csv(os.path.join(d, "idea_events.csv"), ["idea_id", "stage", "date"],
               [[a, b, c.isoformat()] for a, b, c in events])
    hc = []
    for mi, k in enumerate(p.municipalities):
        if k == empty_muni:
            continue
        if mi == 0:                                   # units only: the sum of its units
            for u, kk in p.units.items():
                if kk == k:
                    hc.append((k, u, int(rng.integers(200, 3000))))
        elif mi == 1 and variant == 1:                # no head count
            continue
        else:
            hc.append((k, "", int(rng.integers(1000, 20000))))
    p.headcounts = hc
    _write_csv(os.path.join(d, "headcounts.csv"), ["kommunkod", "unit_id", "employees"], hc)
