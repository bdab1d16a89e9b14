package dev.mixem.data;

import dev.mixem.family.MixtureParams;

import dev.mixem.fit.Checkpointer;
import dev.mixem.fit.FitCheckpoint;
import dev.mixem.model.CheckpointFormat;
import dev.mixem.model.ModelFormatException;
import org.apache.hadoop.conf.Configuration;

import java.util.Map;
import java.util.function.Consumer;

/**
 * Checkpoints in {@code DIR/checkpoint.json} on any Hadoop file system, each written to a temporary file and
 * renamed over the previous one, so that a crash leaves either the old checkpoint or the new one.
 */
public final class CheckpointStore implements Checkpointer<MixtureParams> {
    public static final String FILE = "checkpoint.json";

    private final Configuration conf;
    private final String file;
    private final int every;
    private final boolean resume;
    private final Map<String, Object> configuration;
    private final Map<String, Object> input;
    private final String fingerprint;
    private final Consumer<String> log;

    /**
     * @param dir    checkpoint directory
     * @param every  iterations between checkpoints (0: none written)
     * @param resume whether to continue from {@code dir}'s checkpoint
     */
    public CheckpointStore(Configuration conf, String dir, int every, boolean resume, Map<String, Object> configuration,
                           Map<String, Object> input, String fingerprint, Consumer<String> log) {
        this(conf, dir, FILE, every, resume, configuration, input, fingerprint, log);
    }

    /** A store whose checkpoint is {@code DIR/fileName} (select keeps one per candidate). */
    public CheckpointStore(Configuration conf, String dir, String fileName, int every, boolean resume,
                           Map<String, Object> configuration, Map<String, Object> input, String fingerprint,
                           Consumer<String> log) {
        this.conf = conf;
        this.file = dir.replaceAll("/+$", "") + "/" + fileName;
        this.every = every;
        this.resume = resume;
        this.configuration = configuration;
        this.input = input;
        this.fingerprint = fingerprint;
        this.log = log;
    }

    /**
     * Checks a checkpoint directory before a fit: it is not the model's own directory, and unless the fit
     * resumes from it or {@code overwrite} is given, it holds no earlier checkpoint (which the fit would
     * replace).
     */
    public static void claim(Configuration conf, String dir, String modelDir, boolean resume, boolean overwrite) {
        String d = dir.replaceAll("(?<=.)/+$", "");
        try {
            org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(d);
            org.apache.hadoop.fs.FileSystem fs = p.getFileSystem(conf);
            if (modelDir != null && fs.makeQualified(p).equals(fs.makeQualified(new org.apache.hadoop.fs.Path(modelDir)))) {
                throw new IllegalArgumentException("the checkpoint directory " + d + " is the model's --output;"
                        + " give checkpoints a directory of their own");
            }
            if (!resume && !overwrite && fs.exists(new org.apache.hadoop.fs.Path(p, FILE))) {
                throw new OutputExistsException(d, "checkpoint directory " + d + " already holds a checkpoint ("
                        + d + "/" + FILE + "): pass --resume " + d + " to continue that fit, or --overwrite to start afresh");
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot inspect " + d + ": " + e.getMessage(), e);
        }
    }

    @Override
    public int every() {
        return every;
    }

    @Override
    public void save(FitCheckpoint<MixtureParams> state) {
        HadoopFiles.writeString(conf, file, CheckpointFormat.toJson(state, configuration, input, fingerprint));
        log.accept("checkpoint: restart " + (state.restart() + 1) + ", iteration " + state.iteration() + " saved to " + file);
    }

    @Override
    public FitCheckpoint<MixtureParams> resume() {
        if (!resume) {
            return null;
        }
        String json = HadoopFiles.readString(conf, file);
        if (json == null) {
            throw new ModelFormatException("no checkpoint to resume from: " + file + " does not exist");
        }
        FitCheckpoint<MixtureParams> state = CheckpointFormat.fromJson(json, file, configuration, fingerprint);
        log.accept("resuming from " + file + ": restart " + (state.restart() + 1) + ", iteration " + state.iteration());
        return state;
    }
}
