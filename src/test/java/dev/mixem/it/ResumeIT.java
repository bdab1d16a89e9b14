package dev.mixem.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Driver loss: a fit run through submit.sh with checkpoints is killed with SIGKILL (the driver JVM: submit.sh
 * execs java) after a checkpoint, then {@code fit --resume} ends with the model of an uninterrupted fit,
 * bit for bit.
 */
class ResumeIT {
    static final Pattern CHECKPOINT = Pattern.compile("checkpoint: restart 1, iteration (\\d+) saved");

    @TempDir
    Path dir;

    String[] fit(Path model, String... extra) {
        List<String> a = new ArrayList<>(List.of("fit", "--input", dir.resolve("data.csv").toString(), "--k", "3",
                "--output", model.toString(), "--seed", "3", "--tol", "0", "--max-iter", "80"));
        a.addAll(List.of(extra));
        return a.toArray(new String[0]);
    }

    @Test
    void aKilledDriverResumesToTheSameModel() throws Exception {
        StringBuilder sb = new StringBuilder("a,b,c,d\n");
        SplittableRandom rng = new SplittableRandom(2);
        for (int i = 0; i < 60_000; i++) {
            int c = rng.nextInt(3);
            for (int j = 0; j < 4; j++) {
                sb.append(j > 0 ? "," : "").append(1.5 * c * (j % 2 == 0 ? 1 : -1) + rng.nextGaussian());
            }
            sb.append('\n');
        }
        Files.writeString(dir.resolve("data.csv"), sb.toString());

        Path plainWork = Files.createDirectories(dir.resolve("plain"));
        SubmitShIT.Result plain = SubmitShIT.submit(plainWork, fit(plainWork.resolve("model")));
        assertEquals(0, plain.code(), plain.err());

        Path work = Files.createDirectories(dir.resolve("killed"));
        Path checkpoints = work.resolve("checkpoints");
        ClusterIT.Running running = ClusterIT.Running.start(work,
                fit(work.resolve("model"), "--checkpoint-dir", checkpoints.toString(), "--checkpoint-every", "2"));
        int saved = -1;
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (saved < 6 && running.isAlive() && System.nanoTime() < deadline) {
            Matcher m = CHECKPOINT.matcher(Files.readString(work.resolve("stderr.txt")));
            while (m.find()) {
                saved = Integer.parseInt(m.group(1));
            }
            Thread.sleep(20);
        }
        assertTrue(running.isAlive(), "the fit was still running when its driver was killed");
        running.process().destroyForcibly();
        running.process().waitFor(30, TimeUnit.SECONDS);
        assertTrue(saved >= 6 && saved < 80, "killed after the checkpoint of iteration " + saved);
        assertTrue(!Files.exists(work.resolve("model/model.json")), "no model from the killed fit");

        SubmitShIT.Result resumed = SubmitShIT.submit(work, fit(work.resolve("model"), "--resume", checkpoints.toString()));
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.err().contains("resuming from"), resumed.err());
        JsonNode expected = ClusterIT.model(plainWork.resolve("model"));
        JsonNode actual = ClusterIT.model(work.resolve("model"));
        ClusterIT.assertSameModel(expected, actual);

        // The same checkpoint with another configuration is refused, naming the difference.
        SubmitShIT.Result other = SubmitShIT.submit(work, fit(work.resolve("model2"), "--resume", checkpoints.toString(),
                "--reg-covar", "1e-4"));
        assertEquals(1, other.code());
        assertTrue(other.err().contains("another configuration") && other.err().contains("regCovar"), other.err());
    }
}
