package io.herald.bench;

import io.herald.testkit.PostgresServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/**
 * The work behind {@code pipeline-e2e}'s deliveries, counted rather than assumed, read before and after a phase once
 * the work the deliveries leave behind has caught up ({@link Bookkeeping}):
 *
 * <ul>
 *   <li>Kafka: the records written to every {@code herald.*} topic, the sum of the growth of its partitions' end
 *       offsets (no Herald producer is transactional, so every offset is a record; the bench's own events on {@code
 *       herald.events.v1} are counted, as an upstream app's would be), and apart from them the consumer groups'
 *       offset commits ({@code __consumer_offsets});
 *   <li>PostgreSQL, in the services' database: statements executed ({@code pg_stat_statements}' calls, with
 *       transaction control, {@code SET} and {@code SHOW} counted apart), rows written ({@code pg_stat_user_tables}'
 *       {@code n_tup_ins + n_tup_upd + n_tup_del}), transactions committed ({@code pg_stat_database}'s {@code
 *       xact_commit}), and the server's WAL bytes and syncs ({@code pg_stat_wal}); and for each of the two tables
 *       a delivery's design writes a row to ({@link #DELIVERY_TABLES}), the rows inserted and the insert statements
 *       that wrote them, whose ratio is the batch {@link PipelineFloor} writes that table's rows in;
 *   <li>the FCM emulator: the send requests it had.
 * </ul>
 *
 * <p>A delivery is what issue #26 names one: one recipient (of one event) with one FCM device, in-app too; {@code
 * pipeline-e2e}'s recipients have one FCM device each, so an event makes one delivery, one push and one in-app
 * notification.
 *
 * <p>A statement is one execution, however many rows it writes: a multi-row insert ({@code reWriteBatchedInserts},
 * {@code unnest}) is one. {@code pg_stat_statements} counts in shared memory as each statement ends, so its figures
 * are exact. The other
 * three come from PostgreSQL 14's statistics collector: a backend reports its counts at most every half second, and
 * one that goes idle less than half a second after its last report keeps the rest until its next transaction, so
 * up to half a second of a backend's work at a phase's end may be counted in the next phase instead (and the
 * previous phase's in this one). {@link #count()} waits a second first, so that what was reported has been read.
 * The bench's own statements (those naming {@code pg_stat_*}) are left out of the statements; its readings add a
 * few transactions to the commits, which also count autovacuum's.
 */
final class PipelineWork implements AutoCloseable {

    /** Statements that only steer a transaction or a session, counted apart from the work. */
    private static final String CONTROL =
            "'^\\s*(begin|start|commit|end|rollback|abort|savepoint|release|prepare|set|reset|show|discard"
                    + "|deallocate)\\M'";

    private static final String CONSUMER_OFFSETS = "__consumer_offsets";

    /** The tables a delivery writes its two rows to in issue #26's design: dispatch's send row, the inbox row. */
    static final List<String> DELIVERY_TABLES = List.of("dispatch.deliveries", "inbox.notifications");

    /** Counters at one moment; {@link #since} makes a phase's work of two. */
    record Count(
            Map<String, Long> records,
            long offsetCommits,
            long statements,
            long controlStatements,
            long rows,
            long commits,
            long walBytes,
            long walSyncs,
            Map<String, Long> tableInserts,
            Map<String, Long> tableInsertStatements,
            long fcmRequests) {

        /** What was done between {@code before} and this, for {@code deliveries} deliveries of {@code events}. */
        Work since(Count before, long deliveries, long events) {
            Map<String, Long> grown = minus(records, before.records);
            grown.values().removeIf(delta -> delta == 0); // topics nothing was written to are not listed
            return new Work(
                    deliveries,
                    events,
                    grown,
                    offsetCommits - before.offsetCommits,
                    statements - before.statements,
                    controlStatements - before.controlStatements,
                    rows - before.rows,
                    commits - before.commits,
                    walBytes - before.walBytes,
                    walSyncs - before.walSyncs,
                    minus(tableInserts, before.tableInserts),
                    minus(tableInsertStatements, before.tableInsertStatements),
                    fcmRequests - before.fcmRequests);
        }

        private static Map<String, Long> minus(Map<String, Long> after, Map<String, Long> before) {
            Map<String, Long> grown = new TreeMap<>();
            after.forEach((key, value) -> grown.put(key, value - before.getOrDefault(key, 0L)));
            return grown;
        }
    }

