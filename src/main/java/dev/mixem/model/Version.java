package dev.mixem.model;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** mixem's own version, from the build. */
public final class Version {
    private static final String VERSION = load();

    private Version() {
    }

    public static String mixem() {
        return VERSION;
    }

    private static String load() {
        try (InputStream in = Version.class.getResourceAsStream("/dev/mixem/version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
