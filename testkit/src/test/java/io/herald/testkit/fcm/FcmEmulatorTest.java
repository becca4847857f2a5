package io.herald.testkit.fcm;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.events.HeraldJson;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class FcmEmulatorTest {

    static final FcmEmulator fcm = FcmEmulator.start();
    static final HttpClient http1 =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    static final HttpClient http2 =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();

    @AfterAll
    static void stop() {
        fcm.close();
    }

    @BeforeEach
    void reset() {
        fcm.clear();
        fcm.comeBack();
        fcm.acceptAccessToken(null);
    }

    @Test
    void anAcceptedMessageIsNamedAndRecorded() throws Exception {
        var response = send(
                http1,
                "Bearer t",
                "{\"message\":{\"token\":\"abc\",\"notification\":{\"title\":\"Hi\"}," + "\"data\":{\"k\":\"v\"}}}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response).path("name").asString()).startsWith("projects/demo/messages/");
        assertThat(fcm.received()).singleElement().satisfies(r -> {
            assertThat(r.project()).isEqualTo("demo");
            assertThat(r.message().path("token").asString()).isEqualTo("abc");
            assertThat(r.message().path("data").path("k").asString()).isEqualTo("v");
        });
    }

    @Test
    void itSpeaksHttp2() throws Exception {
        // The JDK client upgrades to h2c on a request without a body, then keeps HTTP/2 on that connection.
        var upgrade = http2.send(
                HttpRequest.newBuilder(URI.create(fcm.baseUrl() + "/emulator/messages"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(upgrade.version()).isEqualTo(HttpClient.Version.HTTP_2);
        var response = send(http2, "Bearer t", "{\"message\":{\"token\":\"abc\"}}");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
    }

    @Test
    void aMissingOrWrongAccessTokenIsUnauthenticated() throws Exception {
        assertThat(send(http1, null, "{\"message\":{\"token\":\"abc\"}}").statusCode())
                .isEqualTo(401);
        fcm.acceptAccessToken("right");
        var wrong = send(http1, "Bearer wrong", "{\"message\":{\"token\":\"abc\"}}");
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(json(wrong).path("error").path("status").asString()).isEqualTo("UNAUTHENTICATED");
        assertThat(send(http1, "Bearer right", "{\"message\":{\"token\":\"abc\"}}")
                        .statusCode())
                .isEqualTo(200);
        assertThat(fcm.received()).hasSize(1);
    }

    @Test
    void anUnregisteredTokenGetsFcmsErrorBody() throws Exception {
        fcm.unregister("dead");
        var response = send(http1, "Bearer t", "{\"message\":{\"token\":\"dead\"}}");

        assertThat(response.statusCode()).isEqualTo(404);
        JsonNode error = json(response).path("error");
        assertThat(error.path("code").asInt()).isEqualTo(404);
        assertThat(error.path("status").asString()).isEqualTo("NOT_FOUND");
        assertThat(error.path("details").get(0).path("@type").asString())
                .isEqualTo("type.googleapis.com/google.firebase.fcm.v1.FcmError");
        assertThat(error.path("details").get(0).path("errorCode").asString()).isEqualTo("UNREGISTERED");
        assertThat(fcm.received()).isEmpty();
    }

    @Test
    void badMessagesAreInvalidArguments() throws Exception {
        for (String body : new String[] {
            "{\"message\":{}}",
            "{\"message\":{\"token\":\"a\",\"topic\":\"b\"}}",
            "{\"message\":{\"token\":\"a\",\"data\":{\"n\":1}}}",
            "{nope"
        }) {
            var response = send(http1, "Bearer t", body);
            assertThat(response.statusCode()).as(body).isEqualTo(400);
            assertThat(json(response).path("error").path("status").asString()).isEqualTo("INVALID_ARGUMENT");
        }
    }

    @Test
    void scriptedFailuresAndOutagesAnswerAsFcmDoes() throws Exception {
        fcm.failNext(1, FcmError.QUOTA_EXCEEDED);
        var throttled = send(http1, "Bearer t", "{\"message\":{\"token\":\"abc\"}}");
        assertThat(throttled.statusCode()).isEqualTo(429);
        assertThat(throttled.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(json(throttled)
                        .path("error")
                        .path("details")
                        .get(0)
                        .path("errorCode")
                        .asString())
                .isEqualTo("QUOTA_EXCEEDED");
        assertThat(send(http1, "Bearer t", "{\"message\":{\"token\":\"abc\"}}").statusCode())
                .isEqualTo(200);

        fcm.goDown();
        assertThat(send(http1, "Bearer t", "{\"message\":{\"token\":\"abc\"}}").statusCode())
                .isEqualTo(503);
        fcm.comeBack();
        assertThat(send(http1, "Bearer t", "{\"message\":{\"token\":\"abc\"}}").statusCode())
                .isEqualTo(200);
    }

    @Test
    void whatItReceivedCanBeListedOverHttp() throws Exception {
        send(http1, "Bearer t", "{\"message\":{\"token\":\"listed\"}}");
        var list = http1.send(
                HttpRequest.newBuilder(URI.create(fcm.baseUrl() + "/emulator/messages"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(list.statusCode()).isEqualTo(200);
        JsonNode items = HeraldJson.mapper().readTree(list.body());
        assertThat(items).hasSize(1);
        assertThat(items.get(0).path("message").path("token").asString()).isEqualTo("listed");
    }

    private static HttpResponse<String> send(HttpClient client, String authorization, String body) throws Exception {
        var request = HttpRequest.newBuilder(URI.create(fcm.baseUrl() + "/v1/projects/demo/messages:send"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) {
        return HeraldJson.mapper().readTree(response.body());
    }
}