    /**
     * A phase's work in total; the {@code ...PerDelivery} methods divide it by its deliveries (one recipient of an
     * event each, with its push and its in-app notification).
     */
    record Work(
            long deliveries,
            long events,
            Map<String, Long> recordsByTopic,
            long offsetCommits,
            long statements,
            long controlStatements,
            long rows,
            long commits,
            long walBytes,
            long walSyncs,
            Map<String, Long> tableInserts,
            Map<String, Long> tableInsertStatements,
            long fcmRequests) {

        long records() {
            return recordsByTopic.values().stream().mapToLong(Long::longValue).sum();
        }

        double recordsPerDelivery() {
            return perDelivery(records());
        }

        double statementsPerDelivery() {
            return perDelivery(statements);
        }

        double rowsPerDelivery() {
            return perDelivery(rows);
        }

        double commitsPerDelivery() {
            return perDelivery(commits);
        }

        double fcmRequestsPerDelivery() {
            return perDelivery(fcmRequests);
        }

        /** Rows {@code table} got a statement inserting into it, on average; NaN where none ran. */
        double rowsPerInsert(String table) {
            long statements = tableInsertStatements.getOrDefault(table, 0L);
            return statements == 0 ? Double.NaN : (double) tableInserts.getOrDefault(table, 0L) / statements;
        }

        private double perDelivery(long count) {
            return deliveries == 0 ? Double.NaN : (double) count / deliveries;
        }

        /** Lines for the bench's output. */
        String describe() {
            var topics = new StringBuilder();
            recordsByTopic.forEach((topic, count) -> topics.append(topics.isEmpty() ? "" : ", ")
                    .append(topic)
                    .append(String.format(Locale.ROOT, " %.2f", perDelivery(count))));
            return String.format(
                    Locale.ROOT,
                    "%d deliveries of %d events (%.2f an event)%n"
                            + "    Kafka: %.2f records a delivery on herald topics (%s); consumer offset commits"
                            + " %.2f a delivery%n"
                            + "    PostgreSQL: %.2f statements a delivery (pg_stat_statements; besides them %.2f of"
                            + " transaction control, SET and SHOW), %.2f rows written (pg_stat_user_tables),"
                            + " %.2f commits (pg_stat_database), WAL %.0f bytes and %.3f syncs (pg_stat_wal) a"
                            + " delivery; rows an insert statement wrote: %s%n"
                            + "    FCM emulator: %.2f requests a delivery",
                    deliveries,
                    events,
                    events == 0 ? Double.NaN : (double) deliveries / events,
                    recordsPerDelivery(),
                    topics,
                    perDelivery(offsetCommits),
                    statementsPerDelivery(),
                    perDelivery(controlStatements),
                    rowsPerDelivery(),
                    commitsPerDelivery(),
                    perDelivery(walBytes),
                    perDelivery(walSyncs),
                    insertSizes(),
                    fcmRequestsPerDelivery());
        }

        private String insertSizes() {
            var sizes = new StringBuilder();
            for (String table : DELIVERY_TABLES) {
                sizes.append(sizes.isEmpty() ? "" : ", ")
                        .append(String.format(
                                Locale.ROOT,
                                "%s %.1f (%d rows, %d statements)",
                                table,
                                rowsPerInsert(table),
                                tableInserts.getOrDefault(table, 0L),
                                tableInsertStatements.getOrDefault(table, 0L)));
            }
            return sizes.toString();
        }
    }

    private final Admin admin;
    private final PostgresServer.Database db;
    private final LongSupplier fcmRequests;

    /**
     * Counts in {@code db} (the services' database), on the broker at {@code bootstrapServers} and {@code
     * fcmRequests} (the FCM emulator's requests since it started). The server must have loaded {@code
     * pg_stat_statements} ({@code shared_preload_libraries}); this installs it in {@code db}.
     */
    PipelineWork(String bootstrapServers, PostgresServer.Database db, LongSupplier fcmRequests) throws SQLException {
        this.db = db;
        this.fcmRequests = fcmRequests;
        try (Connection c = connect();
                var s = c.createStatement()) {
            s.execute("create extension if not exists pg_stat_statements");
        }
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
    }

