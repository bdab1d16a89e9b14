package dev.mixem.data;

import org.apache.hadoop.fs.FileStatus;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.apache.spark.sql.functions.col;

/**
 * Reads CSV, Parquet, ORC or LibSVM through Spark's DataFrame readers and decides which columns are
 * features. CSV is read as text (header row required) and parsed by mixem, so that a bad cell is reported
 * with its file, row and column; a text column is numeric when any non-empty cell among its first
 * {@value #SNIFF_ROWS} rows reads as a number (so a dirty numeric column fails on its bad cell, with its
 * location, instead of quietly leaving the features). Columns left out are logged. A .tsv file is read
 * with a tab separator. Parquet and ORC columns are numeric by type. By default a single vector column is
 * the features (Spark ML's and LibSVM's layout); otherwise every numeric column except the weight column.
 */
public final class InputReader {
    static final int SNIFF_ROWS = 1000;
    private static final Logger LOG = LogManager.getLogger(InputReader.class);
    static final String FILE_COL = "_mixem_file";
    static final String BLOCK_START_COL = "_mixem_block_start";
    static final String CORRUPT_COL = "_mixem_corrupt_record";

    private InputReader() {
    }

    /**
     * The frame as read (user columns first, then mixem's bookkeeping columns) with an extractor for it.
     *
     * @param userColumns the columns of the input as the user sees them
     */
    public record Loaded(Dataset<Row> frame, FeatureExtractor extractor, List<String> userColumns, String featuresCol) {
    }

    /** The input's columns, as the user sees them (a categorical fit's default variables). */
    public static List<String> columns(SparkSession spark, InputSpec spec) {
        return List.copyOf(raw(spark, spec).userColumns());
    }

    private record Raw(Dataset<Row> frame, List<String> userColumns) {
    }

    private static Raw raw(SparkSession spark, InputSpec spec) {
        InputFormat format = spec.effectiveFormat();
        requireExists(spark, spec.path());
        requireOneFormat(spark, spec.path(), format);
        Dataset<Row> raw;
        try {
            raw = switch (format) {
                case CSV -> readCsv(spark, spec.path(), separator(spec.path()));
                case PARQUET, ORC -> spark.read().format(format.serializedName()).load(spec.path());
                case LIBSVM -> spark.read().format("libsvm").load(spec.path());
            };
        } catch (InvalidInputException e) {
            throw e;
        } catch (Exception e) {
            throw new InvalidInputException("cannot read " + spec.path() + " as " + format + ": "
                    + firstLine(e.getMessage()), e);
        }
        List<String> userColumns = new ArrayList<>();
        for (String c : raw.columns()) {
            if (!c.equals(CORRUPT_COL)) {
                userColumns.add(c);
            }
        }
        if (userColumns.isEmpty()) {
            throw new InvalidInputException("input " + spec.path() + " is empty (no header and no columns)");
        }
        return new Raw(raw, userColumns);
    }

    public static Loaded read(SparkSession spark, InputSpec spec) {
        InputFormat format = spec.effectiveFormat();
        Raw r = raw(spark, spec);
        Dataset<Row> raw = r.frame();
        List<String> userColumns = r.userColumns();
        Dataset<Row> frame = withLocation(raw);
        Choice choice = choose(frame, userColumns, spec);
        return new Loaded(frame, extractor(frame, userColumns, spec, format, choice), List.copyOf(userColumns),
                choice.vectorCol());
    }

