package io.herald.dispatch.delivery;

import io.herald.spring.kafka.TopicSettings;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Keeps {@code dispatch.deliveries} partitioned by UTC day: creates each day's partition {@code create-ahead}
 * in advance and drops a day once its last row is older than {@code retention}; at startup (before any
 * consumer) and every {@code maintenance-interval}. Safe on several instances at once (each step is
 * idempotent; a step that lost a race fails and is done by the winner).
 *
 * <p>No step takes a lock that stops sends being looked up or recorded: a day's partition is created as a
 * table of its own, given the check constraint of its range (so attaching it scans nothing) and attached,
 * which locks the parent in {@code SHARE UPDATE EXCLUSIVE} mode (reads and writes go on); an expired day is
 * detached {@code CONCURRENTLY} (the same lock mode; it waits for statements already using the partition, it
 * blocks none) and then dropped, which locks only that detached table. {@code CREATE TABLE … PARTITION OF}
 * and a plain {@code DETACH} or {@code DROP} of a partition would lock the whole table {@code ACCESS
 * EXCLUSIVE}, queueing every send behind any open transaction.
 *
 * <p>Partitions are named for their day, {@code deliveries_yyyymmdd} ({@code [day, day + 1)}); the rows from
 * before the table was partitioned are in {@code deliveries_until_yyyymmdd} ({@code [MINVALUE, day)}), which
 * expires as one.
 */
@Component
public class DeliveryLogPartitions implements InitializingBean {

    private static final Logger log = LoggerFactory.getLogger(DeliveryLogPartitions.class);
    private static final Pattern NAME = Pattern.compile("deliveries_(until_)?(\\d{8})");
    private static final DateTimeFormatter DAY = DateTimeFormatter.BASIC_ISO_DATE;

    /** A partition of the table (or a table left detached by an interrupted drop), from its name. */
    record Partition(String name, LocalDate from, LocalDate until, boolean legacy, boolean attached, boolean pending) {}

    /** What one maintenance run did. */
    record Maintenance(List<String> created, List<String> dropped) {}

    /**
     * SQLStates of a partition created by another instance at the same moment: {@code duplicate_table}, a
     * {@code unique_violation} in the catalog, or a range that would overlap the other's partition.
     */
    private static final Set<String> CREATED_MEANWHILE = Set.of("42P07", "23505", "42P17");

    private final Object creating = new Object();
    private final Object dropping = new Object();
    private final DataSource dataSource;
    private final DispatchProperties.DeliveryLogSettings settings;
    private final Clock clock;

    DeliveryLogPartitions(DataSource dataSource, DispatchProperties properties, TopicSettings topics, Clock clock) {
        this.dataSource = dataSource;
        this.settings = properties.deliveryLog();
        this.clock = clock;
        Duration needed = topics.retention().plus(properties.retry().window(properties.sendTimeout()));
        if (settings.retention().compareTo(needed) <= 0) {
            throw new IllegalArgumentException("herald.dispatch.delivery-log.retention (" + settings.retention()
                    + ") must be longer than herald.topics.retention (" + topics.retention()
                    + ") plus the retry window (" + properties.retry().window(properties.sendTimeout())
                    + "): a record Kafka still holds could be read again and, forgotten, sent twice");
        }
    }

    /** Partitions for today and the days ahead exist before any send is recorded. */
    @Override
    public void afterPropertiesSet() {
        Maintenance done = maintain();
        log.info(
                "delivery log: partitions ready (created {}, dropped {}); sends kept {} days",
                done.created(),
                done.dropped(),
                settings.retention().toDays());
    }

    @Scheduled(
            initialDelayString = "${herald.dispatch.delivery-log.maintenance-interval:1h}",
            fixedDelayString = "${herald.dispatch.delivery-log.maintenance-interval:1h}")
    void scheduled() {
        try {
            Maintenance done = maintain();
            if (!done.created().isEmpty() || !done.dropped().isEmpty()) {
                log.info("delivery log: created partitions {}, dropped {}", done.created(), done.dropped());
            }
        } catch (RuntimeException e) {
            log.warn("delivery log maintenance failed, will try again: {}", e.toString());
        }
    }

    /**
     * Creates the partitions due and drops the expired ones.
     *
     * @throws org.springframework.dao.DataAccessException when a partition due could not be created (a failed
     *     drop is only logged: it is tried again next time, and keeping a day longer harms nothing)
     */
    public Maintenance maintain() {
        Instant now = clock.instant();
        List<String> created = create(day(now), day(now.plus(settings.createAhead())));
        List<String> dropped;
        synchronized (dropping) {
            dropped = dropExpired(now);
        }
        return new Maintenance(created, dropped);
    }

    /**
     * Makes sure rows recorded at {@code at} have a partition (from its day to {@code create-ahead} from now):
     * for a write that met no partition for its day.
     */
    void ensureFor(Instant at) {
        create(day(at), day(clock.instant().plus(settings.createAhead())));
    }

