#!/usr/bin/env python3
"""Reference optima for mixem's tests, from scikit-learn's GaussianMixture (an independent implementation).

Run with Debian's python3-sklearn (apt-get install python3-sklearn):
    /usr/bin/python3 src/test/python/sklearn_reference.py
It writes the datasets it used as CSV and reference.json into src/test/resources/reference/.
CI never runs this script; the tests read the committed files.
"""
import json
import os

import numpy as np
import sklearn
from sklearn.datasets import load_breast_cancer, load_iris, load_wine
from sklearn.mixture import GaussianMixture
from sklearn.preprocessing import StandardScaler

OUT = os.path.join(os.path.dirname(__file__), "..", "resources", "reference")
REG_COVAR = 1e-6


def write_csv(name, x, columns):
    path = os.path.join(OUT, name + ".csv")
    with open(path, "w") as f:
        f.write(",".join(columns) + "\n")
        for row in x:
            f.write(",".join(repr(float(v)) for v in row) + "\n")


def best_fit(x, k, cov, inits):
    """Best mean log-likelihood over 40 restarts of each of the given init_params, and the fitted model's
    number of free parameters."""
    best = -np.inf
    n_params = None
    for init in inits:
        gm = GaussianMixture(n_components=k, covariance_type=cov, reg_covar=REG_COVAR, n_init=40,
                             init_params=init, max_iter=2000, tol=1e-10, random_state=0).fit(x)
        best = max(best, float(gm.score(x)))
        n_params = int(gm._n_parameters())
    return best, n_params


# sklearn's random-responsibility init ("random") is left out: on iris it finds a degenerate optimum
# (a component on a handful of nearly collinear rows, -0.84 against -1.20) that is an artefact of
# reg_covar rather than a better model.


def main():
    os.makedirs(OUT, exist_ok=True)
    iris = load_iris()
    cancer = load_breast_cancer()
    wine = load_wine()
    datasets = {
        "iris": (iris.data, [c.replace(" (cm)", "").replace(" ", "_") for c in iris.feature_names]),
        "breast_cancer_std": (StandardScaler().fit_transform(cancer.data),
                              [c.replace(" ", "_") for c in cancer.feature_names]),
        "wine_std": (StandardScaler().fit_transform(wine.data),
                     [c.replace(" ", "_").replace("/", "_") for c in wine.feature_names]),
    }
    cases = [("iris", 3, "full"), ("iris", 3, "diag"),
             ("breast_cancer_std", 2, "full"), ("breast_cancer_std", 2, "diag"),
             ("iris", 3, "tied"), ("iris", 3, "spherical"),
             ("breast_cancer_std", 3, "tied"), ("breast_cancer_std", 3, "spherical"),
             ("wine_std", 3, "tied"), ("wine_std", 3, "spherical")]
    refs = []
    for name, (x, cols) in datasets.items():
        write_csv(name, x, cols)
    for name, k, cov in cases:
        x = datasets[name][0]
        kmeans_ll, n_params = best_fit(x, k, cov, ("kmeans",))
        refs.append({"dataset": name, "k": k, "covariance": cov, "regCovar": REG_COVAR,
                     "rows": int(x.shape[0]), "dimension": int(x.shape[1]),
                     # sklearn's default init: k-means (Lloyd from k-means++ seeds), then one M-step.
                     "kmeansInitAvgLogLikelihood": kmeans_ll,
                     # best over k-means and seed-only k-means++ inits.
                     "avgLogLikelihood": best_fit(x, k, cov, ("kmeans", "k-means++"))[0],
                     # GaussianMixture._n_parameters(), what its bic() and aic() count.
                     "freeParameters": n_params})
        print(refs[-1])
    with open(os.path.join(OUT, "reference.json"), "w") as f:
        json.dump({"producedBy": "scikit-learn " + sklearn.__version__ + " GaussianMixture.score (natural log)",
                   "script": "src/test/python/sklearn_reference.py", "cases": refs}, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
