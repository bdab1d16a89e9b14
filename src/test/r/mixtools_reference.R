# Reference optimum of a bivariate two-component Gaussian mixture from R's mixtools (Debian's
# r-cran-mixtools), for dev.mixem.ml.GaussianMixtureEstimatorTest. Run from the repository root:
#   Rscript src/test/r/mixtools_reference.R
# It writes src/test/resources/reference/bivariate.csv (the rows) and bivariate-mixtools.json (the fit).
suppressMessages(library(mixtools))
set.seed(20261129)
n1 <- 120; n2 <- 80
a <- cbind(rnorm(n1), rnorm(n1))
a <- a %*% chol(matrix(c(1.0, 0.6, 0.6, 2.0), 2))
b <- cbind(rnorm(n2), rnorm(n2))
b <- b %*% chol(matrix(c(0.5, -0.2, -0.2, 0.8), 2))
b <- sweep(b, 2, c(3, 2), "+")
x <- rbind(a, b)
write.table(format(x, digits = 17), "src/test/resources/reference/bivariate.csv", sep = ",",
            row.names = FALSE, col.names = c("x1", "x2"), quote = FALSE)
x <- as.matrix(read.csv("src/test/resources/reference/bivariate.csv"))
fit <- mvnormalmixEM(x, lambda = c(0.5, 0.5), mu = list(c(0, 0), c(3, 2)),
                     sigma = list(diag(2), diag(2)), k = 2, epsilon = 1e-12, maxit = 100000, verb = FALSE)
o <- order(sapply(fit$mu, function(m) m[1]))
num <- function(v) paste(sprintf("%.15g", v), collapse = ", ")
json <- paste0("{\n  \"producedBy\": \"R ", R.version$major, ".", R.version$minor, ", mixtools ",
               packageVersion("mixtools"), ", mvnormalmixEM (epsilon 1e-12)\",\n",
               "  \"script\": \"src/test/r/mixtools_reference.R\",\n",
               "  \"logLikelihood\": ", sprintf("%.15g", fit$loglik), ",\n",
               "  \"weights\": [", num(fit$lambda[o]), "],\n",
               "  \"means\": [[", num(fit$mu[[o[1]]]), "], [", num(fit$mu[[o[2]]]), "]],\n",
               "  \"covariances\": [[", num(fit$sigma[[o[1]]]), "], [", num(fit$sigma[[o[2]]]), "]]\n}\n")
writeLines(json, "src/test/resources/reference/bivariate-mixtools.json")
