package dev.campaignctl.core.idempotency;

/**
 * The answer to a create request: the object, whether it was created now or existed already, and
 * whether this answer is a replay of the one given to an earlier request with the same
 * Idempotency-Key (then {@code value} is that earlier answer, as it was then).
 */
public record Created<T>(T value, Outcome outcome, boolean replayed) {

    /** A first answer, not a replay. */
    public Created(T value, Outcome outcome) {
        this(value, outcome, false);
    }

    /** True when nothing new was stored because the object existed already. */
    public boolean existing() {
        return outcome == Outcome.EXISTING;
    }
}
