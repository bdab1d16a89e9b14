#!/usr/bin/env python3
"""Reference values for mixem's factor covariance with k=1, which is factor analysis: scikit-learn's
FactorAnalysis (maximum likelihood by SVD iterations, an algorithm independent of mixem's EM) on the committed
standardized datasets, for several numbers of factors.

Run with Debian's python3-sklearn (apt-get install python3-sklearn):
    /usr/bin/python3 src/test/python/sklearn_factor_reference.py
It reads the CSVs in src/test/resources/reference/ and writes factor-reference.json there.
CI never runs this script; the tests read the committed file.
"""
import json
import os

import numpy as np
import sklearn
from sklearn.decomposition import FactorAnalysis

REF = os.path.join(os.path.dirname(__file__), "..", "resources", "reference")
CASES = {"wine_std": [1, 2, 3], "breast_cancer_std": [1, 2]}


def main():
    out = {"sklearn": sklearn.__version__, "tol": 1e-12, "maxIter": 100000, "cases": []}
    for name, qs in CASES.items():
        x = np.loadtxt(os.path.join(REF, name + ".csv"), delimiter=",", skiprows=1)
        for q in qs:
            fa = FactorAnalysis(n_components=q, tol=1e-12, max_iter=100000, svd_method="lapack").fit(x)
            cov = fa.get_covariance()
            out["cases"].append({
                "dataset": name, "factors": q, "rows": int(x.shape[0]), "features": int(x.shape[1]),
                "iterations": int(fa.n_iter_),
                "avgLogLikelihood": float(fa.score(x)),
                "mean": fa.mean_.tolist(),
                "noiseVariance": fa.noise_variance_.tolist(),
                "covarianceDiagonal": np.diag(cov).tolist(),
            })
    with open(os.path.join(REF, "factor-reference.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
