"""Reference optima of Student-t mixtures for StudentTReferenceTest: an independent numpy EM (the ECM of
Peel and McLachlan 2000, with the same bounds on the degrees of freedom as mixem, [0.5, 200]) run from many
random starts (random responsibilities); the best mean log-likelihood per data set, structure and k goes to
src/test/resources/reference/studentt-reference.json. Data: scikit-learn's iris (150 x 4, iris.csv) and R's
faithful (272 x 2, faithful.csv, written by src/test/r/faithful.R), both in src/test/resources/reference.
Run: /usr/bin/python3 src/test/python/studentt_reference.py [starts]  (numpy, scipy; not run by CI)."""
import json
import os
import sys

import numpy as np
from scipy.special import digamma, gammaln
from scipy.optimize import brentq

HERE = os.path.dirname(os.path.abspath(__file__))
RES = os.path.join(HERE, "..", "resources", "reference")
DOF_MIN, DOF_MAX = 0.5, 200.0


def logt(x, mu, cov, nu):
    d = x.shape[1]
    L = np.linalg.cholesky(cov)
    z = np.linalg.solve(L, (x - mu).T)
    delta = np.sum(z * z, axis=0)
    logdet = 2 * np.sum(np.log(np.diag(L)))
    return (gammaln((nu + d) / 2) - gammaln(nu / 2) - 0.5 * d * np.log(nu * np.pi) - 0.5 * logdet
            - 0.5 * (nu + d) * np.log1p(delta / nu)), delta


def dof_update(a):
    f = lambda nu: np.log(nu / 2) - digamma(nu / 2) + 1 + a
    if f(DOF_MAX) >= 0:
        return DOF_MAX
    if f(DOF_MIN) <= 0:
        return DOF_MIN
    return brentq(f, DOF_MIN, DOF_MAX, xtol=1e-14)


def em(x, k, structure, rng, reg=1e-6, iters=3000, tol=1e-11):
    n, d = x.shape
    resp = rng.dirichlet(np.ones(k), size=n)
    u = np.ones((n, k))
    nu = np.full(k, 30.0)
    prev = -np.inf
    ll = -np.inf
    for it in range(iters):
        # M-step
        tau = resp.sum(0)
        w = tau / n
        mus, covs = [], []
        pooled = np.zeros((d, d))
        for c in range(k):
            ru = resp[:, c] * u[:, c]
            mu = ru @ x / ru.sum()
            dev = x - mu
            s = (dev * ru[:, None]).T @ dev
            mus.append(mu)
            pooled += s
            covs.append(s / tau[c])
        if structure == "tied":
            covs = [pooled / n for _ in range(k)]
        elif structure == "diag":
            covs = [np.diag(np.diag(cv)) for cv in covs]
        elif structure == "spherical":
            covs = [np.eye(d) * np.trace(cv) / d for cv in covs]
        covs = [cv + reg * np.eye(d) for cv in covs]
        if it > 0:
            for c in range(k):
                term = (resp[:, c] * (np.log(u[:, c]) - u[:, c])).sum() / tau[c] \
                    + digamma((nu[c] + d) / 2) - np.log((nu[c] + d) / 2)
                nu[c] = dof_update(term)
        # E-step
        lp = np.empty((n, k))
        deltas = np.empty((n, k))
        for c in range(k):
            lt, delta = logt(x, mus[c], covs[c], nu[c])
            lp[:, c] = np.log(w[c]) + lt
            deltas[:, c] = delta
        m = lp.max(1, keepdims=True)
        rowll = m[:, 0] + np.log(np.exp(lp - m).sum(1))
        ll = rowll.mean()
        resp = np.exp(lp - rowll[:, None])
        u = (nu + d) / (nu + deltas)
        if ll - prev < tol and it > 5:
            break
        prev = ll
    return ll, nu


def best(x, k, structure, starts, seed):
    rng = np.random.default_rng(seed)
    out = -np.inf
    for s in range(starts):
        try:
            ll, _ = em(x, k, structure, rng)
        except np.linalg.LinAlgError:
            continue
        if np.isfinite(ll):
            out = max(out, ll)
    return out


def main():
    # scikit-learn's load_iris().data, as src/test/resources/reference/iris.csv holds it (identical).
    iris = np.loadtxt(os.path.join(RES, "iris.csv"), delimiter=",", skiprows=1)
    faithful = np.loadtxt(os.path.join(RES, "faithful.csv"), delimiter=",", skiprows=1)
    starts = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    cases = [("iris", iris, "full", 2), ("iris", iris, "full", 3), ("iris", iris, "diag", 3),
             ("faithful", faithful, "full", 2), ("faithful", faithful, "tied", 2),
             ("faithful", faithful, "spherical", 3)]
    ref = []
    for name, x, structure, k in cases:
        ll = best(x, k, structure, starts, 7)
        print(name, structure, k, ll, flush=True)
        ref.append({"data": name, "covariance": structure, "k": k, "avgLogLikelihood": ll, "starts": starts})
    with open(os.path.join(RES, "studentt-reference.json"), "w") as f:
        json.dump({"source": "src/test/python/studentt_reference.py", "regCovar": 1e-6,
                   "dofBounds": [DOF_MIN, DOF_MAX], "cases": ref}, f, indent=2)


if __name__ == "__main__":
    main()
