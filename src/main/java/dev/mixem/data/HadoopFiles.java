package dev.mixem.data;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Small text files on any Hadoop file system (local, HDFS, S3A, ...), written atomically. */
public final class HadoopFiles {

    private HadoopFiles() {
    }

    /** Writes to a temporary file beside the target, then renames it over the target in one step where the file system can. */
    public static void writeString(Configuration conf, String path, String content) {
        Path target = new Path(path);
        Path tmp = new Path(target.getParent(), "." + target.getName() + ".tmp");
        try {
            FileSystem fs = target.getFileSystem(conf);
            if (target.getParent() != null) {
                fs.mkdirs(target.getParent());
            }
            try (FSDataOutputStream out = fs.create(tmp, true)) {
                out.write(content.getBytes(StandardCharsets.UTF_8));
            }
            Outputs.renameOver(fs, fs.makeQualified(tmp), fs.makeQualified(target));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + path + ": " + e.getMessage(), e);
        }
    }

    /** The file's text, or null if it does not exist. */
    public static String readString(Configuration conf, String path) {
        Path p = new Path(path);
        try {
            FileSystem fs = p.getFileSystem(conf);
            if (!fs.exists(p) || fs.getFileStatus(p).isDirectory()) {
                return null;
            }
            try (FSDataInputStream in = fs.open(p)) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path + ": " + e.getMessage(), e);
        }
    }
}
