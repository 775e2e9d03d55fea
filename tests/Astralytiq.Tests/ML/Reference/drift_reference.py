"""Reference values for the drift statistics (DriftStatisticsTests), computed by Debian's python3-scipy.

    /usr/bin/python3 tests/Astralytiq.Tests/ML/Reference/drift_reference.py > tests/Astralytiq.Tests/ML/Reference/drift-reference.json

Samples are generated here (fixed seeds), rounded to 4 decimals (ties included on purpose) and written with the values
scipy and numpy computed from exactly those numbers.
"""
import json
import numpy as np
import scipy
from scipy import stats
from scipy.spatial import distance

rng = np.random.default_rng(20261207)


def numeric(n, shift=0.0, scale=1.0, decimals=4, kind="normal"):
    if kind == "normal":
        x = rng.normal(shift, scale, n)
    elif kind == "exponential":
        x = rng.exponential(scale, n) + shift
    else:
        x = rng.integers(0, 12, n).astype(float) + shift
    return [round(float(v), decimals) for v in x]


def categories(n, weights, labels):
    p = np.array(weights, dtype=float)
    p /= p.sum()
    return [str(v) for v in rng.choice(labels, size=n, p=p)]


def shares(values, edges, clip):
    v = np.asarray(values, dtype=float)
    if clip:
        v = np.clip(v, edges[0], edges[-1])
    counts, _ = np.histogram(v, bins=edges)
    return counts / len(values)


def fill(p):
    p = np.array(p, dtype=float)
    nonzero = p[p != 0]
    m = nonzero.min() if len(nonzero) else 1.0
    np.place(p, p == 0, m / 10**6 if m <= 0.0001 else 0.0001)
    return p


cases = []
numeric_pairs = [
    ("equal small", numeric(5), numeric(5)),
    ("unequal small", numeric(10), numeric(7, 0.5)),
    ("equal 50 shifted", numeric(50), numeric(50, 0.8)),
    ("100 vs 37", numeric(100), numeric(37, 0.1)),
    ("identical", [1.0, 2.0, 2.0, 3.0], [1.0, 2.0, 2.0, 3.0]),
    ("ties (integers)", numeric(300, kind="integers"), numeric(211, kind="integers")),
    ("300 vs 1000 exponential", numeric(300, kind="exponential"), numeric(1000, 0.05, kind="exponential")),
    ("1000 vs 1000 same", numeric(1000), numeric(1000)),
    ("997 vs 3001 scale", numeric(997), numeric(3001, 0, 1.3)),
    ("2000 vs 1500 tiny shift", numeric(2000), numeric(1500, 0.05)),
    ("constant reference", [2.5] * 40, numeric(30, 2.5)),
]
for name, a, b in numeric_pairs:
    ks = stats.ks_2samp(a, b)
    w = stats.wasserstein_distance(a, b)
    wn = w / max(np.std(a), 0.001)
    psi_edges = np.histogram_bin_edges(a, bins=10)
    r, c = shares(a, psi_edges, True), shares(b, psi_edges, True)
    rf, cf = fill(r), fill(c)
    psi = float(np.sum((rf - cf) * np.log(rf / cf)))
    js_edges = np.histogram_bin_edges(np.concatenate([a, b]), bins=30)
    js = float(distance.jensenshannon(shares(a, js_edges, False), shares(b, js_edges, False)))
    cases.append({"name": name, "kind": "numeric", "reference": a, "current": b,
                  "ks_statistic": float(ks.statistic), "ks_pvalue": float(ks.pvalue),
                  "wasserstein": float(w), "wasserstein_normed": float(wn),
                  "psi_edges": [float(e) for e in psi_edges], "psi_reference": [float(x) for x in r], "psi_current": [float(x) for x in c], "psi": psi,
                  "js_edges": [float(e) for e in js_edges], "js": js})

categorical_pairs = [
    ("same mix", categories(400, [5, 3, 2], ["a", "b", "c"]), categories(350, [5, 3, 2], ["a", "b", "c"])),
    ("shifted mix", categories(800, [5, 3, 2], ["a", "b", "c"]), categories(500, [2, 3, 5], ["a", "b", "c"])),
    ("new category", categories(200, [1, 1], ["x", "y"]), categories(150, [1, 1, 1], ["x", "y", "z"])),
    ("many categories", categories(3000, list(range(1, 21)), [f"k{i}" for i in range(20)]), categories(2500, list(range(20, 0, -1)), [f"k{i}" for i in range(20)])),
    ("two categories", categories(60, [9, 1], ["yes", "no"]), categories(80, [8, 2], ["yes", "no"])),
]
for name, a, b in categorical_pairs:
    keys = list(dict.fromkeys(a + b))
    chi = stats.chi2_contingency([[a.count(k) for k in keys], [b.count(k) for k in keys]])
    r = np.array([a.count(k) / len(a) for k in keys])
    c = np.array([b.count(k) / len(b) for k in keys])
    rf, cf = fill(r), fill(c)
    cases.append({"name": name, "kind": "categorical", "reference": a, "current": b,
                  "chi_statistic": float(chi[0]), "chi_pvalue": float(chi[1]),
                  "js": float(distance.jensenshannon(r, c)), "psi": float(np.sum((rf - cf) * np.log(rf / cf)))})

print(json.dumps({"scipy": scipy.__version__, "numpy": np.__version__, "cases": cases}))
