package io.herald.dispatch.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.herald.dispatch.TestDeliveries;
import io.herald.events.Provider;
import io.herald.events.PushDelivery;
import io.herald.spring.kafka.TopicSettings;
import io.herald.testkit.PostgresServer;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.postgresql.Driver;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * The record of sends is kept {@code retention} long, in one partition per day, against a real PostgreSQL and
 * the service's own migrations: expired days are dropped whole, recent ones kept, a send is still recognised in
 * an earlier partition, the migration keeps the rows of the table it converts, and no maintenance step locks
 * the table against the sends being looked up and recorded.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class DeliveryLogRetentionIT {

    private static final Instant NOW = Instant.now();

    /** A clock the test moves. */
    static final class MovableClock extends Clock {
        private volatile Instant now;

        MovableClock(Instant now) {
            this.now = now;
        }

        void set(Instant instant) {
            now = instant;
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    private PostgresServer.Database db;
    private DataSource dataSource;
    private final MovableClock clock = new MovableClock(NOW);

    @BeforeEach
    void database() {
        db = PostgresServer.shared().newDatabase("retention");
        dataSource = dataSource(db);
    }

    private static DataSource dataSource(PostgresServer.Database db) {
        var source = new SimpleDriverDataSource();
        source.setDriverClass(Driver.class);
        source.setUrl(db.jdbcUrl());
        source.setUsername(db.username());
        source.setPassword(db.password());
        return source;
    }

    private void migrate(String target) {
        Flyway.configure()
                .dataSource(dataSource)
                .schemas("dispatch")
                .locations("classpath:db/dispatch")
                .target(target)
                .load()
                .migrate();
    }

    private DeliveryLogPartitions partitions(String retention) {
        var properties = new DispatchProperties(
                Duration.ofSeconds(30),
                new DispatchProperties.Retry(
                        Duration.ofSeconds(1),
                        2.0,
                        Duration.ofSeconds(60),
                        Duration.ofMillis(200),
                        6,
                        Duration.ofMinutes(5)),
                new DispatchProperties.DeliveryLogSettings(
                        Duration.parse(retention), Duration.ofDays(3), Duration.ofHours(1)),
                new DispatchProperties.LogApi(10_000));
        return new DeliveryLogPartitions(dataSource, properties, TopicSettings.defaults(), clock);
    }

    private DeliveryLog log(DataSource source, DeliveryLogPartitions partitions) {
        return new DeliveryLog(JdbcClient.create(source), new NamedParameterJdbcTemplate(source), clock, partitions);
    }

    private static DeliveryLog.Entry sent(PushDelivery delivery) {
        return new DeliveryLog.Entry(delivery, DeliveryLog.SENT, "projects/p/messages/1", null, 1);
    }

    private static PushDelivery delivery() {
        return TestDeliveries.like("user-" + UUID.randomUUID(), "token-" + UUID.randomUUID(), Provider.FCM);
    }

    private int rows(UUID deliveryId) {
        return JdbcClient.create(dataSource)
                .sql("select count(*) from dispatch.deliveries where delivery_id = :id")
                .param("id", deliveryId)
                .query(Integer.class)
                .single();
    }

    private List<String> partitionNames() {
        return JdbcClient.create(dataSource).sql("""
                        select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid
                        where i.inhparent = 'dispatch.deliveries'::regclass order by c.relname
                        """).query(String.class).list();
    }

    @Test
    void expiredDaysAreDroppedWholeAndRecentOnesKept() {
        migrate("latest");
        DeliveryLogPartitions partitions = partitions("P30D");
        DeliveryLog log = log(dataSource, partitions);

        clock.set(NOW.plus(Duration.ofDays(10)));
        partitions.maintain();
        PushDelivery old = delivery();
        log.record(List.of(sent(old)));

        clock.set(NOW.plus(Duration.ofDays(45)));
        DeliveryLogPartitions.Maintenance done = partitions.maintain();
        PushDelivery recent = delivery();
        log.record(List.of(sent(recent)));

        assertThat(rows(old.deliveryId())).as("a send recorded 35 days ago").isZero();
        assertThat(rows(recent.deliveryId())).as("a send recorded today").isOne();
        // The table from before partitioning and the four days created 35 days ago, all expired.
        assertThat(done.dropped())
                .hasSize(5)
                .contains(
                        DeliveryLogPartitions.name(LocalDate.ofInstant(NOW.plus(Duration.ofDays(10)), ZoneOffset.UTC)))
                .anyMatch(name -> name.startsWith("deliveries_until_"));
        assertThat(partitionNames())
                .as("today and the three days ahead")
                .hasSize(4)
                .first()
                .isEqualTo(
                        DeliveryLogPartitions.name(LocalDate.ofInstant(NOW.plus(Duration.ofDays(45)), ZoneOffset.UTC)));
        assertThat(log.alreadySent(Set.of(recent.deliveryId(), old.deliveryId()), clock.instant()))
                .containsExactly(recent.deliveryId());
    }

    @Test
    void aSendIsRecognisedInAnEarlierDaysPartitionAndOnlyTheDaysThatCanHoldItAreRead() {
        migrate("latest");
        DeliveryLogPartitions partitions = partitions("P30D");
        DeliveryLog log = log(dataSource, partitions);
        Instant sentAt = NOW.plus(Duration.ofDays(10));
        clock.set(sentAt);
        partitions.maintain();
        PushDelivery delivery = delivery();
        log.record(List.of(sent(delivery)));
        // A failed attempt and then the sent one: rows are appended, one per attempt.
        PushDelivery retried = delivery();
        log.record(List.of(new DeliveryLog.Entry(retried, "failed", null, "UNAVAILABLE", 1)));
        log.record(List.of(new DeliveryLog.Entry(retried, DeliveryLog.SENT, "m-2", null, 2)));

        clock.set(sentAt.plus(Duration.ofDays(3)));
        partitions.maintain();
        // Redelivered three days later: its record was first published just before it was sent.
        Instant published = sentAt.minusSeconds(1);
        assertThat(log.alreadySent(Set.of(delivery.deliveryId(), retried.deliveryId()), published))
                .containsExactlyInAnyOrder(delivery.deliveryId(), retried.deliveryId());
        assertThat(rows(retried.deliveryId())).isEqualTo(2);

        String plan = String.join(
                "\n",
                JdbcClient.create(dataSource)
                        .sql("explain select delivery_id from dispatch.deliveries"
                                + " where delivery_id = any(:ids) and recorded_at >= :since and outcome = 'sent'")
                        .param("ids", new UUID[] {delivery.deliveryId()})
                        .param("since", Timestamp.from(published.minus(DeliveryLog.CLOCK_SKEW)))
                        .query(String.class)
                        .list());
        assertThat(plan)
                .as("the days before the record was published are not read")
                .doesNotContain("deliveries_until_")
                .contains(DeliveryLogPartitions.name(LocalDate.ofInstant(sentAt, ZoneOffset.UTC)));
    }

    @Test
    void theMigrationKeepsEveryRowOfTheTableItPartitions() {
        migrate("2");
        PushDelivery before = delivery();
        JdbcClient.create(dataSource)
                .sql("""
                        insert into dispatch.deliveries (delivery_id, event_id, user_id, provider, outcome,
                            provider_message_id, attempts, updated_at)
                        values (:id, :event, :user, 'fcm', 'sent', 'm-1', 1, :at)
                        """)
                .param("id", before.deliveryId())
                .param("event", before.eventId())
                .param("user", before.userId())
                .param("at", Timestamp.from(NOW.minus(Duration.ofDays(3))))
                .update();

        migrate("latest");
        DeliveryLogPartitions partitions = partitions("P30D");
        partitions.maintain();
        DeliveryLog log = log(dataSource, partitions);

        assertThat(partitionNames()).anyMatch(name -> name.startsWith("deliveries_until_"));
        assertThat(log.alreadySent(Set.of(before.deliveryId()), NOW.minus(Duration.ofDays(4))))
                .containsExactly(before.deliveryId());
        // The same delivery recorded again (a later attempt) is a row of its own, not a key violation.
        log.record(List.of(sent(before)));
        assertThat(rows(before.deliveryId())).isEqualTo(2);
        assertThat(JdbcClient.create(dataSource)
                        .sql(
                                "select count(*) from pg_partitioned_table where partrelid = 'dispatch.deliveries'::regclass")
                        .query(Integer.class)
                        .single())
                .isOne();
    }

    @Test
    void maintenanceNeverLocksTheTableAgainstLookupsAndWrites() throws Exception {
        migrate("latest");
        DeliveryLogPartitions partitions = partitions("P30D");
        partitions.maintain();
        log(dataSource, partitions).record(List.of(sent(delivery())));

        try (Connection reader = dataSource.getConnection();
                Connection writer = dataSource.getConnection()) {
            // A long transaction that has read every partition (a report, say): it holds them until it ends.
            reader.setAutoCommit(false);
            try (var statement = reader.createStatement()) {
                statement
                        .executeQuery("select count(*) from dispatch.deliveries")
                        .close();
            }
            // 40 days on: the table from before partitioning expires and new days are due.
            clock.set(NOW.plus(Duration.ofDays(40)));
            CompletableFuture<DeliveryLogPartitions.Maintenance> maintenance =
                    CompletableFuture.supplyAsync(partitions::maintain);
            // Dropping the expired partition waits for the open transaction: it blocks nobody meanwhile.
            await().atMost(Duration.ofSeconds(30)).until(() -> waitingForLocks(writer) > 0 || maintenance.isDone());
            assertThat(maintenance).as("waits for the open transaction").isNotDone();

            try (var statement = writer.createStatement()) {
                statement.execute("set lock_timeout = '1s'");
            }
            DeliveryLog sends = log(new SingleConnectionDataSource(writer, true), partitions);
            PushDelivery delivery = delivery();
            sends.record(List.of(sent(delivery)));
            assertThat(sends.alreadySent(Set.of(delivery.deliveryId()), clock.instant()))
                    .containsExactly(delivery.deliveryId());
            assertThat(sends.alreadySent(Set.of(delivery.deliveryId()), Instant.EPOCH))
                    .containsExactly(delivery.deliveryId());
            assertThat(JdbcClient.create(new SingleConnectionDataSource(writer, true))
                            .sql("""
                                    select count(*) from pg_locks
                                    where relation = 'dispatch.deliveries'::regclass and mode = 'AccessExclusiveLock'
                                    """)
                            .query(Integer.class)
                            .single())
                    .as("whole-table locks held or waited for")
                    .isZero();

            reader.commit();
            assertThat(maintenance.get(30, TimeUnit.SECONDS).dropped())
                    .anyMatch(name -> name.startsWith("deliveries_until_"));
        }
        assertThat(partitionNames()).noneMatch(name -> name.startsWith("deliveries_until_"));
    }

    /** Sessions waiting for a lock in this database (the maintenance waiting for the open transaction). */
    private static int waitingForLocks(Connection connection) throws SQLException {
        try (var statement = connection.createStatement();
                var rows = statement.executeQuery("""
                        select count(*) from pg_stat_activity
                        where datname = current_database() and wait_event_type = 'Lock'
                        """)) {
            rows.next();
            return rows.getInt(1);
        }
    }

    @Test
    void aRetentionShorterThanKafkaKeepsRecordsIsRefused() {
        assertThatThrownBy(() -> partitions("P7D"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("herald.dispatch.delivery-log.retention")
                .hasMessageContaining("herald.topics.retention");
    }
}
