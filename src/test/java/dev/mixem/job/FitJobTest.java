package dev.mixem.job;

import dev.mixem.data.InvalidInputException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
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

    @Test
    void warnsOfFeaturesFarBelowRegCovarsScale() {
        // √1e-6 = 1e-3: a feature of at most 1e-300 (or 1e-7) is swamped; one of 0.5, or all zeros, is not named.
        assertEquals(List.of("tiny", "small"), FitJob.warnOfTinyScales(new double[]{0.5, 1e-300, 1e-7, 0.0},
                List.of("ok", "tiny", "small", "zero"), 1e-6));
    }
}
