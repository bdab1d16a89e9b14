package dev.mixem.data;

import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;

import java.io.Serializable;
import java.util.List;
import java.util.Locale;

/**
 * Turns a Spark {@link Row} into a feature vector (and a weight), checking every cell. A cell that is
 * unparseable or infinite, and a CSV row of the wrong width, raise an {@link InvalidInputException} naming the
 * file, the data row within it (when the reader started at the file's beginning), the column and the
 * offending value. A missing feature cell (null, an empty or blank CSV field, NaN) is the same error, or,
 * when missing cells are allowed, NaN in the output. Weights are never allowed to be missing.
 */
public final class FeatureExtractor implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String[] names;
    private final int[] cols;
    private final boolean[] stringCols;
    private final int vectorCol;
    private int dim;
    /** Categorical: the variables' levels (null otherwise), and each variable's level index by text. */
    private dev.mixem.family.independent.Categories categories;
    private java.util.HashMap<String, Integer>[] codes;
    /** Categorical: a level the categories do not hold counts as a missing value (predict) instead of an error. */
    private boolean unseenAsMissing;
    private final int weightCol;
    private final String weightName;
    private final boolean weightIsString;
    private final int fileCol;
    private final int blockStartCol;
    private final int corruptCol;
    private final int headerWidth;
    /** The values the features may take (the family's domain); {@code REAL} unless {@link #withDomain}. */
    private dev.mixem.config.Family.Domain domain = dev.mixem.config.Family.Domain.REAL;

    FeatureExtractor(String[] names, int[] cols, boolean[] stringCols, int vectorCol, int dim, int weightCol,
                     String weightName, boolean weightIsString, int fileCol, int blockStartCol, int corruptCol,
                     int headerWidth) {
        this.names = names;
        this.cols = cols;
        this.stringCols = stringCols;
        this.vectorCol = vectorCol;
        this.dim = dim;
        this.weightCol = weightCol;
        this.weightName = weightName;
        this.weightIsString = weightIsString;
        this.fileCol = fileCol;
        this.blockStartCol = blockStartCol;
        this.corruptCol = corruptCol;
        this.headerWidth = headerWidth;
    }

    /**
     * This extractor, also checking that every observed feature value lies in the family's domain: a value
     * outside it is an {@link InvalidInputException} with reason {@code NOT_BINARY} or {@code NOT_A_COUNT},
     * which {@code --invalid skip} counts like any other.
     */
    public FeatureExtractor withDomain(dev.mixem.config.Family.Domain newDomain) {
        FeatureExtractor e = new FeatureExtractor(names, cols, stringCols, vectorCol, dim, weightCol, weightName,
                weightIsString, fileCol, blockStartCol, corruptCol, headerWidth);
        e.domain = newDomain;
        e.categories = categories;
        e.codes = codes;
        e.unseenAsMissing = unseenAsMissing;
        return e;
    }

    public dev.mixem.config.Family.Domain domain() {
        return domain;
    }

    /**
     * This extractor reading its scalar columns as categorical variables with the given levels, coded as one
     * indicator per level (the features are {@code column=level}); a missing value leaves all of its
     * variable's indicators missing.
     *
     * @param unseenAsMissing a level the categories do not hold is a missing value, counted in the
     *                        {@link Locator} (predict), instead of an invalid row (fit, beyond --max-levels)
     */
    @SuppressWarnings("unchecked")
    public FeatureExtractor withCategories(dev.mixem.family.independent.Categories cat, boolean unseenAsMissing) {
        if (vectorCol >= 0) {
            throw new InvalidInputException("categorical variables are columns, not a vector column ('" + names[0] + "')");
        }
        if (!cat.variables().equals(List.of(names))) {
            throw new InvalidInputException("the categorical variables " + cat.variables() + " are not the columns "
                    + List.of(names));
        }
        FeatureExtractor e = withDomain(dev.mixem.config.Family.Domain.CATEGORICAL);
        e.categories = cat;
        e.dim = cat.dim();
        e.unseenAsMissing = unseenAsMissing;
        e.codes = new java.util.HashMap[names.length];
        for (int v = 0; v < names.length; v++) {
            e.codes[v] = new java.util.HashMap<>();
            for (int l = 0; l < cat.size(v); l++) {
                e.codes[v].put(cat.level(v, l), l);
            }
        }
        return e;
    }

    /** The categorical variables' levels, or null. */
    public dev.mixem.family.independent.Categories categories() {
        return categories;
    }

    /** The scalar feature columns (the categorical variables), in order. */
    public List<String> columns() {
        return List.of(names);
    }

    /**
     * The text of a cell as a categorical level: text as it is, numbers and booleans as Java writes them
     * ({@code 3}, {@code 2.5}, {@code true}); null for a missing cell (null, or blank text).
     */
    static String levelOf(Row row, int col, boolean isString) {
        if (row.isNullAt(col)) {
            return null;
        }
        String s = isString ? row.getString(col) : String.valueOf(row.get(col));
        return s.isBlank() ? null : s;
    }

    /** Column index and text type of variable v, for {@link #levelOf}. */
    int column(int v) {
        return cols[v];
    }

    boolean isText(int v) {
        return stringCols[v];
    }

    public int dim() {
        return dim;
    }

    public boolean weighted() {
        return weightCol >= 0;
    }

    /** The features' names: the scalar columns, or {@code name[j]} for each element of a vector column. */
    public List<String> featureNames() {
        if (categories != null) {
            return categories.featureNames();
        }
        if (vectorCol < 0) {
            return List.of(names);
        }
        String[] expanded = new String[dim];
        for (int j = 0; j < dim; j++) {
            expanded[j] = names[0] + "[" + j + "]";
        }
        return List.of(expanded);
    }

    /** For scalar features read from text (CSV): feature j's row index, else -1 for every j (and categorical). */
    public int textFeatureColumn(int j) {
        return vectorCol < 0 && categories == null && stringCols[j] ? cols[j] : -1;
    }

    /** Width of the arrays {@link #extract} fills: the features, then the weight if there is one. */
    public int width() {
        return dim + (weighted() ? 1 : 0);
    }

    /** Per-partition position of the current row, for error messages. */
    public static final class Locator {
        private final int partition;
        private String file;
        private long blockStart = -1;
        private long rowInSplit = -1;
        private long rowInPartition = -1;
        /** Categorical values whose level the model does not hold, read as missing (predict). */
        private long unseenLevels;

        public Locator(int partition) {
            this.partition = partition;
        }

        /** Categorical values read so far whose level the model does not hold (and so read as missing). */
        public long unseenLevels() {
            return unseenLevels;
        }

        void advance(String newFile, long newBlockStart) {
            rowInPartition++;
            if (newFile == null || !newFile.equals(file) || newBlockStart != blockStart) {
                file = newFile;
                blockStart = newBlockStart;
                rowInSplit = 0;
            } else {
                rowInSplit++;
            }
        }

        String describe() {
            if (file == null) {
                return "row " + (rowInPartition + 1) + " of input partition " + partition;
            }
            if (blockStart == 0) {
                return "file " + file + ", data row " + (rowInSplit + 1);
            }
            return "file " + file + ", data row " + (rowInSplit + 1) + " of the split starting at byte " + blockStart;
        }
    }

    /** Fills {@code out[0 .. width())} from the row; a missing cell is an error. */
    public void extract(Row row, Locator loc, double[] out) {
        extract(row, loc, out, false);
    }

    /**
     * Fills {@code out[0 .. width())} from the row; with {@code allowMissing}, a missing feature cell becomes
     * NaN (and a missing vector all NaN).
     */
    public void extract(Row row, Locator loc, double[] out, boolean allowMissing) {
        loc.advance(fileCol >= 0 ? row.getString(fileCol) : null,
                blockStartCol >= 0 && !row.isNullAt(blockStartCol) ? row.getLong(blockStartCol) : -1);
        if (corruptCol >= 0 && !row.isNullAt(corruptCol)) {
            throw new InvalidInputException(InvalidInputException.Reason.MALFORMED_ROW, loc.describe() + ": malformed row (the header has " + headerWidth
                    + " fields): '" + abbreviate(row.getString(corruptCol)) + "'");
        }
        if (categories != null) {
            extractLevels(row, loc, out, allowMissing);
        } else if (vectorCol >= 0) {
            if (row.isNullAt(vectorCol)) {
                if (allowMissing) {
                    java.util.Arrays.fill(out, 0, dim, Double.NaN);
                } else {
                    throw new InvalidInputException(InvalidInputException.Reason.MISSING_VALUE, loc.describe() + ", column '" + names[0]
                        + "': missing vector");
                }
            } else {
            Vector v = (Vector) row.get(vectorCol);
            if (v.size() != dim) {
                throw new InvalidInputException(InvalidInputException.Reason.WRONG_VECTOR_SIZE, loc.describe() + ", column '" + names[0]
                        + "': vector of size "
                        + v.size() + ", expected " + dim);
            }
            for (int j = 0; j < dim; j++) {
                double x = v.apply(j);
                out[j] = allowMissing && Double.isNaN(x) ? x : checkFinite(x, loc, names[0] + "[" + j + "]");
            }
            }
        } else {
            for (int j = 0; j < dim; j++) {
                out[j] = cell(row, cols[j], stringCols[j], names[j], loc, allowMissing);
            }
        }
        if (domain != dev.mixem.config.Family.Domain.REAL && categories == null) {
            for (int j = 0; j < dim; j++) {
                checkDomain(out[j], loc, vectorCol >= 0 ? names[0] + "[" + j + "]" : names[j]);
            }
        }
        if (weightCol >= 0) {
            double w = cell(row, weightCol, weightIsString, weightName, loc, false);
            if (w < 0) {
                throw new InvalidInputException(InvalidInputException.Reason.NEGATIVE_WEIGHT, loc.describe() + ", weight column '" + weightName
                        + "': negative weight " + w);
            }
            out[dim] = w;
        }
    }

    /** Whether the features come from a vector column (the only input that can be read sparse). */
    public boolean fromVector() {
        return vectorCol >= 0 && categories == null;
    }

    /**
     * A row of a vector column in sparse form, without its zeros: {@code [weight, nnz, column..., value...]}
     * (columns ascending; the weight is 1 without a weight column). Values are checked as {@link #extract}
     * checks them; a sparse row has no missing cells, so a NaN is an error (reason {@code nan}) and a missing
     * vector too.
     */
    public double[] extractSparse(Row row, Locator loc) {
        if (!fromVector()) {
            throw new IllegalStateException("sparse rows come from a vector column");
        }
        loc.advance(fileCol >= 0 ? row.getString(fileCol) : null,
                blockStartCol >= 0 && !row.isNullAt(blockStartCol) ? row.getLong(blockStartCol) : -1);
        if (corruptCol >= 0 && !row.isNullAt(corruptCol)) {
            throw new InvalidInputException(InvalidInputException.Reason.MALFORMED_ROW, loc.describe()
                    + ": malformed row (the header has " + headerWidth + " fields): '"
                    + abbreviate(row.getString(corruptCol)) + "'");
        }
        if (row.isNullAt(vectorCol)) {
            throw new InvalidInputException(InvalidInputException.Reason.MISSING_VALUE, loc.describe()
                    + ", column '" + names[0] + "': missing vector (sparse input has no missing cells)");
        }
        Vector v = (Vector) row.get(vectorCol);
        if (v.size() != dim) {
            throw new InvalidInputException(InvalidInputException.Reason.WRONG_VECTOR_SIZE, loc.describe()
                    + ", column '" + names[0] + "': vector of size " + v.size() + ", expected " + dim);
        }
        int[] idx;
        double[] vals;
        if (v instanceof org.apache.spark.ml.linalg.SparseVector sv) {
            idx = sv.indices();
            vals = sv.values();
        } else {
            vals = v.toArray();
            idx = null;
        }
        int len = vals.length;
        int nnz = 0;
        for (double x : vals) {
            nnz += x != 0 ? 1 : 0;
        }
        double[] out = new double[2 + 2 * nnz];
        out[1] = nnz;
        int t = 0;
        int prev = -1;
        for (int e = 0; e < len; e++) {
            double x = vals[e];
            int j = idx == null ? e : idx[e];
            if (j <= prev) {
                throw new InvalidInputException(InvalidInputException.Reason.MALFORMED_ROW, loc.describe()
                        + ", column '" + names[0] + "': sparse vector indices not ascending at " + j);
            }
            prev = j;
            if (x == 0) {
                continue;
            }
            String name = names[0] + "[" + j + "]";
            checkFinite(x, loc, name);
            if (domain != dev.mixem.config.Family.Domain.REAL) {
                checkDomain(x, loc, name);
            }
            out[2 + t] = j;
            out[2 + nnz + t] = x;
            t++;
        }
        out[0] = 1.0;
        if (weightCol >= 0) {
            double w = cell(row, weightCol, weightIsString, weightName, loc, false);
            if (w < 0) {
                throw new InvalidInputException(InvalidInputException.Reason.NEGATIVE_WEIGHT, loc.describe()
                        + ", weight column '" + weightName + "': negative weight " + w);
            }
            out[0] = w;
        }
        return out;
    }

    /**
     * The sparse block of rows in {@link #extractSparse}'s form, holding {@code nnz} non-zeros in all; with
     * {@code weighted}, each row's weight is its first entry.
     */
    public static dev.mixem.math.RowBlock sparseBlock(List<double[]> rows, long nnz, int d, long firstRow,
                                                      boolean weighted, long[] skipped) {
        if (nnz > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("a block of " + rows.size() + " sparse rows holds " + nnz
                    + " non-zeros; lower --block-rows");
        }
        int n = rows.size();
        int[] start = new int[n + 1];
        int[] cols = new int[(int) nnz];
        double[] nz = new double[(int) nnz];
        double[] w = weighted ? new double[n] : null;
        int t = 0;
        for (int i = 0; i < n; i++) {
            double[] r = rows.get(i);
            int m = (int) r[1];
            for (int e = 0; e < m; e++) {
                cols[t + e] = (int) r[2 + e];
                nz[t + e] = r[2 + m + e];
            }
            t += m;
            start[i + 1] = t;
            if (weighted) {
                w[i] = r[0];
            }
        }
        return dev.mixem.math.RowBlock.sparse(n, d, firstRow, start, cols, nz, w, skipped);
    }

    private static double cell(Row row, int col, boolean isString, String name, Locator loc, boolean allowMissing) {
        if (row.isNullAt(col)) {
            if (allowMissing) {
                return Double.NaN;
            }
            throw new InvalidInputException(InvalidInputException.Reason.MISSING_VALUE, loc.describe() + ", column '" + name + "': missing value");
        }
        double v;
        if (isString) {
            String s = row.getString(col);
            if (allowMissing && (s.isBlank() || isNanToken(s))) {
                return Double.NaN;
            }
            v = parse(s);
            if (Double.isNaN(v) && !isNanToken(s)) {
                throw new InvalidInputException(InvalidInputException.Reason.NOT_A_NUMBER, loc.describe() + ", column '" + name + "': '" + abbreviate(s)
                        + "' is not a number");
            }
        } else {
            Object o = row.get(col);
            if (o instanceof Boolean b) {
                return b ? 1.0 : 0.0;
            }
            if (!(o instanceof Number n)) {
                throw new InvalidInputException(InvalidInputException.Reason.NOT_A_NUMBER, loc.describe() + ", column '" + name + "': '" + o
                        + "' is not a number");
            }
            v = n.doubleValue();
        }
        if (allowMissing && Double.isNaN(v)) {
            return v;
        }
        return checkFinite(v, loc, name);
    }

    /** Categorical: each variable's level as its indicators. */
    private void extractLevels(Row row, Locator loc, double[] out, boolean allowMissing) {
        for (int v = 0, o = 0; v < names.length; v++) {
            int size = categories.size(v);
            String level = levelOf(row, cols[v], stringCols[v]);
            Integer code = level == null ? null : codes[v].get(level);
            if (level != null && code == null) {
                if (!unseenAsMissing) {
                    throw new InvalidInputException(InvalidInputException.Reason.RARE_LEVEL, loc.describe()
                            + ", column '" + names[v] + "': level '" + abbreviate(level) + "' is not among the "
                            + size + " most frequent levels that --max-levels keeps");
                }
                loc.unseenLevels++;
            }
            if (code == null) {
                if (level == null && !allowMissing) {
                    throw new InvalidInputException(InvalidInputException.Reason.MISSING_VALUE, loc.describe()
                            + ", column '" + names[v] + "': missing value");
                }
                java.util.Arrays.fill(out, o, o + size, Double.NaN);
            } else {
                java.util.Arrays.fill(out, o, o + size, 0.0);
                out[o + code] = 1.0;
            }
            o += size;
        }
    }

    /** Largest count that doubles still hold exactly, one by one. */
    private static final double MAX_COUNT = 9007199254740992.0;

    private void checkDomain(double v, Locator loc, String name) {
        if (v != v) {
            return;
        }
        if (domain == dev.mixem.config.Family.Domain.BINARY && v != 0 && v != 1) {
            throw new InvalidInputException(InvalidInputException.Reason.NOT_BINARY, loc.describe() + ", column '"
                    + name + "': " + v + " is not 0 or 1 (the bernoulli family takes binary features)");
        }
        if (domain == dev.mixem.config.Family.Domain.COUNT && !(v >= 0 && v == Math.rint(v) && v <= MAX_COUNT)) {
            throw new InvalidInputException(InvalidInputException.Reason.NOT_A_COUNT, loc.describe() + ", column '"
                    + name + "': " + v + " is not a count (the poisson family takes non-negative integers)");
        }
    }

    private static double checkFinite(double v, Locator loc, String name) {
        if (Double.isNaN(v)) {
            throw new InvalidInputException(InvalidInputException.Reason.NAN, loc.describe() + ", column '" + name + "': value is NaN");
        }
        if (Double.isInfinite(v)) {
            throw new InvalidInputException(InvalidInputException.Reason.INFINITE, loc.describe() + ", column '" + name + "': value is infinite");
        }
        return v;
    }

    /** Parses a CSV cell; NaN (with no exception) when it is not a number. Accepts nan/inf spellings. */
    static double parse(String s) {
        String t = s.trim();
        switch (t.toLowerCase(Locale.ROOT)) {
            case "inf", "+inf", "infinity", "+infinity":
                return Double.POSITIVE_INFINITY;
            case "-inf", "-infinity":
                return Double.NEGATIVE_INFINITY;
            default:
                break;
        }
        if (t.isEmpty()) {
            return Double.NaN;
        }
        char last = t.charAt(t.length() - 1);
        if (last == 'd' || last == 'D' || last == 'f' || last == 'F') {
            // Double.parseDouble accepts Java literal suffixes ("1.5d"); a data file should not.
            return Double.NaN;
        }
        try {
            return Double.parseDouble(t);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    static boolean isNanToken(String s) {
        return s.trim().equalsIgnoreCase("nan");
    }

    /** Whether a CSV cell reads as a number (NaN and infinities included), for telling numeric columns. */
    static boolean looksNumeric(String s) {
        return !Double.isNaN(parse(s)) || isNanToken(s);
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }
}
