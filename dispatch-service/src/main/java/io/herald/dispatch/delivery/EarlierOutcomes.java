package io.herald.dispatch.delivery;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.util.Collection;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Final outcomes (accepted, or rejected for a dead token) of this instance's sends whose batch is not done yet, by
 * delivery id: when storing or publishing the outcomes fails and the batch is read again, these deliveries are not
 * sent a second time (nor recorded twice), and their statuses are published again. {@link Dispatcher} forgets them
 * as batches complete.
 *
 * <p>At most 100,000 are kept (Caffeine: beyond, the ones least likely to be asked for again are dropped, and such a
 * delivery would be sent again if its batch were read again). They do not expire by time: one is kept until its batch
 * is done or the cap drops it, whatever the batch's retries take. Thread-safe.
 */
final class EarlierOutcomes {

    static final int MAX = 100_000;

    /** A final outcome of this instance's, and whether the delivery log has it. */
    record Earlier(SendOutcome outcome, boolean recorded) {}

    private final Cache<UUID, Earlier> outcomes;

    EarlierOutcomes() {
        this(Ticker.systemTicker());
    }

    /** With {@code ticker} as Caffeine's time (a test's fake one, to show that nothing expires by it). */
    EarlierOutcomes(Ticker ticker) {
        this.outcomes = Caffeine.newBuilder().maximumSize(MAX).ticker(ticker).build();
    }

    /** The outcome this instance had for delivery {@code id}, if its batch is not done. */
    @Nullable
    Earlier get(UUID id) {
        return outcomes.getIfPresent(id);
    }

    /** Keeps {@code outcome} of delivery {@code id}, unless one is kept already. */
    void keep(UUID id, SendOutcome outcome, boolean recorded) {
        outcomes.asMap().putIfAbsent(id, new Earlier(outcome, recorded));
    }

    /** Notes that the delivery log has the outcome kept for delivery {@code id}, if one is. */
    void recorded(UUID id) {
        outcomes.asMap().computeIfPresent(id, (key, earlier) -> new Earlier(earlier.outcome(), true));
    }

    /** Forgets the outcomes of {@code ids}: their batch is done. */
    void forget(Collection<UUID> ids) {
        outcomes.invalidateAll(ids);
    }

    /** How many outcomes are kept, once pending evictions are done (Caffeine evicts in the background). For tests. */
    long size() {
        outcomes.cleanUp();
        return outcomes.estimatedSize();
    }
}