    /** The counters now, a second after the call (see the class's note on PostgreSQL's statistics collector). */
    Count count() throws InterruptedException, SQLException {
        TimeUnit.SECONDS.sleep(1);
        Map<String, Long> ends = endOffsets();
        Long offsetCommits = ends.remove(CONSUMER_OFFSETS);
        try (Connection c = connect();
                var s = c.createStatement()) {
            long statements;
            long control;
            try (var rows = s.executeQuery("select"
                    + " coalesce(sum(calls) filter (where query !~* " + CONTROL + "), 0),"
                    + " coalesce(sum(calls) filter (where query ~* " + CONTROL + "), 0)"
                    + " from pg_stat_statements"
                    + " where dbid = (select oid from pg_database where datname = current_database())"
                    + " and query !~* 'pg_stat_'")) {
                rows.next();
                statements = rows.getLong(1);
                control = rows.getLong(2);
            }
            // One transaction: the collector's figures below are then read from one snapshot of its file.
            c.setAutoCommit(false);
            long tableRows =
                    single(s, "select coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) from pg_stat_user_tables");
            long commits = single(s, "select xact_commit from pg_stat_database where datname = current_database()");
            long walBytes;
            long walSyncs;
            try (var rows = s.executeQuery("select wal_bytes, wal_sync from pg_stat_wal")) {
                rows.next();
                walBytes = rows.getLong(1);
                walSyncs = rows.getLong(2);
            }
            Map<String, Long> tableInserts = new TreeMap<>();
            Map<String, Long> tableInsertStatements = new TreeMap<>();
            for (String table : DELIVERY_TABLES) {
                tableInserts.put(table, inserted(c, table));
                tableInsertStatements.put(
                        table,
                        single(
                                s,
                                "select coalesce(sum(calls), 0) from pg_stat_statements"
                                        + " where dbid = (select oid from pg_database where datname = current_database())"
                                        + " and query ~* 'insert\\s+into\\s+" + table.replace(".", "\\.") + "\\M'"));
            }
            c.commit();
            return new Count(
                    ends,
                    offsetCommits == null ? 0 : offsetCommits,
                    statements,
                    control,
                    tableRows,
                    commits,
                    walBytes,
                    walSyncs,
                    tableInserts,
                    tableInsertStatements,
                    fcmRequests.getAsLong());
        }
    }

    /** Rows inserted into {@code table} and its partitions ({@code pg_stat_user_tables}), 0 where it does not exist. */
    private static long inserted(Connection c, String table) throws SQLException {
        try (var select = c.prepareStatement("select coalesce(sum(n_tup_ins), 0) from pg_stat_user_tables"
                + " where relid = to_regclass(?)"
                + " or relid in (select inhrelid from pg_inherits where inhparent = to_regclass(?))")) {
            select.setString(1, table);
            select.setString(2, table);
            try (var rows = select.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }

    /** By {@code herald.*} topic and for {@code __consumer_offsets}, the sum of its partitions' end offsets. */
    private Map<String, Long> endOffsets() throws InterruptedException {
        try {
            Collection<String> topics = admin.listTopics(new ListTopicsOptions().listInternal(true))
                    .names()
                    .get(30, TimeUnit.SECONDS);
            List<String> counted = topics.stream()
                    .filter(t -> t.startsWith("herald.") || t.equals(CONSUMER_OFFSETS))
                    .toList();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            admin.describeTopics(counted)
                    .allTopicNames()
                    .get(30, TimeUnit.SECONDS)
                    .forEach((topic, description) -> description
                            .partitions()
                            .forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest())));
            Map<String, Long> ends = new TreeMap<>();
            admin.listOffsets(latest)
                    .all()
                    .get(30, TimeUnit.SECONDS)
                    .forEach((partition, info) -> ends.merge(partition.topic(), info.offset(), Long::sum));
            return ends;
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not read the topics' end offsets", e);
        }
    }

    private static long single(Statement s, String sql) throws SQLException {
        try (var rows = s.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(db.jdbcUrl(), db.username(), db.password());
    }

    @Override
    public void close() {
        admin.close();
    }
}
