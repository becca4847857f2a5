package io.herald.token.log;

import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Keeps the delivery log for {@code herald.token.delivery-log.retention}. The log is partitioned by the day (UTC, by
 * the database's clock) a row was first written: this makes the partitions of today and the next {@value
 * #DAYS_AHEAD} days ahead, drops whole the partitions whose rows are all past the retention, deletes such rows from
 * the default partition (the rows of a day that had no partition yet) in batches of {@value #BATCH}, and drops the
 * table written before the log was partitioned ({@code delivery_log_legacy}) once it is empty or past the retention.
 * The notification history ({@code notification_history}, {@link NotificationHistory}) is kept the same way, for as
 * long, its partitions made and dropped with the log's.
 *
 * <p>Making or dropping a partition locks the whole log for an instant: each statement waits at most {@value
 * #LOCK_TIMEOUT} for its lock — routing and statuses queue behind a waiting lock, so never longer — and is tried
 * again on the next run if it did not get it. Runs at startup, before the listeners write, and every {@code
 * partition-check-interval}; instances take turns (an advisory lock), and one that finds another at it skips the
 * run. Thread-safe.
 */
@Component
public class LogPartitions implements SmartInitializingSingleton {

    /** Partitions are made this many days ahead of today. */
    static final int DAYS_AHEAD = 3;

    /** The longest a statement here waits for a lock on the log. */
    static final String LOCK_TIMEOUT = "2s";

    /** Rows deleted from the default partition per statement. */
    static final int BATCH = 5_000;

    private static final Logger log = LoggerFactory.getLogger(LogPartitions.class);
    private static final String LOG = "delivery_log";
    private static final String HISTORY = "notification_history";
    /** Each partitioned table, with its partitions' storage parameters. */
    private static final Map<String, String> TABLES = Map.of(
            // A third of each page free, as the log always had (V6): a status updates its plan in place.
            LOG, " with (fillfactor = 70)",
            // Written once, never updated.
            HISTORY, "");

    private static final DateTimeFormatter DAY = DateTimeFormatter.BASIC_ISO_DATE;
    /** The advisory lock instances take turns on ("herald", 1). */
    private static final int LOCK_CLASS = 0x68657261;

    private static final int LOCK_ID = 1;

    private final JdbcTemplate jdbc;
    private final DeliveryLogProperties properties;

    LogPartitions(JdbcTemplate jdbc, DeliveryLogProperties properties) {
        this.jdbc = jdbc;
        this.properties = properties;
    }

    /**
     * What a run did.
     *
     * @param ran false when another instance was at it
     * @param created the days whose partitions were made
     * @param dropped the days whose partitions were dropped
     * @param defaultRowsDeleted rows deleted from the default partition
     * @param legacyDropped whether the table written before partitioning was dropped
     */
    record Run(
            boolean ran,
            List<LocalDate> created,
            List<LocalDate> dropped,
            int defaultRowsDeleted,
            boolean legacyDropped) {}

    @Override
    public void afterSingletonsInstantiated() {
        try {
            maintain();
        } catch (RuntimeException e) {
            // Today's partition was made days ahead, or rows go to the default one meanwhile: the next run makes it.
            log.warn(
                    "delivery log partitions not checked at startup, retried in {}: {}",
                    properties.partitionCheckInterval(),
                    e.toString());
        }
    }

    /** Makes the partitions ahead and drops those past the retention, by the database's today (UTC). */
    @Scheduled(
            initialDelayString = "${herald.token.delivery-log.partition-check-interval:1h}",
            fixedDelayString = "${herald.token.delivery-log.partition-check-interval:1h}")
    public void maintain() {
        Run run = jdbc.execute((ConnectionCallback<Run>) c -> maintain(c, null));
        if (run != null && (!run.created().isEmpty() || !run.dropped().isEmpty() || run.defaultRowsDeleted() > 0)) {
            log.info(
                    "delivery log: partitions made for {}, dropped for {}, {} rows past the retention deleted from the"
                            + " default partition{}",
                    run.created(),
                    run.dropped(),
                    run.defaultRowsDeleted(),
                    run.legacyDropped() ? ", the log from before partitioning dropped" : "");
        }
    }

    /** As {@link #maintain()}, for the given today (tests). */
    Run maintain(LocalDate today) {
        return jdbc.execute((ConnectionCallback<Run>) c -> maintain(c, today));
    }

    private Run maintain(Connection c, @Nullable LocalDate givenToday) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(true);
        try (Statement s = c.createStatement()) {
            if (!bool(s, "select pg_try_advisory_lock(" + LOCK_CLASS + ", " + LOCK_ID + ")")) {
                return new Run(false, List.of(), List.of(), 0, false);
            }
            try {
                LocalDate today = givenToday != null
                        ? givenToday
                        : query(
                                s,
                                "select (now() at time zone 'utc')::date",
                                rs -> rs.getDate(1).toLocalDate());
                LocalDate cutoff = today.minusDays(properties.retentionDays());
                // The log's days are reported; the history's partitions follow the same days.
                List<LocalDate> created = new ArrayList<>();
                List<LocalDate> dropped = new ArrayList<>();
                int deleted = 0;
                for (String table : List.of(LOG, HISTORY)) {
                    NavigableSet<LocalDate> existing = partitions(s, table);
                    for (LocalDate day = today; !day.isAfter(today.plusDays(DAYS_AHEAD)); day = day.plusDays(1)) {
                        if (!existing.contains(day)
                                && ddl(c, create(table, day), "make the partition of " + day + " of " + table)
                                && table.equals(LOG)) {
                            created.add(day);
                        }
                    }
                    // A partition holds the rows first written on its day: all are past the retention once its day
                    // is before the cutoff.
                    for (LocalDate day : existing.headSet(cutoff, false)) {
                        if (ddl(
                                        c,
                                        "drop table if exists token." + name(table, day),
                                        "drop the partition of " + day + " of " + table)
                                && table.equals(LOG)) {
                            dropped.add(day);
                        }
                    }
                    int n = pruneDefault(c, table, cutoff);
                    deleted += table.equals(LOG) ? n : 0;
                }
                boolean legacyDropped = dropLegacy(c, s);
                return new Run(true, created, dropped, deleted, legacyDropped);
            } finally {
                s.execute("select pg_advisory_unlock(" + LOCK_CLASS + ", " + LOCK_ID + ")");
            }
        } finally {
            c.setAutoCommit(autoCommit);
        }
    }

    private static NavigableSet<LocalDate> partitions(Statement s, String table) throws SQLException {
        TreeSet<LocalDate> days = new TreeSet<>();
        Pattern partition = Pattern.compile(table + "_p(\\d{8})");
        try (ResultSet rs = s.executeQuery("""
                select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid
                where i.inhparent = 'token.%s'::regclass
                """.formatted(table))) {
            while (rs.next()) {
                Matcher m = partition.matcher(rs.getString(1));
                if (m.matches()) {
                    days.add(LocalDate.parse(m.group(1), DAY));
                }
            }
        }
        return days;
    }

    static String name(LocalDate day) {
        return name(LOG, day);
    }

    private static String name(String table, LocalDate day) {
        return table + "_p" + DAY.format(day);
    }

    private static String create(String table, LocalDate day) {
        return "create table if not exists token.%s partition of token.%s for values from ('%s') to ('%s')"
                        .formatted(name(table, day), table, day, day.plusDays(1))
                + TABLES.get(table);
    }

    /**
     * Runs one statement that locks the log in a transaction of its own, waiting at most {@link #LOCK_TIMEOUT} for
     * the lock. False, logged, when it failed: not getting the lock, or, for a new partition, rows of its day already
     * in the default partition (they stay there, deleted in batches once past the retention).
     */
    private static boolean ddl(Connection c, String sql, String what) throws SQLException {
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.execute("set local lock_timeout = '" + LOCK_TIMEOUT + "'");
            s.execute(sql);
            c.commit();
            return true;
        } catch (SQLException e) {
            c.rollback();
            log.warn("delivery log: could not {} now, tried again next run: {}", what, e.getMessage());
            return false;
        } finally {
            c.setAutoCommit(true);
        }
    }

    /** Deletes a table's default partition's rows past the retention, a batch a statement; how many. */
    private static int pruneDefault(Connection c, String table, LocalDate cutoff) throws SQLException {
        int deleted = 0;
        try (PreparedStatement p = c.prepareStatement("""
                delete from token.%1$s_default where ctid = any(array(
                    select ctid from token.%1$s_default where day < ? limit %2$d))
                """.formatted(table, BATCH))) {
            p.setDate(1, Date.valueOf(cutoff));
            for (int n = BATCH; n == BATCH; ) {
                n = p.executeUpdate();
                deleted += n;
            }
        }
        return deleted;
    }

    /**
     * Drops the log written before it was partitioned once nothing in it is within the retention: when it is
     * empty, or when the migration that set it aside is older than the retention.
     */
    private boolean dropLegacy(Connection c, Statement s) throws SQLException {
        if (!bool(s, "select to_regclass('token.delivery_log_legacy') is not null")) {
            return false;
        }
        boolean expired = bool(s, "select not exists (select 1 from token.delivery_log_legacy)")
                || (bool(s, "select to_regclass('token.flyway_schema_history') is not null")
                        && bool(s, """
                                select coalesce((select installed_on < now() - make_interval(days => %d)
                                                 from token.flyway_schema_history where version = '8'), false)
                                """.formatted(properties.retentionDays())));
        return expired
                && ddl(c, "drop table if exists token.delivery_log_legacy", "drop the log from before partitioning");
    }

    private static boolean bool(Statement s, String sql) throws SQLException {
        return query(s, sql, rs -> rs.getBoolean(1));
    }

    private interface Column<T> {
        T read(ResultSet rs) throws SQLException;
    }

    private static <T> T query(Statement s, String sql, Column<T> column) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return column.read(rs);
        }
    }
}
