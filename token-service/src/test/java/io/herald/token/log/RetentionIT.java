package io.herald.token.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.testkit.ServiceInfrastructure;
import io.herald.token.ServiceStubs;
import io.herald.token.TokenServiceClient;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The delivery log does not grow for ever: its daily partitions past {@code delivery-log.retention} are dropped whole
 * while the next days' are made ahead.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"spring.config.name=token-service", "herald.token.delivery-log.retention=30d"})
@DirtiesContext
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class RetentionIT {

    @RegisterExtension
    static final ServiceInfrastructure infra = ServiceInfrastructure.withKafkaAndDatabase("token_retention");

    static final ServiceStubs stubs = ServiceStubs.start();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        stubs.register(registry);
    }

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    LogPartitions partitions;

    @AfterAll
    static void close() {
        stubs.close();
    }

    @Test
    void logPartitionsPastTheRetentionAreDroppedWholeAndTheNextDaysAreMadeAhead() {
        LocalDate today = jdbc.sql("select (now() at time zone 'utc')::date")
                .query(LocalDate.class)
                .single();
        // As if it had run on those days (the later first, or it would drop the earlier's partitions at once).
        partitions.maintain(today.minusDays(5)); // makes -5 … -2
        partitions.maintain(today.minusDays(40)); // makes -40 … -37
        UUID old = UUID.randomUUID();
        UUID recent = UUID.randomUUID();
        UUID defaulted = UUID.randomUUID();
        logRow(old, today.minusDays(40));
        logRow(recent, today.minusDays(5));
        logRow(defaulted, today.minusDays(35)); // no partition of its own: the default one
        var client = new TokenServiceClient(port);
        assertThat(client.get(deliveries(old)).statusCode()).isEqualTo(200);
        assertThat(client.get(deliveries(defaulted)).statusCode()).isEqualTo(200);

        LogPartitions.Run run = partitions.maintain(today);

        assertThat(run.ran()).isTrue();
        assertThat(run.dropped())
                .containsExactly(today.minusDays(40), today.minusDays(39), today.minusDays(38), today.minusDays(37));
        assertThat(run.defaultRowsDeleted()).isEqualTo(1);
        assertThat(partitionDays())
                .allSatisfy(day -> assertThat(day).isAfterOrEqualTo(today.minusDays(30)))
                .contains(today.minusDays(5), today, today.plusDays(1), today.plusDays(2), today.plusDays(3));
        // The notification history's partitions follow the same days.
        assertThat(partitionDays("notification_history"))
                .allSatisfy(day -> assertThat(day).isAfterOrEqualTo(today.minusDays(30)))
                .contains(today.minusDays(5), today, today.plusDays(1), today.plusDays(2), today.plusDays(3))
                .doesNotContain(today.minusDays(40));
        assertThat(client.get(deliveries(old)).statusCode()).isEqualTo(404);
        assertThat(client.get(deliveries(defaulted)).statusCode()).isEqualTo(404);
        assertThat(client.get(deliveries(recent)).statusCode()).isEqualTo(200);
        // Run again: nothing left to do.
        assertThat(partitions.maintain(today).dropped()).isEmpty();
    }

    @Test
    void aDeliveryWrittenOnTwoDaysShowsItsNewestEntry() {
        LocalDate today = jdbc.sql("select (now() at time zone 'utc')::date")
                .query(LocalDate.class)
                .single();
        UUID eventId = UUID.randomUUID();
        UUID delivery = UUID.randomUUID();
        jdbc.sql("""
                        insert into token.delivery_log (event_id, user_id, channel, delivery_key, provider, outcome,
                            updated_at, day)
                        values (:e, 'ana', 'push', :d, 'fcm', 'planned', now() - interval '1 day', :yesterday),
                               (:e, 'ana', 'push', :d, null, 'sent', now(), :today)
                        """)
                .param("e", eventId)
                .param("d", delivery.toString())
                .param("yesterday", today.minusDays(1))
                .param("today", today)
                .update();

        var rows = TokenServiceClient.json(new TokenServiceClient(port).get(deliveries(eventId)))
                .path("deliveries");

        assertThat(rows).hasSize(1);
        assertThat(rows.get(0).path("outcome").asString()).isEqualTo("sent");
        assertThat(rows.get(0).path("provider").asString()).isEqualTo("fcm");
    }

    @Test
    void theLogFromBeforePartitioningIsReadUntilItIsPastTheRetentionThenDropped() {
        // The migration's (empty) one went at startup.
        assertThat(legacyExists()).isFalse();
        jdbc.sql("""
                        create table token.delivery_log_legacy (event_id uuid not null, user_id text not null,
                            channel text not null, delivery_key text not null, provider text, outcome text not null,
                            reason text, updated_at timestamptz not null, notification_id uuid,
                            primary key (event_id, user_id, channel, delivery_key))
                        """).update();
        UUID eventId = UUID.randomUUID();
        jdbc.sql("""
                        insert into token.delivery_log_legacy (event_id, user_id, channel, delivery_key, provider,
                            outcome, updated_at)
                        values (:e, 'ana', 'push', 'k', 'fcm', 'sent', now() - interval '3 days')
                        """).param("e", eventId).update();
        var client = new TokenServiceClient(port);
        assertThat(client.get(deliveries(eventId)).statusCode()).isEqualTo(200);
        LocalDate today = jdbc.sql("select (now() at time zone 'utc')::date")
                .query(LocalDate.class)
                .single();

        assertThat(partitions.maintain(today).legacyDropped()).isFalse();
        jdbc.sql("update token.flyway_schema_history set installed_on = now() - interval '31 days' where version = '8'")
                .update();
        assertThat(partitions.maintain(today).legacyDropped()).isTrue();

        assertThat(legacyExists()).isFalse();
        assertThat(client.get(deliveries(eventId)).statusCode()).isEqualTo(404);
    }

    private boolean legacyExists() {
        return jdbc.sql("select to_regclass('token.delivery_log_legacy') is not null")
                .query(Boolean.class)
                .single();
    }

    private List<LocalDate> partitionDays() {
        return partitionDays("delivery_log");
    }

    private List<LocalDate> partitionDays(String table) {
        return jdbc.sql("""
                        select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid
                        where i.inhparent = ('token.' || :table)::regclass and c.relname like :table || '_p%'
                        """).param("table", table).query(String.class).list().stream()
                .map(name -> LocalDate.parse(name.substring((table + "_p").length()), DateTimeFormatter.BASIC_ISO_DATE))
                .toList();
    }

    private void logRow(UUID eventId, LocalDate day) {
        jdbc.sql("""
                        insert into token.delivery_log (event_id, user_id, channel, delivery_key, provider, outcome,
                            updated_at, day)
                        values (:e, 'ana', 'push', 'k', 'fcm', 'sent', now(), :day)
                        """).param("e", eventId).param("day", day).update();
    }

    private static String deliveries(UUID eventId) {
        return "/internal/v1/events/" + eventId + "/deliveries";
    }
}
