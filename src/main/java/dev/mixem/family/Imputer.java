package dev.mixem.family;

import dev.mixem.math.RowBlock;

/**
 * Fills in a block's missing cells with their conditional mean given the row's observed cells,
 * E[x_j | x_obs] = Σ_c r_c E[x_j | x_obs, c]; observed cells are copied. One instance per task, owning its
 * scratch; not thread-safe.
 */
@FunctionalInterface
public interface Imputer {
    /**
     * @param resp the rows' posterior probabilities, {@code resp[i + c*n]}
     * @param out  the completed rows, column-major like the block ({@code out[i + j*n]})
     */
    void impute(RowBlock b, double[] resp, double[] out);
}
