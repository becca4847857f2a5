package io.herald.testkit.fcm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.events.HeraldJson;
import io.herald.testkit.emulator.HttpEmulator.Transport;
import io.herald.testkit.script.Script;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
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
        fcm.script().clear();
        fcm.acceptAccessToken(null);
        fcm.keepMessages(true);
    }

    @Test
    void anAcceptedMessageIsNamedAndRecorded() throws Exception {
        var response = send(
                http1,
                "Bearer t",
                "{\"message\":{\"token\":\"abc\",\"notification\":{\"title\":\"Hi\"}," + "\"data\":{\"k\":\"v\"}}}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response).path("name").asString()).startsWith("projects/demo/messages/");
        assertThat(fcm.receivedCount()).isEqualTo(1);
        assertThat(fcm.received()).singleElement().satisfies(r -> {
            assertThat(r.project()).isEqualTo("demo");
            assertThat(r.message().path("token").asString()).isEqualTo("abc");
            assertThat(r.message().path("data").path("k").asString()).isEqualTo("v");
        });
    }

    @Test
    void underLoadItCountsWithoutKeeping() throws Exception {
        fcm.keepMessages(false);
        long before = fcm.acceptedCount();

        var ok = send(http1, "Bearer t", "{\"message\":{\"token\":\"abc\"}}");
        var bad = send(http1, "Bearer t", "{\"message\":{\"data\":{\"k\":1}}}");

        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(json(ok).path("name").asString()).matches("projects/demo/messages/0:\\d+%[0-9a-f]+");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(fcm.acceptedCount()).isEqualTo(before + 1);
        assertThat(fcm.received()).isEmpty();
        assertThat(fcm.receivedCount()).isZero();
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
    void aRichMessageWithinFcmsRulesIsAcceptedAndKeptWhole() throws Exception {
        String body = "{\"message\":{\"token\":\"rich\",\"notification\":{\"title\":\"T\",\"image\":"
                + "\"https://cdn.example.com/a.jpg\"},\"data\":{\"herald.actions\":\"[]\",\"link\":\"app://x\"},"
                + "\"android\":{\"notification\":{\"image\":\"https://cdn.example.com/a.jpg\",\"click_action\":\"C\","
                + "\"notification_count\":3}},\"apns\":{\"headers\":{\"apns-push-type\":\"alert\"},"
                + "\"fcm_options\":{\"image\":\"https://cdn.example.com/a.jpg\"},\"payload\":{\"aps\":{\"badge\":3}}}}}";

        var response = send(http1, "Bearer t", body);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(fcm.received())
                .singleElement()
                .satisfies(r -> assertThat(r.message())
                        .isEqualTo(HeraldJson.mapper().readTree(body).path("message")));
    }

    @Test
    void reservedDataKeysHttpImagesAndOversizedPayloadsAreRefusedAsFcmRefusesThem() throws Exception {
        String big = "x".repeat(4097);
        for (String[] refused : new String[][] {
            {"{\"message\":{\"token\":\"a\",\"data\":{\"from\":\"x\"}}}", "message.data"},
            {"{\"message\":{\"token\":\"a\",\"data\":{\"notification\":\"x\"}}}", "message.data"},
            {"{\"message\":{\"token\":\"a\",\"data\":{\"message_type\":\"x\"}}}", "message.data"},
            {"{\"message\":{\"token\":\"a\",\"data\":{\"google.sent_time\":\"1\"}}}", "message.data"},
            {"{\"message\":{\"token\":\"a\",\"data\":{\"gcm.n.e\":\"1\"}}}", "message.data"},
            {"{\"message\":{\"token\":\"a\",\"android\":{\"data\":{\"from\":\"x\"}}}}", "message.android.data"},
            {
                "{\"message\":{\"token\":\"a\",\"notification\":{\"image\":\"http://x/a.jpg\"}}}",
                "message.notification.image"
            },
            {
                "{\"message\":{\"token\":\"a\",\"android\":{\"notification\":{\"image\":\"ftp://x\"}}}}",
                "message.android.notification.image"
            },
            {
                "{\"message\":{\"token\":\"a\",\"apns\":{\"fcm_options\":{\"image\":\"x.jpg\"}}}}",
                "message.apns.fcm_options.image"
            },
            {"{\"message\":{\"token\":\"a\",\"data\":{\"k\":\"" + big + "\"}}}", "message"},
        }) {
            var response = send(http1, "Bearer t", refused[0]);
            assertThat(response.statusCode()).as(refused[0]).isEqualTo(400);
            JsonNode error = json(response).path("error");
            assertThat(error.path("code").asInt()).isEqualTo(400);
            assertThat(error.path("status").asString()).isEqualTo("INVALID_ARGUMENT");
            assertThat(error.path("details").findValuesAsString("errorCode")).containsExactly("INVALID_ARGUMENT");
            assertThat(error.path("details")
                            .get(0)
                            .path("fieldViolations")
                            .get(0)
                            .path("field")
                            .asString())
                    .as(refused[0])
                    .isEqualTo(refused[1]);
        }
        assertThat(fcm.received()).isEmpty();
        // 4096 bytes exactly is still within the limit
        var atLimit = send(
                http1, "Bearer t", "{\"message\":{\"token\":\"a\",\"data\":{\"k\":\"" + "x".repeat(4095) + "\"}}}");
        assertThat(atLimit.statusCode()).isEqualTo(200);
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

    @Test
    void eachTokenCanBeScriptedOnItsOwn() throws Exception {
        fcm.script().forToken("a", 2, FcmAnswer.fail(FcmError.SENDER_ID_MISMATCH));
        fcm.script().forToken("a", 1, FcmAnswer.throttle(Duration.ofSeconds(7)));
        fcm.script().forToken("b", Script.FOREVER, FcmAnswer.fail(FcmError.INVALID_ARGUMENT));

        for (int i = 0; i < 2; i++) {
            var mismatch = send(http1, "Bearer t", "{\"message\":{\"token\":\"a\"}}");
            assertThat(mismatch.statusCode()).isEqualTo(403);
            assertThat(errorCode(mismatch)).isEqualTo("SENDER_ID_MISMATCH");
        }
        var throttled = send(http1, "Bearer t", "{\"message\":{\"token\":\"a\"}}");
        assertThat(throttled.statusCode()).isEqualTo(429);
        assertThat(throttled.headers().firstValue("Retry-After")).hasValue("7");
        assertThat(send(http1, "Bearer t", "{\"message\":{\"token\":\"a\"}}").statusCode())
                .isEqualTo(200);
        for (int i = 0; i < 3; i++) {
            assertThat(errorCode(send(http1, "Bearer t", "{\"message\":{\"token\":\"b\"}}")))
                    .isEqualTo("INVALID_ARGUMENT");
        }
        assertThat(send(http1, "Bearer t", "{\"message\":{\"token\":\"c\"}}").statusCode())
                .isEqualTo(200);
        assertThat(fcm.received())
                .extracting(r -> r.message().path("token").asString())
                .containsExactly("a", "c");
    }

    @Test
    void aHungRequestIsAnsweredOnlyAfterItsTime() throws Exception {
        fcm.script().forToken("h", 1, FcmAnswer.hang(Duration.ofSeconds(2)));
        var hung = http1.sendAsync(request("Bearer t", "{\"message\":{\"token\":\"h\"}}"), BodyHandlers.ofString());
        assertThat(send(http1, "Bearer t", "{\"message\":{\"token\":\"next\"}}").statusCode())
                .isEqualTo(200);
        assertThat(hung).isNotDone();
        await().atMost(Duration.ofSeconds(10)).until(hung::isDone);
        assertThat(hung.get().statusCode()).isEqualTo(503);
        assertThat(hung.get().headers().firstValue("Retry-After")).isEmpty();
    }

    @Test
    void anOutageEndsByItself() throws Exception {
        fcm.goDownFor(Duration.ofSeconds(1));
        var down = send(http1, "Bearer t", "{\"message\":{\"token\":\"x\"}}");
        assertThat(down.statusCode()).isEqualTo(503);
        assertThat(json(down).path("error").path("status").asString()).isEqualTo("UNAVAILABLE");
        await().atMost(Duration.ofSeconds(5))
                .until(() -> send(http1, "Bearer t", "{\"message\":{\"token\":\"x\"}}")
                                .statusCode()
                        == 200);
    }

    @Test
    void itCanBeScriptedOverHttp() throws Exception {
        var scripted = http1.send(
                HttpRequest.newBuilder(URI.create(fcm.baseUrl() + "/emulator/script"))
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "{\"token\":\"s\",\"answer\":\"fail\",\"error\":\"UNREGISTERED\",\"times\":1}"))
                        .build(),
                BodyHandlers.ofString());
        assertThat(scripted.statusCode()).isEqualTo(204);
        assertThat(errorCode(send(http1, "Bearer t", "{\"message\":{\"token\":\"s\"}}")))
                .isEqualTo("UNREGISTERED");
        assertThat(send(http1, "Bearer t", "{\"message\":{\"token\":\"s\"}}").statusCode())
                .isEqualTo(200);
        var bad = http1.send(
                HttpRequest.newBuilder(URI.create(fcm.baseUrl() + "/emulator/script"))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"answer\":\"explode\"}"))
                        .build(),
                BodyHandlers.ofString());
        assertThat(bad.statusCode()).isEqualTo(400);
    }

    @Test
    void overTlsItAcceptsSendsOverH2FromAClientThatTrustsItsAuthority() throws Exception {
        try (var tls = FcmEmulator.start(0, Transport.TLS)) {
            var trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(tls.trustStore());
            var context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            var client = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_2)
                    .sslContext(context)
                    .build();

            var response = client.send(
                    HttpRequest.newBuilder(URI.create(tls.baseUrl() + "/v1/projects/demo/messages:send"))
                            .header("Authorization", "Bearer t")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"message\":{\"token\":\"abc\"}}"))
                            .build(),
                    BodyHandlers.ofString());

            assertThat(tls.baseUrl()).startsWith("https://127.0.0.1:");
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(tls.received())
                    .singleElement()
                    .satisfies(r ->
                            assertThat(r.message().path("token").asString()).isEqualTo("abc"));
        }
    }

    private static String errorCode(HttpResponse<String> response) {
        return json(response)
                .path("error")
                .path("details")
                .get(0)
                .path("errorCode")
                .asString();
    }

    private static HttpRequest request(String authorization, String body) {
        return HttpRequest.newBuilder(URI.create(fcm.baseUrl() + "/v1/projects/demo/messages:send"))
                .header("Content-Type", "application/json")
                .header("Authorization", authorization)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
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
