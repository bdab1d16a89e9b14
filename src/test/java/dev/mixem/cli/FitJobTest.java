package dev.mixem.cli;

import dev.mixem.data.InvalidInputException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FitJobTest {

    @Test
    void rejectsFeaturesWhoseSquaresWouldOverflow() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> FitJob.requireModestMagnitudes(new double[]{3, 2.9e300}, List.of("a", "b")));
        assertTrue(e.getMessage().contains("feature 'b'") && e.getMessage().contains("rescale"), e.getMessage());
        assertDoesNotThrow(() -> FitJob.requireModestMagnitudes(new double[]{1e12, 1e-300}, List.of("a", "b")));
    }
}
