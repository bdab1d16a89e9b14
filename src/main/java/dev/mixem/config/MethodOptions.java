package dev.mixem.config;

/**
 * How a fit updates its parameters: EM, or another method with its step options. Part of {@link FitConfig}.
 *
 * @param method          em, online-em, gd, sgd, adam or lbfgs
 * @param learningRate    gd, sgd, adam: the learning rate (0 for the other methods)
 * @param batchFraction   online-em, sgd, adam: the fraction of rows in each mini-batch
 * @param stepDecay       sgd, adam: learning rate lr / (1 + decay·t); online-em: κ of the step size (t + 2)^-κ
 * @param budgetPasses    passes over the data to spend (em may be unlimited: {@link FitConfig#maxIter} and tol
 *                        stop it)
 * @param evalSample      0 to record the trace's log-likelihood on every row, else the fraction of rows of a
 *                        fixed seeded sample to record it on
 * @param evalEveryPasses mini-batch methods: record the log-likelihood about every this many passes
 */
public record MethodOptions(FitMethod method, double learningRate, double batchFraction, double stepDecay,
                           double budgetPasses, double evalSample, double evalEveryPasses) {

    public static final double DEFAULT_BATCH_FRACTION = 0.01;
    public static final double DEFAULT_EVAL_EVERY = 0.1;

    public MethodOptions {
        java.util.Objects.requireNonNull(method, "method");
        if (!(budgetPasses > 0)) {
            throw new IllegalArgumentException("the budget of passes must be > 0, got " + budgetPasses);
        }
        if (method.miniBatch() && !(batchFraction > 0 && batchFraction <= 1)) {
            throw new IllegalArgumentException("batch-fraction must be in (0, 1], got " + batchFraction);
        }
        if (method.hasLearningRate() && !(learningRate > 0)) {
            throw new IllegalArgumentException("learning-rate must be > 0, got " + learningRate);
        }
        if (method == FitMethod.ONLINE_EM && !(stepDecay > 0.5 && stepDecay <= 1)) {
            throw new IllegalArgumentException("online-em needs --step-decay (κ) in (0.5, 1], got " + stepDecay);
        }
        if (!(evalSample >= 0 && evalSample <= 1)) {
            throw new IllegalArgumentException("eval-sample must be in [0, 1], got " + evalSample);
        }
        if (!(evalEveryPasses > 0)) {
            throw new IllegalArgumentException("eval-every must be > 0, got " + evalEveryPasses);
        }
    }

    /** The method with its documented defaults and the given budget. */
    public static MethodOptions defaults(FitMethod method, double budgetPasses) {
        return new MethodOptions(method, method.defaultLearningRate(), DEFAULT_BATCH_FRACTION,
                method.defaultStepDecay(), budgetPasses, 0.0, DEFAULT_EVAL_EVERY);
    }

    /** Another method with its own default learning rate and step decay, the other options kept. */
    public MethodOptions withMethod(FitMethod m) {
        return new MethodOptions(m, m.defaultLearningRate(), batchFraction, m.defaultStepDecay(), budgetPasses,
                evalSample, evalEveryPasses);
    }

    public MethodOptions withLearningRate(double lr) {
        return new MethodOptions(method, lr, batchFraction, stepDecay, budgetPasses, evalSample, evalEveryPasses);
    }

    public MethodOptions withBatchFraction(double f) {
        return new MethodOptions(method, learningRate, f, stepDecay, budgetPasses, evalSample, evalEveryPasses);
    }

    public MethodOptions withStepDecay(double decay) {
        return new MethodOptions(method, learningRate, batchFraction, decay, budgetPasses, evalSample, evalEveryPasses);
    }

    public MethodOptions withEvalSample(double f) {
        return new MethodOptions(method, learningRate, batchFraction, stepDecay, budgetPasses, f, evalEveryPasses);
    }

    public MethodOptions withBudget(double passes) {
        return new MethodOptions(method, learningRate, batchFraction, stepDecay, passes, evalSample, evalEveryPasses);
    }

    /** Mini-batch methods: record the log-likelihood about every this many passes (and at the end). */
    public MethodOptions withEvalEvery(double passes) {
        return new MethodOptions(method, learningRate, batchFraction, stepDecay, budgetPasses, evalSample, passes);
    }
}
