package io.herald.dispatch.expo;

import io.herald.events.DomainEvent;
import io.herald.events.HeraldJson;
import io.herald.events.Provider;
import io.herald.events.TokenFeedback;
import io.herald.events.Topics;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

/**
 * Asks Expo for the receipts of its tickets once they are {@code herald.dispatch.expo.receipt-delay} old (15
 * minutes by default, as Expo advises), up to 1,000 ids a request; a {@code DeviceNotRegistered} receipt
 * becomes token feedback. Safe on several instances at once: a receipt asked twice reports the same thing.
 */
@Component
class ExpoReceipts {

    private static final Logger log = LoggerFactory.getLogger(ExpoReceipts.class);
    private static final int BATCH = 1000;

    /**
     * How long Expo keeps a receipt (24 hours, its documentation says), with a margin: older tickets are not
     * asked for.
     */
    private static final Duration RECEIPTS_KEPT = Duration.ofDays(2);

    private record Due(UUID deliveryId, UUID eventId, String ticket, String token) {}

    private final JdbcClient jdbc;
    private final KafkaTemplate<String, Object> kafka;
    private final ExpoProperties properties;
    private final Clock clock;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    ExpoReceipts(JdbcClient jdbc, KafkaTemplate<String, Object> kafka, ExpoProperties properties, Clock clock) {
        this.jdbc = jdbc;
        this.kafka = kafka;
        this.properties = properties;
        this.clock = clock;
    }

    @Scheduled(
            initialDelayString = "${herald.dispatch.expo.receipt-poll-interval:1m}",
            fixedDelayString = "${herald.dispatch.expo.receipt-poll-interval:1m}")
    void poll() {
        if (!properties.enabled()) {
            return;
        }
        // Tickets recorded in this window are due: old enough for a receipt, young enough for Expo to have it.
        Instant cutoff = clock.instant().minus(properties.receiptDelay());
        Instant oldest = cutoff.minus(RECEIPTS_KEPT);
        try {
            List<Due> due;
            do {
                due = due(oldest, cutoff);
                if (!due.isEmpty()) {
                    check(due, oldest, cutoff);
                }
            } while (due.size() == BATCH);
        } catch (RuntimeException | IOException e) {
            log.warn("Expo receipts not fetched this time: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private List<Due> due(Instant oldest, Instant cutoff) {
        return jdbc.sql("""
                        select delivery_id, event_id, provider_message_id, token from dispatch.deliveries
                        where provider = 'expo' and outcome = 'sent' and not receipt_checked
                            and recorded_at < :cutoff and recorded_at >= :oldest
                        order by recorded_at limit :limit
                        """)
                .param("cutoff", Timestamp.from(cutoff))
                .param("oldest", Timestamp.from(oldest))
                .param("limit", BATCH)
                .query((rs, row) -> new Due(
                        rs.getObject("delivery_id", UUID.class),
                        rs.getObject("event_id", UUID.class),
                        rs.getString("provider_message_id"),
                        rs.getString("token")))
                .list();
    }

    private void check(List<Due> due, Instant oldest, Instant cutoff) throws IOException, InterruptedException {
        var request = HttpRequest.newBuilder(properties.baseUrl().resolve(URI.create("/--/api/v2/push/getReceipts")))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(HeraldJson.mapper()
                        .writeValueAsBytes(
                                Map.of("ids", due.stream().map(Due::ticket).toList()))));
        if (properties.accessToken() != null && !properties.accessToken().isBlank()) {
            request.header("Authorization", "Bearer " + properties.accessToken());
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            log.warn("Expo receipts answered {}; will ask again", response.statusCode());
            return;
        }
        JsonNode receipts = HeraldJson.mapper().readTree(response.body()).path("data");
        int dead = 0;
        for (Due d : due) {
            JsonNode receipt = receipts.path(d.ticket());
            if ("DeviceNotRegistered"
                    .equals(receipt.path("details").path("error").asString(""))) {
                dead++;
                kafka.send(
                        Topics.TOKEN_FEEDBACK,
                        d.token(),
                        new TokenFeedback(
                                d.eventId(),
                                DomainEvent.SCHEMA_VERSION,
                                clock.instant(),
                                Provider.EXPO,
                                d.token(),
                                "DeviceNotRegistered",
                                d.deliveryId()));
            }
        }
        // The time bounds keep the update to the partitions the tickets were read from.
        jdbc.sql("""
                        update dispatch.deliveries set receipt_checked = true
                        where delivery_id in (:ids) and recorded_at >= :oldest and recorded_at < :cutoff
                        """)
                .param("ids", due.stream().map(Due::deliveryId).toList())
                .param("oldest", Timestamp.from(oldest))
                .param("cutoff", Timestamp.from(cutoff))
                .update();
        log.debug("checked {} Expo receipts, {} dead tokens", due.size(), dead);
    }
}