    /** The partitions, oldest first. */
    List<Partition> partitions() {
        return withConnection(connection -> {
            List<Partition> found = new ArrayList<>();
            try (var statement = connection.createStatement();
                    var rows = statement.executeQuery("""
                            select c.relname, i.inhrelid is not null as attached,
                                coalesce(i.inhdetachpending, false) as pending
                            from pg_class c
                            left join pg_inherits i
                                on i.inhrelid = c.oid and i.inhparent = 'dispatch.deliveries'::regclass
                            where c.relnamespace = 'dispatch'::regnamespace and c.relkind = 'r'
                                and c.relname ~ '^deliveries_(until_)?[0-9]{8}$'
                            order by c.relname
                            """)) {
                while (rows.next()) {
                    Matcher name = NAME.matcher(rows.getString(1));
                    if (!name.matches()) {
                        continue;
                    }
                    LocalDate date = LocalDate.parse(name.group(2), DAY);
                    boolean legacy = name.group(1) != null;
                    found.add(new Partition(
                            rows.getString(1),
                            legacy ? LocalDate.MIN : date,
                            legacy ? date : date.plusDays(1),
                            legacy,
                            rows.getBoolean(2),
                            rows.getBoolean(3)));
                }
            }
            found.sort(Comparator.comparing(Partition::until));
            return found;
        });
    }

    private List<String> create(LocalDate first, LocalDate last) {
        synchronized (creating) {
            return createBetween(first, last);
        }
    }

    private List<String> createBetween(LocalDate first, LocalDate last) {
        List<Partition> existing = partitions();
        List<String> created = new ArrayList<>();
        for (LocalDate day = first; !day.isAfter(last); day = day.plusDays(1)) {
            LocalDate d = day;
            boolean covered =
                    existing.stream().anyMatch(p -> p.attached() && !d.isBefore(p.from()) && d.isBefore(p.until()));
            if (covered) {
                continue;
            }
            // A table of the day's name that is not attached (detached by hand, say) is attached as it is.
            boolean exists = existing.stream().anyMatch(p -> p.name().equals(name(d)));
            if (createPartition(day, exists)) {
                created.add(name(day));
            }
        }
        return created;
    }

    /**
     * Creates (unless {@code exists}) and attaches the day's partition; whether this call did it: {@code false}
     * when another instance did at the same time.
     */
    private boolean createPartition(LocalDate day, boolean exists) {
        String table = "dispatch." + name(day);
        String from = "timestamptz '" + day.atStartOfDay(ZoneOffset.UTC).toInstant() + "'";
        String until =
                "timestamptz '" + day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant() + "'";
        return withConnection(connection -> {
            connection.setAutoCommit(false);
            try (Statement statement = connection.createStatement()) {
                if (!exists) {
                    statement.execute("create table " + table
                            + " (like dispatch.deliveries including defaults including constraints)");
                }
                // Proves the range to PostgreSQL, so the attach below has no rows to check.
                statement.execute("alter table " + table + " drop constraint if exists " + name(day) + "_range");
                statement.execute("alter table " + table + " add constraint " + name(day) + "_range check"
                        + " (recorded_at >= " + from + " and recorded_at < " + until + ")");
                statement.execute("alter table dispatch.deliveries attach partition " + table + " for values from ("
                        + from + ") to (" + until + ")");
                connection.commit();
                return true;
            } catch (SQLException e) {
                connection.rollback();
                if (CREATED_MEANWHILE.contains(e.getSQLState())) {
                    log.debug("partition {} was created by another instance", table);
                    return false;
                }
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        });
    }

    private List<String> dropExpired(Instant now) {
        LocalDate oldestKept = day(now.minus(settings.retention()));
        List<String> dropped = new ArrayList<>();
        for (Partition partition : partitions()) {
            // A day expires once its last instant is older than the retention.
            if (partition.until().isAfter(oldestKept)) {
                continue;
            }
            String table = "dispatch." + partition.name();
            try {
                withConnection(connection -> {
                    try (Statement statement = connection.createStatement()) {
                        if (partition.pending()) {
                            // A detach that was interrupted (its instance died while it waited): finish it.
                            statement.execute(
                                    "alter table dispatch.deliveries detach partition " + table + " finalize");
                        } else if (partition.attached()) {
                            // Not in a transaction block: DETACH CONCURRENTLY commits twice by itself.
                            statement.execute(
                                    "alter table dispatch.deliveries detach partition " + table + " concurrently");
                        }
                        statement.execute("drop table if exists " + table);
                    }
                    return table; // unused: a Work returns a value
                });
                dropped.add(partition.name());
            } catch (RuntimeException e) {
                // Another instance dropping it at the same time, or the database away: next time.
                log.warn("delivery log: partition {} not dropped this time: {}", partition.name(), e.toString());
            }
        }
        return dropped;
    }

    static String name(LocalDate day) {
        return "deliveries_" + DAY.format(day);
    }

    private static LocalDate day(Instant instant) {
        return LocalDate.ofInstant(instant, ZoneOffset.UTC);
    }

    private interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    private <T> T withConnection(Work<T> work) {
        try (Connection connection = dataSource.getConnection()) {
            return work.run(connection);
        } catch (SQLException e) {
            throw new DataAccessResourceFailureException("delivery log maintenance: " + e.getMessage(), e);
        }
    }
}
