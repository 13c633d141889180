package dev.campaignctl.core.ai;

import java.time.Duration;

/**
 * A provider call that failed: its HTTP status (0 for a connection failure or timeout), whether a
 * retry may help, and the delay the provider asked for (Retry-After). Messages never contain keys.
 */
public final class ProviderException extends RuntimeException {

    private final int status;
    private final Duration retryAfter;
    private final boolean timeout;

    public ProviderException(String provider, int status, String message, Duration retryAfter, boolean timeout) {
        super(message);
        this.status = status;
        this.retryAfter = retryAfter;
        this.timeout = timeout;
    }

    public int status() {
        return status;
    }

    public Duration retryAfter() {
        return retryAfter;
    }

    public boolean isTimeout() {
        return timeout;
    }

    /** 429, 5xx and connection failures are worth retrying; 4xx are not. */
    public boolean retryable() {
        return status == 0 || status == 429 || status == 408 || status >= 500;
    }
}
