"""Reference optima for the Bernoulli and Poisson families (mixem's IndependentReferenceTest).

Data: scikit-learn's bundled digits (1797 rows x 64 pixel intensities, counts 0..16), written to
src/test/resources/reference/digits_counts.csv. Poisson mixtures fit the counts; Bernoulli mixtures fit the
pixels binarized as count > 7.

The reference is an independent numpy EM (written from the textbook updates, sharing no code with mixem),
run from many random starts (random responsibilities); the best mean log-likelihood is kept. When R's flexmix
is installed (Debian r-cran-flexmix), src/test/r/independent_reference.R gives its best of many starts too.

Categorical (latent class analysis): R's Titanic table (datasets::Titanic as one row per cell with its count
Freq, written by `Rscript -e 'd <- as.data.frame(Titanic); write.csv(d[d$Freq > 0,], ...)'` to titanic.csv),
fitted with the counts as row weights, by a numpy EM from 100 random starts.

Run with Debian's python3 (python3-sklearn):  /usr/bin/python3 src/test/python/independent_reference.py
"""
import json
import os

import numpy as np
from scipy.special import gammaln, logsumexp
from sklearn.datasets import load_digits

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "resources", "reference")
EPS = 1e-10


def em(x, k, family, rng, iters=3000, tol=1e-12):
    n, d = x.shape
    r = rng.dirichlet(np.ones(k), size=n)
    base = -gammaln(x + 1).sum(axis=1) if family == "poisson" else np.zeros(n)
    prev = -np.inf
    for _ in range(iters):
        nk = r.sum(axis=0)
        w = nk / n
        mu = (r.T @ x) / nk[:, None]
        if family == "bernoulli":
            mu = np.clip(mu, EPS, 1 - EPS)
            logp = x @ np.log(mu).T + (1 - x) @ np.log1p(-mu).T
        else:
            mu = np.maximum(mu, EPS)
            logp = x @ np.log(mu).T - mu.sum(axis=1)[None, :] + base[:, None]
        logp += np.log(w)[None, :]
        lse = logsumexp(logp, axis=1)
        ll = lse.mean()
        r = np.exp(logp - lse[:, None])
        if ll - prev < tol:
            break
        prev = ll
    return ll, w, mu


def em_categorical(x, groups, w, k, rng, iters=5000, tol=1e-13):
    """Latent class analysis: x one-hot (n x D), groups[j] the variable of indicator j, w row weights."""
    n, d = x.shape
    r = rng.dirichlet(np.ones(k), size=n)
    prev = -np.inf
    for _ in range(iters):
        wr = r * w[:, None]
        nk = wr.sum(axis=0)
        pi = nk / w.sum()
        cnt = wr.T @ x
        mu = np.empty_like(cnt)
        for g in np.unique(groups):
            cols = groups == g
            mu[:, cols] = cnt[:, cols] / cnt[:, cols].sum(axis=1, keepdims=True)
        mu = np.maximum(mu, EPS)
        logp = x @ np.log(mu).T + np.log(pi)[None, :]
        lse = logsumexp(logp, axis=1)
        ll = (w * lse).sum() / w.sum()
        r = np.exp(logp - lse[:, None])
        if ll - prev < tol:
            break
        prev = ll
    return ll, pi, mu


def titanic():
    """R's Titanic table (datasets), one row per cell with its count: 4 categorical variables."""
    import csv
    with open(os.path.join(OUT, "titanic.csv")) as f:
        rows = list(csv.DictReader(f))
    names = ["Class", "Sex", "Age", "Survived"]
    levels = [sorted({r[c] for r in rows}) for c in names]
    cols, groups = [], []
    for g, (c, lv) in enumerate(zip(names, levels)):
        for l in lv:
            cols.append(np.array([1.0 if r[c] == l else 0.0 for r in rows]))
            groups.append(g)
    return np.stack(cols, axis=1), np.array(groups), np.array([float(r["Freq"]) for r in rows])


def main():
    digits = load_digits().data.astype(int)
    np.savetxt(os.path.join(OUT, "digits_counts.csv"), digits, fmt="%d", delimiter=",",
               header=",".join("p%d" % j for j in range(64)), comments="")
    out = {"data": "digits_counts.csv (scikit-learn load_digits); bernoulli on count > 7",
           "epsilon": EPS, "starts": 100, "fits": []}
    for family, x in (("bernoulli", (digits > 7).astype(float)), ("poisson", digits.astype(float))):
        for k in (2, 3, 4):
            rng = np.random.default_rng(1000 + k)
            best = max((em(x, k, family, rng) for _ in range(100)), key=lambda t: t[0])
            out["fits"].append({"family": family, "k": k, "avgLogLikelihood": best[0],
                                "weights": best[1].tolist()})
            print(family, k, best[0])
    x, groups, w = titanic()
    for k in (2, 3):
        rng = np.random.default_rng(2000 + k)
        best = max((em_categorical(x, groups, w, k, rng) for _ in range(100)), key=lambda t: t[0])
        out["fits"].append({"family": "categorical", "data": "titanic.csv (R datasets::Titanic, weights Freq)",
                            "k": k, "avgLogLikelihood": best[0], "weights": best[1].tolist()})
        print("categorical", k, best[0])
    with open(os.path.join(OUT, "independent-reference.json"), "w") as f:
        json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
