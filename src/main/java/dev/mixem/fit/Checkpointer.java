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

    /**
     * A checkpointer of any family's parameters used for one family's fit: it saves what the fit gives it, and
     * resumes only a checkpoint of the same configuration (so of the same family).
     */
    @SuppressWarnings("unchecked")
    static <P extends dev.mixem.family.MixtureParams> Checkpointer<P> of(
            Checkpointer<dev.mixem.family.MixtureParams> any) {
        return (Checkpointer<P>) (Checkpointer<?>) any;
    }

    /** Iterations between checkpoints (a checkpoint is also taken when a restart is initialized); 0 = none. */
    int every();

    /** Stores the state, replacing the previous one atomically. */
    void save(FitCheckpoint<P> state);

    /** The state to continue from, or null to start afresh. */
    FitCheckpoint<P> resume();
}
