package dev.mixem.family.studentt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mixem.config.CovarianceType;
import dev.mixem.family.ParamsCodec;
import dev.mixem.family.gaussian.GaussianCodec;
import dev.mixem.family.gaussian.GaussianParams;

import java.util.Arrays;

import static dev.mixem.family.JsonFields.addArray;
import static dev.mixem.family.JsonFields.require;
import static dev.mixem.family.JsonFields.vector;

/**
 * The Student-t family's parameters in JSON: the Gaussian family's fields (k, dimension, weights, means, and
 * the structure's covariances, variances or covariance), which hold the locations μ_k and the scale matrices
 * Σ_k (a component's covariance is ν/(ν-2) Σ_k when ν &gt; 2), then {@code dof} [K] and {@code dofFixed}
 * (whether the fit held ν at the value given by {@code --dof}).
 */
final class StudentTCodec implements ParamsCodec<StudentTParams> {
    static final StudentTCodec INSTANCE = new StudentTCodec();

    private StudentTCodec() {
    }

    @Override
    public String family() {
        return StudentTFamily.NAME;
    }

    @Override
    public String structure(StudentTParams p) {
        return p.type().serializedName();
    }

    @Override
    public void write(StudentTParams p, ObjectNode into) {
        for (int c = 0; c < p.k(); c++) {
            if (!Double.isFinite(p.dof(c))) {
                throw new IllegalArgumentException("degrees of freedom of component " + c + " is " + p.dof(c)
                        + "; only parameters of an M-step are saved");
            }
        }
        GaussianCodec.INSTANCE.write(p.gaussian(), into);
        addArray(into.putArray("dof"), p.dof());
        into.put("dofFixed", p.fixedDof() != 0);
    }

    @Override
    public StudentTParams read(String structure, JsonNode node) {
        if (CovarianceType.parse(structure) == CovarianceType.FACTOR) {
            throw new IllegalArgumentException("structure: the student-t family has no factor structure");
        }
        GaussianParams g = GaussianCodec.INSTANCE.read(structure, node);
        double[] dof = vector(require(node, "dof"), g.k(), "dof");
        boolean fixed = node.path("dofFixed").asBoolean(false);
        double fixedDof = 0;
        if (fixed) {
            fixedDof = dof[0];
            if (Arrays.stream(dof).anyMatch(v -> v != dof[0])) {
                throw new IllegalArgumentException("dof: a fit with dofFixed has one value for every component, got "
                        + Arrays.toString(dof));
            }
        }
        return new StudentTParams(g, dof, fixedDof);
    }
}
