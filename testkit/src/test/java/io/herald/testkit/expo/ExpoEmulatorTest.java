package io.herald.testkit.expo;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.events.HeraldJson;
import io.herald.testkit.emulator.HttpEmulator.Transport;
import io.herald.testkit.script.Script;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.StringJoiner;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class ExpoEmulatorTest {

    static final ExpoEmulator expo = ExpoEmulator.start();
    static final HttpClient http = HttpClient.newHttpClient();

    @AfterAll
    static void stop() {
        expo.close();
    }

    @BeforeEach
    void reset() {
        expo.script().clear();
    }

    @Test
    void aRequestOfSeveralMessagesGetsATicketEach() throws Exception {
        var response = send(messages("ExponentPushToken[a]", "not-a-token", "ExpoPushToken[b]"));

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode tickets = json(response).path("data");
        assertThat(tickets).hasSize(3);
        assertThat(tickets.get(0).path("status").asString()).isEqualTo("ok");
        assertThat(tickets.get(1).path("details").path("error").asString()).isEqualTo("DeviceNotRegistered");
        assertThat(tickets.get(2).path("status").asString()).isEqualTo("ok");
        assertThat(expo.sendRequestSizes()).last().isEqualTo(3);
    }

    @Test
    void richBackgroundAndCategorisedMessagesAreKeptWhole() throws Exception {
        String rich = "{\"to\":\"ExponentPushToken[rich]\",\"title\":\"t\",\"body\":\"b\",\"sound\":\"tone.wav\","
                + "\"badge\":3,\"categoryId\":\"WORK\",\"richContent\":{\"image\":\"https://x/a.jpg\"},"
                + "\"mutableContent\":true,\"channelId\":\"jobs\",\"priority\":\"high\",\"data\":{\"k\":\"v\"}}";
        String background = "{\"to\":\"ExponentPushToken[bg]\",\"_contentAvailable\":true,\"data\":{\"sync\":\"1\"},"
                + "\"priority\":\"normal\"}";

        var response = send("[" + rich + "," + background + "]");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response).path("data").findValuesAsString("status")).containsExactly("ok", "ok");
        assertThat(expo.received())
                .extracting(ExpoEmulator.Received::message)
                .filteredOn(m -> m.path("to").asString().matches("ExponentPushToken\\[(rich|bg)]"))
                .containsExactly(
                        HeraldJson.mapper().readTree(rich), HeraldJson.mapper().readTree(background));
    }

    @Test
    void aFieldOfTheWrongTypeFailsTheRequestAsExpoDoes() throws Exception {
        for (String field : new String[] {
            "\"badge\":\"unread\"",
            "\"priority\":\"urgent\"",
            "\"_contentAvailable\":\"yes\"",
            "\"richContent\":{\"image\":7}",
            "\"categoryId\":1",
            "\"data\":\"x\"",
            "\"sound\":true",
            "\"mutableContent\":1"
        }) {
            var response = send("[{\"to\":\"ExponentPushToken[wrong-type]\",\"title\":\"t\"," + field + "}]");

            assertThat(response.statusCode()).as(field).isEqualTo(400);
            JsonNode error = json(response).path("errors").get(0);
            assertThat(error.path("code").asString()).isEqualTo("VALIDATION_ERROR");
            assertThat(error.path("message").asString()).as(field).startsWith("\"[0].");
        }
        assertThat(expo.received())
                .noneMatch(r -> r.message().path("to").asString().contains("wrong-type"));
    }

    @Test
    void aMessageOverFourKilobytesGetsAMessageTooBigTicket() throws Exception {
        String big =
                "{\"to\":\"ExponentPushToken[big]\",\"title\":\"t\",\"data\":{\"k\":\"" + "x".repeat(4096) + "\"}}";

        var response = send("[" + big + ",{\"to\":\"ExponentPushToken[ok]\",\"title\":\"t\"}]");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode tickets = json(response).path("data");
        assertThat(tickets.get(0).path("details").path("error").asString()).isEqualTo("MessageTooBig");
        assertThat(tickets.get(1).path("status").asString()).isEqualTo("ok");
        assertThat(expo.received())
                .noneMatch(r -> r.message().path("to").asString().contains("[big]"));
    }

    @Test
    void moreThanAHundredMessagesAreRefused() throws Exception {
        String[] tokens = new String[101];
        Arrays.setAll(tokens, i -> "ExponentPushToken[" + i + "]");
        var response = send(messages(tokens));
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).path("errors").get(0).path("code").asString())
                .isEqualTo("PUSH_TOO_MANY_NOTIFICATIONS");
    }

    @Test
    void aTokenScriptedWithATicketErrorGetsItOnlyForItsOwnMessage() throws Exception {
        expo.script().forToken("ExponentPushToken[big]", 1, ExpoAnswer.ticketError("MessageTooBig"));
        expo.unregister("ExponentPushToken[gone]");

        JsonNode tickets = json(send(
                        messages("ExponentPushToken[big]", "ExponentPushToken[gone]", "ExponentPushToken[ok]")))
                .path("data");
        assertThat(tickets.get(0).path("details").path("error").asString()).isEqualTo("MessageTooBig");
        assertThat(tickets.get(1).path("details").path("error").asString()).isEqualTo("DeviceNotRegistered");
        assertThat(tickets.get(1).path("details").path("expoPushToken").asString())
                .isEqualTo("ExponentPushToken[gone]");
        assertThat(tickets.get(2).path("status").asString()).isEqualTo("ok");
        // The MessageTooBig step was for one message only.
        assertThat(json(send(messages("ExponentPushToken[big]")))
                        .path("data")
                        .get(0)
                        .path("status")
                        .asString())
                .isEqualTo("ok");
    }

    @Test
    void throttlingOutagesAndHangsAnswerTheWholeRequest() throws Exception {
        expo.script().everyRequest(1, ExpoAnswer.throttle(Duration.ofSeconds(3)));
        var throttled = send(messages("ExponentPushToken[a]"));
        assertThat(throttled.statusCode()).isEqualTo(429);
        assertThat(throttled.headers().firstValue("Retry-After")).hasValue("3");
        assertThat(json(throttled).path("errors").get(0).path("code").asString())
                .isEqualTo("TOO_MANY_REQUESTS");

        expo.script().forToken("ExponentPushToken[hang]", Script.FOREVER, ExpoAnswer.hang(Duration.ofMillis(300)));
        var hung = send(messages("ExponentPushToken[a]", "ExponentPushToken[hang]"));
        assertThat(hung.statusCode()).isEqualTo(503);

        expo.script().down();
        assertThat(send(messages("ExponentPushToken[a]")).statusCode()).isEqualTo(503);
        expo.script().up();
        assertThat(send(messages("ExponentPushToken[a]")).statusCode()).isEqualTo(200);
    }

    @Test
    void itCanBeScriptedOverHttp() throws Exception {
        assertThat(script("{\"token\":\"ExponentPushToken[s]\",\"answer\":\"ticket-error\","
                                + "\"error\":\"DeviceNotRegistered\",\"times\":1}")
                        .statusCode())
                .isEqualTo(204);
        JsonNode ticket =
                json(send(messages("ExponentPushToken[s]"))).path("data").get(0);
        assertThat(ticket.path("details").path("error").asString()).isEqualTo("DeviceNotRegistered");
        assertThat(json(send(messages("ExponentPushToken[s]")))
                        .path("data")
                        .get(0)
                        .path("status")
                        .asString())
                .isEqualTo("ok");

        assertThat(script("{\"answer\":\"throttle\",\"seconds\":2}").statusCode())
                .isEqualTo(204);
        var throttled = send(messages("ExponentPushToken[a]"));
        assertThat(throttled.statusCode()).isEqualTo(429);
        assertThat(throttled.headers().firstValue("Retry-After")).hasValue("2");

        assertThat(script("{\"answer\":\"down\",\"seconds\":60}").statusCode()).isEqualTo(204);
        assertThat(send(messages("ExponentPushToken[a]")).statusCode()).isEqualTo(503);
        var forget = delete("/emulator/script");
        assertThat(forget.statusCode()).isEqualTo(204);
        assertThat(send(messages("ExponentPushToken[a]")).statusCode()).isEqualTo(200);

        assertThat(script("{\"token\":\"ExponentPushToken[later]\",\"answer\":\"unregister-later\"}")
                        .statusCode())
                .isEqualTo(204);
        String id = json(send(messages("ExponentPushToken[later]")))
                .path("data")
                .get(0)
                .path("id")
                .asString();
        var receipts = http.send(
                HttpRequest.newBuilder(URI.create(expo.baseUrl() + "/--/api/v2/push/getReceipts"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"ids\":[\"" + id + "\"]}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(json(receipts)
                        .path("data")
                        .path(id)
                        .path("details")
                        .path("error")
                        .asString())
                .isEqualTo("DeviceNotRegistered");

        for (String bad : List.of(
                "{\"answer\":\"explode\"}",
                "{\"answer\":\"ticket-error\",\"error\":\"DeviceNotRegistered\"}",
                "{\"token\":\"ExponentPushToken[s]\",\"answer\":\"ticket-error\",\"error\":\"Nope\"}",
                "{\"answer\":\"unregister-later\"}",
                "not json")) {
            var refused = script(bad);
            assertThat(refused.statusCode()).as(bad).isEqualTo(400);
            assertThat(json(refused).path("errors").get(0).path("code").asString())
                    .isEqualTo("VALIDATION_ERROR");
        }
    }

    @Test
    void whatItReceivedCanBeListedAndForgottenOverHttp() throws Exception {
        expo.clear();
        send(messages("ExponentPushToken[listed]"));
        var listed = http.send(
                HttpRequest.newBuilder(URI.create(expo.baseUrl() + "/emulator/messages"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(json(listed).get(0).path("to").asString()).isEqualTo("ExponentPushToken[listed]");
        var forget = delete("/emulator/messages");
        assertThat(forget.statusCode()).isEqualTo(204);
        assertThat(expo.received())
                .noneMatch(r -> r.message().path("to").asString().contains("wrong-type"));
    }

    @Test
    void overTlsItAnswersAClientThatTrustsItsAuthority() throws Exception {
        try (var tls = ExpoEmulator.start(0, Transport.TLS)) {
            var trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(tls.trustStore());
            var context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            var client = HttpClient.newBuilder().sslContext(context).build();

            var response = client.send(
                    HttpRequest.newBuilder(URI.create(tls.baseUrl() + "/--/api/v2/push/send"))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(messages("ExponentPushToken[tls]")))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(json(response).path("data").get(0).path("status").asString())
                    .isEqualTo("ok");
            assertThat(tls.received())
                    .singleElement()
                    .satisfies(
                            r -> assertThat(r.message().path("to").asString()).isEqualTo("ExponentPushToken[tls]"));
        }
    }

    private static HttpResponse<String> delete(String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(expo.baseUrl() + path))
                        .DELETE()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> script(String body) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(expo.baseUrl() + "/emulator/script"))
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String messages(String... tokens) {
        var array = new StringJoiner(",", "[", "]");
        for (String token : tokens) {
            array.add("{\"to\":\"" + token + "\",\"title\":\"t\",\"body\":\"b\"}");
        }
        return array.toString();
    }

    private static HttpResponse<String> send(String body) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(expo.baseUrl() + "/--/api/v2/push/send"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) {
        return HeraldJson.mapper().readTree(response.body());
    }
}
