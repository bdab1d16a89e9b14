package dev.mixem.family;

import java.io.Serializable;

/** The parameters of a mixture of any family: k components over d features, with weights on the simplex. */
public interface MixtureParams extends Serializable {

    /** Number of components. */
    int k();

    /** Number of features. */
    int dim();

    /** The weight of component c. */
    double weight(int c);

    /** The family (with its structure) these parameters are of. */
    MixtureFamily<?, ?> family();
}
