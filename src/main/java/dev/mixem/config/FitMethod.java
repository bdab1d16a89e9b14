package dev.mixem.config;

import java.util.Locale;

/** How a mixture is fitted: EM, stochastic EM, or gradient ascent in unconstrained coordinates. */
public enum FitMethod {
    /** Full-batch EM: one pass, then the closed-form M-step. */
    EM("em", false, 0, 0),
    /** Mini-batch stochastic EM (Cappé and Moulines 2009) with step size (t + 2)^-κ, κ = --step-decay. */
    ONLINE_EM("online-em", true, 0, 0.6),
    /** Full-batch gradient ascent with a fixed learning rate. */
    GD("gd", false, 0.1, 0),
    /** Mini-batch stochastic gradient ascent, learning rate lr / (1 + decay·t). */
    SGD("sgd", true, 0.05, 0.01),
    /** Mini-batch Adam (Kingma and Ba 2015), learning rate lr / (1 + decay·t). */
    ADAM("adam", true, 0.02, 0.0),
    /** Full-batch L-BFGS (Breeze's) on the negative mean log-likelihood. */
    LBFGS("lbfgs", false, 0, 0);

    private final String serializedName;
    private final boolean miniBatch;
    private final double defaultLearningRate;
    private final double defaultStepDecay;

    FitMethod(String serializedName, boolean miniBatch, double defaultLearningRate, double defaultStepDecay) {
        this.serializedName = serializedName;
        this.miniBatch = miniBatch;
        this.defaultLearningRate = defaultLearningRate;
        this.defaultStepDecay = defaultStepDecay;
    }

    public String serializedName() {
        return serializedName;
    }

    /** Whether each step sees a mini-batch (a fraction of the rows) rather than every row. */
    public boolean miniBatch() {
        return miniBatch;
    }

    /** Whether the method has a learning rate (gd, sgd, adam). */
    public boolean hasLearningRate() {
        return defaultLearningRate > 0;
    }

    public double defaultLearningRate() {
        return defaultLearningRate;
    }

    public double defaultStepDecay() {
        return defaultStepDecay;
    }

    public static FitMethod parse(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        for (FitMethod m : values()) {
            if (m.serializedName.equals(n)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown method '" + name + "'; expected em, online-em, gd, sgd, adam or lbfgs");
    }

    @Override
    public String toString() {
        return serializedName;
    }
}
