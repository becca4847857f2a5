package io.herald.token.devices;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.events.HeraldJson;
import io.herald.events.PushDelivery;
import io.herald.testkit.ServiceInfrastructure;
import io.herald.token.TestTopics;
import io.herald.token.TokenApplication;
import io.herald.token.TokenServiceClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import tools.jackson.databind.JsonNode;

/**
 * Two token-service instances on one broker and one database, as in production: devices change through the one
 * ({@code api}) while the other ({@code router}) routes every event. A change must reach the router's device cache
 * before it routes again — a token moved to another user gets none of its former owner's pushes — and a user's
 * devices are capped, the least recently seen retired.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class MultiInstanceDevicesIT {

    @RegisterExtension
    static final ServiceInfrastructure infra = ServiceInfrastructure.withKafkaAndDatabase("token_instances");

    static final TestTopics topics = new TestTopics(infra.bootstrapServers());
    static final List<ConfigurableApplicationContext> instances = new ArrayList<>();
    static TokenServiceClient api;

    @BeforeAll
    static void start() {
        ConfigurableApplicationContext first = start("api");
        ConfigurableApplicationContext router = start("router");
        // The api instance routes nothing: every event goes through the other one's device cache.
        first.getBean(KafkaListenerEndpointRegistry.class)
                .getListenerContainer("router")
                .stop();
        var routing = router.getBean(KafkaListenerEndpointRegistry.class).getListenerContainer("router");
        await().atMost(Duration.ofSeconds(60))
                .until(() -> routing.getAssignedPartitions() != null
                        && routing.getAssignedPartitions().size() == 3);
        api = new TokenServiceClient(first.getEnvironment().getRequiredProperty("local.server.port", Integer.class));
    }

    private static ConfigurableApplicationContext start(String name) {
        ConfigurableApplicationContext context = TokenApplication.application()
                .run(infra.arguments(
                        "--server.port=0",
                        "--spring.kafka.consumer.properties.session.timeout.ms=6000",
                        "--spring.kafka.consumer.properties.heartbeat.interval.ms=1000",
                        "--herald.token.devices.max-per-user=3",
                        "--spring.application.name=token-service-" + name));
        instances.add(context);
        return context;
    }

    @AfterAll
    static void stop() {
        instances.forEach(ConfigurableApplicationContext::close);
        topics.close();
    }

    @Test
    void aTokenMovedToAnotherUserOnOneInstanceGetsNoMoreOfItsFormerOwnersPushesFromTheOther() {
        String alice = "alice-" + UUID.randomUUID();
        String bob = "bob-" + UUID.randomUUID();
        String phone = "shared-phone-" + UUID.randomUUID();
        api.register(alice, phone);
        // The router caches both users' devices: alice's phone, and none for bob.
        UUID before = UUID.randomUUID();
        topics.publish(before, chat(before, "Before", alice, bob));
        awaitRouted(before);
        assertThat(topics.pushesOf(before)).extracting(PushDelivery::userId).containsExactly(alice);

        // The phone changes hands (a re-login), through the other instance; events for both follow at once.
        JsonNode moved = api.register(bob, phone);
        assertThat(moved.path("tokenSuffix").asString()).isEqualTo(phone.substring(phone.length() - 6));
        UUID after = UUID.randomUUID();
        topics.publish(after, chat(after, "After", alice, bob));
        awaitRouted(after);

        assertThat(topics.pushesOf(after))
                .extracting(p -> p.userId() + " " + p.token())
                .containsExactly(bob + " " + phone);

        // Deleted through the api instance: the router sends it nothing more.
        String deviceId = moved.path("deviceId").asString();
        assertThat(api.delete("/internal/v1/users/" + bob + "/devices/" + deviceId)
                        .statusCode())
                .isEqualTo(204);
        UUID deleted = UUID.randomUUID();
        topics.publish(deleted, chat(deleted, "Deleted", bob));
        awaitRouted(deleted);
        assertThat(topics.pushesOf(deleted)).isEmpty();
    }

    @Test
    void aUsersDevicesAreCappedAndOneMoreRetiresTheLeastRecentlySeen() {
        String carol = "carol-" + UUID.randomUUID();
        String first = "first-" + UUID.randomUUID();
        String second = "second-" + UUID.randomUUID();
        String third = "third-" + UUID.randomUUID();
        String fourth = "fourth-" + UUID.randomUUID();
        api.register(carol, first);
        JsonNode secondDevice = api.register(carol, second);
        api.register(carol, third);
        api.register(carol, first); // seen again: now the second is the least recently seen
        UUID before = UUID.randomUUID();
        topics.publish(before, chat(before, "Before", carol));
        awaitRouted(before);
        assertThat(topics.pushesOf(before)).hasSize(3);

        var response = api.post(
                "/internal/v1/users/" + carol + "/devices",
                "{\"provider\":\"fcm\",\"token\":\"" + fourth + "\",\"platform\":\"android\"}");

        assertThat(response.statusCode()).isEqualTo(201);
        JsonNode answer = TokenServiceClient.json(response);
        assertThat(answer.path("tokenSuffix").asString()).isEqualTo(fourth.substring(fourth.length() - 6));
        assertThat(answer.path("retired")).hasSize(1);
        assertThat(answer.path("retired").get(0).path("deviceId").asString())
                .isEqualTo(secondDevice.path("deviceId").asString());
        assertThat(TokenServiceClient.json(api.get("/internal/v1/users/" + carol + "/devices"))
                        .findValuesAsString("tokenSuffix"))
                .containsExactlyInAnyOrder(suffix(first), suffix(third), suffix(fourth));
        UUID after = UUID.randomUUID();
        topics.publish(after, chat(after, "After", carol));
        awaitRouted(after);
        assertThat(topics.pushesOf(after))
                .extracting(PushDelivery::token)
                .containsExactlyInAnyOrder(first, third, fourth);
    }

    /** Waits until the routers have committed every event published so far, then reads every record they made. */
    private static void awaitRouted(UUID eventId) {
        topics.awaitRouted();
        assertThat(topics.inAppOf(eventId)).isNotEmpty();
    }

    private static String suffix(String token) {
        return token.substring(token.length() - 6);
    }

    private static String chat(UUID eventId, String title, String... recipients) {
        return """
                {"eventId":"%s","schemaVersion":1,"type":"chat","source":"chat","occurredAt":"2026-12-07T10:00:00Z",
                 "recipients":%s,"title":"%s","body":"Hi"}
                """.formatted(eventId, HeraldJson.mapper().writeValueAsString(List.of(recipients)), title);
    }
}
