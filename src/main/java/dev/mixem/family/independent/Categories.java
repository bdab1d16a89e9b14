package dev.mixem.family.independent;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * The variables of a categorical mixture and each one's levels, in the order the model stores them. A row is
 * coded as one indicator per level (feature {@code offset(v) + l} is 1 when variable v takes level l), so a
 * categorical mixture runs the kernels of the other families of independent features; a missing value
 * leaves all of its variable's indicators missing.
 *
 * A class over arrays, not a record: it travels in broadcasts, whose serializer (Kryo) cannot build records.
 */
public final class Categories implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String[] variables;
    private final String[][] levels;
    /** offsets[v]: the first indicator of variable v; offsets[V] = Σ levels. */
    private final int[] offsets;

    /**
     * @param variables the input columns
     * @param levels    each variable's levels, as text (numbers as they read, e.g. {@code 3} or {@code 2.5})
     */
    public Categories(List<String> variables, List<List<String>> levels) {
        if (variables.size() != levels.size()) {
            throw new IllegalArgumentException(variables.size() + " variables but levels for " + levels.size());
        }
        this.variables = variables.toArray(new String[0]);
        this.levels = new String[levels.size()][];
        for (int v = 0; v < levels.size(); v++) {
            if (levels.get(v).isEmpty()) {
                throw new IllegalArgumentException("variable '" + variables.get(v) + "' has no level");
            }
            this.levels[v] = levels.get(v).toArray(new String[0]);
        }
        this.offsets = new int[this.levels.length + 1];
        for (int v = 0; v < this.levels.length; v++) {
            offsets[v + 1] = offsets[v] + this.levels[v].length;
        }
    }

    /** The input columns. */
    public List<String> variables() {
        return List.of(variables);
    }

    /** Each variable's levels, as text. */
    public List<List<String>> levels() {
        List<List<String>> out = new ArrayList<>();
        for (String[] l : levels) {
            out.add(List.of(l));
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Categories c && java.util.Arrays.equals(variables, c.variables)
                && java.util.Arrays.deepEquals(levels, c.levels);
    }

    @Override
    public int hashCode() {
        return 31 * java.util.Arrays.hashCode(variables) + java.util.Arrays.deepHashCode(levels);
    }

    /** {@code variables} variables named v0, v1, ... of {@code perVariable} levels 0, 1, ... each. */
    public static Categories uniform(int variables, int perVariable) {
        List<String> names = new ArrayList<>();
        List<List<String>> lv = new ArrayList<>();
        for (int v = 0; v < variables; v++) {
            names.add("x" + v);
            List<String> l = new ArrayList<>();
            for (int i = 0; i < perVariable; i++) {
                l.add(String.valueOf(i));
            }
            lv.add(l);
        }
        return new Categories(names, lv);
    }

    public int variableCount() {
        return variables.length;
    }

    /** Levels of variable v. */
    public int size(int v) {
        return levels[v].length;
    }

    /** Level l of variable v, as text. */
    public String level(int v, int l) {
        return levels[v][l];
    }

    /** The first indicator of variable v. */
    public int offset(int v) {
        return offsets[v];
    }

    /** The number of indicators, Σ levels. */
    public int dim() {
        return offsets[variables.length];
    }

    /** The variable of each indicator. */
    public int[] groupOf() {
        int[] g = new int[dim()];
        for (int v = 0, f = 0; v < variableCount(); v++) {
            for (int l = 0; l < size(v); l++) {
                g[f++] = v;
            }
        }
        return g;
    }

    /** The indicators' names, {@code variable=level}. */
    public List<String> featureNames() {
        List<String> out = new ArrayList<>();
        for (int v = 0; v < variableCount(); v++) {
            for (String l : levels[v]) {
                out.add(variables[v] + "=" + l);
            }
        }
        return out;
    }
}
