package io.herald.dispatch.delivery;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;

/** The real delivery log, except that it can be told to fail its next writes, as a database going away does. */
public class FlakyDeliveryLog extends DeliveryLog {

    private final AtomicInteger failures = new AtomicInteger();

    public FlakyDeliveryLog(
            JdbcClient jdbc, NamedParameterJdbcTemplate named, Clock clock, DeliveryLogPartitions partitions) {
        super(jdbc, named, clock, partitions);
    }

    /** The next {@code count} writes fail. */
    public void failNextWrites(int count) {
        failures.set(count);
    }

    @Override
    Map<UUID, String> record(List<Entry> entries) {
        if (!entries.isEmpty() && failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw new DataAccessResourceFailureException("the database went away (FlakyDeliveryLog)");
        }
        return super.record(entries);
    }
}
