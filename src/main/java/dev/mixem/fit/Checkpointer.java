package dev.mixem.fit;

/** Where a fit saves its state every few iterations, and the state it resumes from. */
public interface Checkpointer<P> {

    /** No checkpoints, a fresh start. */
    static <P> Checkpointer<P> none() {
        return new Checkpointer<>() {
            @Override
            public int every() {
                return 0;
            }

            @Override
            public void save(FitCheckpoint<P> state) {
            }

            @Override
            public FitCheckpoint<P> resume() {
                return null;
            }
        };
    }

    /** Iterations between checkpoints (a checkpoint is also taken when a restart is initialized); 0 = none. */
    int every();

    /** Stores the state, replacing the previous one atomically. */
    void save(FitCheckpoint<P> state);

    /** The state to continue from, or null to start afresh. */
    FitCheckpoint<P> resume();
}
