# Reference optima of R's flexmix (Debian r-cran-flexmix) for the Bernoulli and Poisson families, on the same
# data as independent_reference.py (scikit-learn's digits, written there to digits_counts.csv).
# Columns constant over all rows are left out for flexmix (0 * log 0 is NaN in R); their contribution to the
# log-likelihood is 0 at the optimum (mixem's bounded probabilities make it at most 1e-10 per cell).
# Run:  Rscript src/test/r/independent_reference.R   (adds "flexmix" entries to independent-reference.json)
suppressMessages(library(flexmix))
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("--file=", "", args[grep("--file=", args)])))
out <- file.path(here, "..", "resources", "reference")
counts <- as.matrix(read.csv(file.path(out, "digits_counts.csv")))
keep <- apply(counts, 2, function(v) length(unique(v)) > 1)
binary <- (counts > 7) * 1
keepb <- apply(binary, 2, function(v) length(unique(v)) > 1)
res <- c()
set.seed(1)
for (fam in c("bernoulli", "poisson")) {
  for (k in 2:4) {
    x <- if (fam == "bernoulli") binary[, keepb] else counts[, keep]
    model <- if (fam == "bernoulli") FLXMCmvbinary() else FLXMCmvpois()
    fits <- stepFlexmix(x ~ 1, k = k, model = model, nrep = 30, verbose = FALSE,
                        control = list(iter.max = 3000, tolerance = 1e-10, minprior = 0))
    ll <- as.numeric(logLik(fits)) / nrow(x)
    cat(fam, k, sprintf("%.10f", ll), "\n")
    res <- c(res, sprintf('{"family": "%s", "k": %d, "avgLogLikelihood": %.12f}', fam, k, ll))
  }
}
writeLines(paste0("[", paste(res, collapse = ",\n"), "]"), file.path(out, "independent-flexmix.json"))
