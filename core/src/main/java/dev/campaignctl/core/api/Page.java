package dev.campaignctl.core.api;

import java.util.List;
import java.util.function.LongFunction;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * One page of a list, in the list's order, and the way to the next one: the same whether the list
 * comes from this process or from a service's {@code Link: <…>; rel="next"} header.
 *
 * <pre>{@code
 * for (Page<Event> page = api.listEvents(null, 1000, null); ; page = page.next()) {
 *     page.items().forEach(this::print);
 *     if (!page.hasNext()) {
 *         break;
 *     }
 * }
 * }</pre>
 *
 * @param <T> the items' type
 */
public final class Page<T> {

    private final List<T> items;
    private final Long nextStartingAfter;
    private final Supplier<Page<T>> next;

    /**
     * @param nextStartingAfter the {@code starting_after} of the next page (null when unknown or last)
     * @param next fetches the next page; null on the last one
     */
    public Page(List<T> items, Long nextStartingAfter, Supplier<Page<T>> next) {
        this.items = List.copyOf(items);
        this.nextStartingAfter = nextStartingAfter;
        this.next = next;
    }

    /** The last page of a list. */
    public static <T> Page<T> last(List<T> items) {
        return new Page<>(items, null, null);
    }

    /**
     * A page from rows read with one more than {@code limit}: the extra row, never shown, says that a
     * next page exists (so a list whose length is a multiple of the limit ends without an empty page).
     *
     * @param after fetches the page after the given id
     */
    public static <T> Page<T> fromRows(List<T> rows, int limit, ToLongFunction<T> id, LongFunction<Page<T>> after) {
        if (rows.size() <= limit) {
            return last(rows);
        }
        List<T> items = rows.subList(0, limit);
        long cursor = id.applyAsLong(items.getLast());
        return new Page<>(items, cursor, () -> after.apply(cursor));
    }

    public List<T> items() {
        return items;
    }

    public boolean hasNext() {
        return next != null;
    }

    /** The cursor of the next page, for a service building its {@code Link} header; null on the last page. */
    public Long nextStartingAfter() {
        return nextStartingAfter;
    }

    /** Fetches the next page; only when {@link #hasNext()}. */
    public Page<T> next() {
        if (next == null) {
            throw new IllegalStateException("the last page has no next one");
        }
        return next.get();
    }

    /** A cursor from a caller: null or a positive id. */
    public static Long checkStartingAfter(Long startingAfter) {
        if (startingAfter != null && startingAfter < 1) {
            throw ApiException.invalid("starting_after", "must be a positive integer, got " + startingAfter);
        }
        return startingAfter;
    }
}
