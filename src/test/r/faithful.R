# Writes R's datasets::faithful (272 eruptions of Old Faithful: eruption minutes, waiting minutes) to
# src/test/resources/reference/faithful.csv for the Student-t reference (studentt_reference.py).
# Run from the repository root: Rscript src/test/r/faithful.R
write.csv(datasets::faithful, "src/test/resources/reference/faithful.csv", row.names = FALSE, quote = FALSE)
