package io.herald.spring.kafka;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * The safety net of Herald's batch consumers: when a statement written for a whole poll fails because the
 * database refuses the data of one of its records, find that record (or those records), so that it alone goes to
 * the dead-letter topic and the rest of the poll is delivered at once.
 *
 * <p>A refusal of the data is an SQLState of class 22 (data exception: a NUL in text, a value out of range, bad
 * JSON) or 23 (integrity constraint violation): retrying the same record cannot help. Everything else — the database
 * down or restarting (08, 57), a timeout, a deadlock (40) — is trouble of the database, not of a record, and is
 * left to the consumer's retry: nothing is dead-lettered during an outage.
 */
public final class DataRefusals {

    private DataRefusals() {}

    /** Work on a part of a batch, such as one multi-row statement for it. */
    @FunctionalInterface
    public interface Work<T, E extends Exception> {
        void apply(List<T> part) throws E;
    }

    /**
     * One record the database refused on its own.
     *
     * @param index its index in the batch
     * @param cause what the work threw for it alone
     */
    public record Refusal(int index, RuntimeException cause) {}

    /**
     * Whether {@code failure} is the database refusing the data: an {@link SQLException} of SQLState class 22 or 23
     * anywhere in its causes (or in a batch's chained exceptions).
     */
    public static boolean isDataRefusal(Throwable failure) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Throwable t = failure; t != null && seen.add(t); t = t.getCause()) {
            if (t instanceof SQLException sql) {
                for (SQLException e = sql; e != null; e = e.getNextException()) {
                    String state = e.getSQLState();
                    if (state != null && (state.startsWith("22") || state.startsWith("23"))) {
                        return true;
                    }
                    if (e.getNextException() == e) {
                        break;
                    }
                }
            }
        }
        return false;
    }

    /**
     * Does {@code work} on {@code batch}; when the database refuses its data, on each half, and so on down to
     * single items: each item the database accepts is worked on (at least once; the work must be idempotent), and
     * each item it refuses on its own is returned. Any other failure propagates at once (the caller's retry, as
     * for any failure of the database). Costs one attempt when nothing is refused, and about {@code 2 log2(n)}
     * more per refused item.
     *
     * @return the refused items, in batch order; empty when everything went through
     */
    public static <T, E extends Exception> List<Refusal> refusedAmong(List<T> batch, Work<T, E> work) throws E {
        List<Refusal> refused = new ArrayList<>();
        narrow(batch, 0, work, refused);
        return refused;
    }

    private static <T, E extends Exception> void narrow(
            List<T> part, int offset, Work<T, E> work, List<Refusal> refused) throws E {
        if (part.isEmpty()) {
            return;
        }
        try {
            work.apply(part);
        } catch (RuntimeException e) {
            if (!isDataRefusal(e)) {
                throw e;
            }
            if (part.size() == 1) {
                refused.add(new Refusal(offset, e));
                return;
            }
            int half = part.size() / 2;
            narrow(part.subList(0, half), offset, work, refused);
            narrow(part.subList(half, part.size()), offset + half, work, refused);
        }
    }
}
