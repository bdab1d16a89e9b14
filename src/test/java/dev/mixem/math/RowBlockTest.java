package dev.mixem.math;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class RowBlockTest {
    private static RowBlock block() {
        return RowBlock.ofRows(new double[][]{{1, 2}, {3, 4}, {5, 6}}, null, 0);
    }

    private static void rowSums(RowBlock b, double[] out, AtomicInteger calls) {
        calls.incrementAndGet();
        double[] row = new double[b.dim];
        for (int i = 0; i < b.rows; i++) {
            b.row(i, row);
            out[i] = row[0] + row[1];
        }
    }

    @Test
    void rowConstantsAreComputedOncePerKeyAndNotSerialized() throws Exception {
        RowBlock b = block();
        AtomicInteger calls = new AtomicInteger();
        double[] first = b.rowConstants("sum", v -> rowSums(b, v, calls));
        assertArrayEquals(new double[]{3, 7, 11}, first);
        assertSame(first, b.rowConstants("sum", v -> rowSums(b, v, calls)), "the kept values, not new ones");
        assertEquals(1, calls.get());
        // Another key replaces them.
        double[] other = b.rowConstants("zero", v -> calls.incrementAndGet());
        assertArrayEquals(new double[3], other);
        assertEquals(2, calls.get());

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(b);
        }
        RowBlock back;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            back = (RowBlock) in.readObject();
        }
        // A copy computes them again from its own values.
        assertArrayEquals(new double[]{3, 7, 11}, back.rowConstants("zero", v -> rowSums(back, v, calls)));
        assertEquals(3, calls.get());
    }
}