    /**
     * The rows of a DataFrame's features column, for the Spark ML estimator: a vector column (dense or sparse)
     * or an {@code array<double>} or {@code array<float>} column, and an optional numeric weight column. The
     * frame gets a vector column of that name (and the weight as double), nothing else.
     */
    public static Loaded fromFrame(Dataset<?> dataset, String featuresCol, String weightCol) {
        StructType schema = dataset.schema();
        List<String> names = Arrays.asList(schema.fieldNames());
        String what = "the DataFrame";
        if (!names.contains(featuresCol)) {
            throw new InvalidInputException("column '" + featuresCol + "' is not in " + what + " (columns: "
                    + String.join(", ", names) + ")");
        }
        DataType t = schema.apply(featuresCol).dataType();
        org.apache.spark.sql.Column features = col("`" + featuresCol + "`");
        if (t instanceof org.apache.spark.sql.types.ArrayType a
                && (a.elementType() instanceof org.apache.spark.sql.types.DoubleType
                || a.elementType() instanceof org.apache.spark.sql.types.FloatType)) {
            features = org.apache.spark.ml.functions.array_to_vector(features);
        } else if (!(t instanceof VectorUDT)) {
            throw new InvalidInputException("column '" + featuresCol + "' must be a vector, array<double> or"
                    + " array<float> column; it is " + t.simpleString());
        }
        List<org.apache.spark.sql.Column> cols = new ArrayList<>();
        cols.add(features.as(featuresCol));
        boolean weighted = weightCol != null && !weightCol.isEmpty();
        if (weighted) {
            if (!names.contains(weightCol)) {
                throw new InvalidInputException("weight column '" + weightCol + "' is not in " + what
                        + " (columns: " + String.join(", ", names) + ")");
            }
            if (!(schema.apply(weightCol).dataType() instanceof NumericType)) {
                throw new InvalidInputException("weight column '" + weightCol + "' must be numeric; it is "
                        + schema.apply(weightCol).dataType().simpleString());
            }
            cols.add(col("`" + weightCol + "`").cast("double").as(weightCol));
        }
        Dataset<Row> frame = dataset.select(cols.toArray(new org.apache.spark.sql.Column[0]));
        int dim = vectorSize(frame, featuresCol, what);
        FeatureExtractor ex = new FeatureExtractor(new String[]{featuresCol}, new int[0], new boolean[0], 0, dim,
                weighted ? 1 : -1, weighted ? weightCol : null, false, -1, -1, -1, cols.size());
        return new Loaded(frame, ex, weighted ? List.of(featuresCol, weightCol) : List.of(featuresCol), featuresCol);
    }

