package dev.campaignctl.core.api;

import java.util.function.Supplier;

/**
 * The request id of the work this thread does for a caller, so calls made on its behalf to other
 * services carry the same {@code X-Request-Id} and one id follows a request through every log.
 */
public final class RequestId {

    private static final ThreadLocal<String> CURRENT = new ThreadLocal<>();

    private RequestId() {
    }

    public static String current() {
        return CURRENT.get();
    }

    /** Runs {@code work} with {@code id} as the current request id, restoring the previous one after. */
    public static <T> T with(String id, Supplier<T> work) {
        String previous = CURRENT.get();
        CURRENT.set(id);
        try {
            return work.get();
        } finally {
            if (previous == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(previous);
            }
        }
    }

    public static void run(String id, Runnable work) {
        with(id, () -> {
            work.run();
            return null;
        });
    }
}