    private static void requireExists(SparkSession spark, String path) {
        try {
            Path p = new Path(path);
            FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
            FileStatus[] matches = fs.globStatus(p);
            if (matches == null || matches.length == 0) {
                throw new InvalidInputException("input path does not exist: " + path);
            }
        } catch (IOException e) {
            throw new InvalidInputException("cannot access input path " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * A directory must hold one format: its data files (hidden ones, starting with _ or ., left aside) may
     * not have extensions of two formats, nor of another format than the one being read.
     */
    static void requireOneFormat(SparkSession spark, String path, InputFormat format) {
        try {
            Path p = new Path(path);
            FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
            if (!fs.exists(p) || !fs.getFileStatus(p).isDirectory()) {
                return;
            }
            java.util.Map<InputFormat, List<String>> byFormat = new java.util.TreeMap<>();
            Path root = fs.makeQualified(p);
            org.apache.hadoop.fs.RemoteIterator<org.apache.hadoop.fs.LocatedFileStatus> files = fs.listFiles(root, true);
            while (files.hasNext()) {
                Path f = files.next().getPath();
                if (hidden(f, root)) {
                    continue;
                }
                try {
                    byFormat.computeIfAbsent(InputFormat.fromPath(f.getName()), x -> new ArrayList<>()).add(f.getName());
                } catch (IllegalArgumentException unknownExtension) {
                    // Files without a known extension (e.g. LibSVM parts) are read as the format asked for.
                }
            }
            byFormat.remove(format);
            if (!byFormat.isEmpty()) {
                StringBuilder sb = new StringBuilder();
                byFormat.forEach((f, names) -> sb.append(sb.length() > 0 ? ", " : "").append(names.size()).append(' ')
                        .append(f).append(" file(s), e.g. ").append(names.get(0)));
                throw new InvalidInputException("input directory " + path + " is read as " + format
                        + " but also holds " + sb + "; mixem reads one format per input: point --input at the files"
                        + " of one format (a glob such as " + path.replaceAll("/+$", "") + "/*." + format + " works)");
            }
        } catch (IOException e) {
            throw new InvalidInputException("cannot list input directory " + path + ": " + e.getMessage(), e);
        }
    }

    private static boolean hidden(Path f, Path root) {
        for (Path q = f; q != null && !q.equals(root); q = q.getParent()) {
            String n = q.getName();
            if (n.startsWith("_") || n.startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    /** Tab for .tsv files (compressed or not), comma otherwise. */
    static String separator(String path) {
        String p = path.toLowerCase(java.util.Locale.ROOT).replaceAll("/+$", "")
                .replaceAll("\\.(gz|bz2|snappy|zst|lz4|deflate)$", "");
        return p.endsWith(".tsv") ? "\t" : ",";
    }

    private static Dataset<Row> readCsv(SparkSession spark, String path, String sep) {
        String[] header = spark.read().option("header", "true").option("inferSchema", "false").option("sep", sep)
                .csv(path).columns();
        if (header.length == 0) {
            throw new InvalidInputException("input " + path + " is empty (no header row)");
        }
        List<StructField> fields = new ArrayList<>();
        for (String h : header) {
            fields.add(DataTypes.createStructField(h, DataTypes.StringType, true));
        }
        fields.add(DataTypes.createStructField(CORRUPT_COL, DataTypes.StringType, true));
        return spark.read()
                .schema(DataTypes.createStructType(fields))
                .option("header", "true")
                .option("mode", "PERMISSIVE")
                .option("columnNameOfCorruptRecord", CORRUPT_COL)
                .option("sep", sep)
                .csv(path);
    }

    /** Adds the source file and split start of every row, where the reader knows them. */
    private static Dataset<Row> withLocation(Dataset<Row> raw) {
        try {
            return raw.withColumn(FILE_COL, col("_metadata.file_path"))
                    .withColumn(BLOCK_START_COL, col("_metadata.file_block_start"));
        } catch (Exception e) {
            if (e instanceof AnalysisException || e.getCause() instanceof AnalysisException) {
                return raw;
            }
            throw e;
        }
    }

    /** The features: a vector column, or scalar columns. */
    private record Choice(String vectorCol, List<String> scalarCols) {
    }

    /**
     * Named features win. Otherwise, an input with exactly one vector column uses it (Spark ML's convention:
     * numeric columns beside a {@code features} vector are labels or ids; LibSVM reads that way too), and
     * any other input uses every numeric column.
     */
    private static Choice choose(Dataset<Row> frame, List<String> userColumns, InputSpec spec) {
        if (spec.featuresCol() != null) {
            return new Choice(spec.featuresCol(), List.of());
        }
        if (!spec.featureCols().isEmpty()) {
            return new Choice(null, spec.featureCols());
        }
        StructType schema = frame.schema();
        List<String> vectors = new ArrayList<>();
        for (String c : userColumns) {
            if (schema.apply(c).dataType() instanceof VectorUDT) {
                vectors.add(c);
            }
        }
        if (vectors.size() == 1) {
            LOG.info("features: the vector column '" + vectors.get(0) + "' (name others with --feature-cols)");
            return new Choice(vectors.get(0), List.of());
        }
        return new Choice(null, numericColumns(frame, userColumns, spec.weightCol()));
    }

    private static FeatureExtractor extractor(Dataset<Row> frame, List<String> userColumns, InputSpec spec,
                                              InputFormat format, Choice choice) {
        StructType schema = frame.schema();
        int fileCol = indexOf(schema, FILE_COL);
        int blockCol = indexOf(schema, BLOCK_START_COL);
        int corruptCol = indexOf(schema, CORRUPT_COL);
        int weightCol = -1;
        boolean weightIsString = false;
        if (spec.weightCol() != null) {
            weightCol = requireColumn(schema, userColumns, spec.weightCol(), spec.path());
            weightIsString = schema.fields()[weightCol].dataType() instanceof StringType;
            requireScalar(schema.fields()[weightCol], spec.path());
        }
        String vectorName = choice.vectorCol();
        if (vectorName != null) {
            int vc = requireColumn(schema, userColumns, vectorName, spec.path());
            if (!(schema.fields()[vc].dataType() instanceof VectorUDT)) {
                throw new InvalidInputException("column '" + vectorName + "' of " + spec.path()
                        + " is not a vector column (it is " + schema.fields()[vc].dataType().simpleString() + ")");
            }
            int dim = vectorSize(frame, vectorName, spec.path());
            return new FeatureExtractor(new String[]{vectorName}, new int[0], new boolean[0], vc, dim, weightCol,
                    spec.weightCol(), weightIsString, fileCol, blockCol, corruptCol, userColumns.size());
        }
        List<String> names = choice.scalarCols();
        if (names.isEmpty()) {
            throw new InvalidInputException("input " + spec.path() + " (" + format + ") has no numeric column"
                    + " to use as a feature (columns: " + String.join(", ", userColumns)
                    + "); name them with --feature-cols or a vector column with --features-col");
        }
        int[] cols = new int[names.size()];
        boolean[] strings = new boolean[names.size()];
        for (int j = 0; j < cols.length; j++) {
            cols[j] = requireColumn(schema, userColumns, names.get(j), spec.path());
            requireScalar(schema.fields()[cols[j]], spec.path());
            strings[j] = schema.fields()[cols[j]].dataType() instanceof StringType;
        }
        return new FeatureExtractor(names.toArray(new String[0]), cols, strings, -1, cols.length, weightCol,
                spec.weightCol(), weightIsString, fileCol, blockCol, corruptCol, userColumns.size());
    }

    /** Numeric columns by type, or (for text columns) by sniffing the first rows. */
    static List<String> numericColumns(Dataset<Row> frame, List<String> userColumns, String weightCol) {
        StructType schema = frame.schema();
        List<String> textCols = new ArrayList<>();
        for (String c : userColumns) {
            if (schema.apply(c).dataType() instanceof StringType) {
                textCols.add(c);
            }
        }
        boolean[] numericText = new boolean[textCols.size()];
        if (!textCols.isEmpty()) {
            List<Row> head = frame.select(textCols.stream().map(c -> col("`" + c + "`")).toArray(Column[]::new))
                    .limit(SNIFF_ROWS).collectAsList();
            if (head.isEmpty()) {
                throw new InvalidInputException("the input has no data rows (a header only?)");
            }
            for (int j = 0; j < textCols.size(); j++) {
                for (Row r : head) {
                    if (!r.isNullAt(j) && FeatureExtractor.looksNumeric(r.getString(j))) {
                        numericText[j] = true;
                        break;
                    }
                }
            }
        }
        List<String> out = new ArrayList<>();
        List<String> left = new ArrayList<>();
        for (String c : userColumns) {
            if (c.equals(weightCol)) {
                continue;
            }
            DataType t = schema.apply(c).dataType();
            int ti = textCols.indexOf(c);
            if (t instanceof NumericType || (ti >= 0 && numericText[ti])) {
                out.add(c);
            } else {
                left.add(c);
            }
        }
        if (!left.isEmpty()) {
            LOG.info("columns left out of the features (not numeric): " + String.join(", ", left));
        }
        return out;
    }

    private static int vectorSize(Dataset<Row> frame, String name, String path) {
        List<Row> first = frame.select(col("`" + name + "`")).where(col("`" + name + "`").isNotNull())
                .limit(1).collectAsList();
        if (first.isEmpty()) {
            throw new InvalidInputException("input " + path + " has no rows");
        }
        return ((Vector) first.get(0).get(0)).size();
    }

    private static int indexOf(StructType schema, String name) {
        return Arrays.asList(schema.fieldNames()).indexOf(name);
    }

    private static int requireColumn(StructType schema, List<String> userColumns, String name, String path) {
        if (!userColumns.contains(name)) {
            throw new InvalidInputException("column '" + name + "' is not in " + path + " (columns: "
                    + String.join(", ", userColumns) + ")");
        }
        return indexOf(schema, name);
    }

    private static void requireScalar(StructField f, String path) {
        DataType t = f.dataType();
        if (!(t instanceof NumericType) && !(t instanceof StringType)) {
            throw new InvalidInputException("column '" + f.name() + "' of " + path + " has type "
                    + t.simpleString() + ", not a number");
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
