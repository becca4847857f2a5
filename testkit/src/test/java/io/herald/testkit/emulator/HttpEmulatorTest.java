package io.herald.testkit.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.herald.events.HeraldJson;
import io.herald.testkit.emulator.HttpEmulator.Transport;
import io.herald.testkit.script.ScriptRequest;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The skeleton alone, through a provider of its own: {@code POST /send} accepts any body, or as scripted. */
class HttpEmulatorTest {

    /** A provider whose API is {@code POST /send}; a scripted answer is the status it answers with. */
    static final class TestEmulator extends HttpEmulator<String, Integer> {

        private TestEmulator(Transport transport, boolean h2c) {
            super(new Settings("test-emulator", 0, transport, 16, 2, h2c, "application/json"));
        }

        static TestEmulator start(Transport transport, boolean h2c) {
            return started(new TestEmulator(transport, h2c));
        }

        @Override
        protected void handleApi(Request request, Response response, Callback callback) throws IOException {
            String body = Content.Source.asString(request, StandardCharsets.UTF_8);
            if (!Request.getPathInContext(request).equals("/send")) {
                reply(response, callback, 404, "{\"error\":\"not found\"}");
                return;
            }
            if (script().isDown()) {
                retryAfter(response, Duration.ofMillis(1500));
                reply(response, callback, 503, "{\"error\":\"down\"}");
                return;
            }
            Integer scripted = script().nextForRequest();
            if (scripted != null) {
                reply(response, callback, scripted, "{\"error\":\"scripted\"}");
                return;
            }
            record(body);
            reply(response, callback, 200, "{\"ok\":true}");
        }

        @Override
        protected Object listed(String message) {
            return Map.of("body", message);
        }

        @Override
        protected Integer answerOf(ScriptRequest asked) {
            return switch (asked.answer()) {
                case "conflict" -> 409;
                default -> throw asked.unknown();
            };
        }

        @Override
        protected String scriptError(String message) {
            return HeraldJson.mapper().writeValueAsString(Map.of("refused", message));
        }
    }

    private static final HttpClient http1 =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void whatItReceivedIsListedAndForgottenOverHttp() throws Exception {
        try (var emulator = TestEmulator.start(Transport.CLEARTEXT, false)) {
            assertThat(send(http1, emulator, "one").statusCode()).isEqualTo(200);
            assertThat(send(http1, emulator, "two").statusCode()).isEqualTo(200);

            var listed = http1.send(get(emulator, "/emulator/messages"), HttpResponse.BodyHandlers.ofString());
            assertThat(listed.statusCode()).isEqualTo(200);
            assertThat(listed.headers().firstValue("Content-Type")).hasValue("application/json");
            JsonNode items = HeraldJson.mapper().readTree(listed.body());
            assertThat(items).hasSize(2);
            assertThat(items.get(0).path("body").asString()).isEqualTo("one");
            assertThat(items.get(1).path("body").asString()).isEqualTo("two");

            assertThat(http1.send(delete(emulator, "/emulator/messages"), HttpResponse.BodyHandlers.ofString())
                            .statusCode())
                    .isEqualTo(204);
            assertThat(emulator.received()).isEmpty();
            assertThat(emulator.acceptedCount()).isEqualTo(2);
        }
    }

    @Test
    void scriptedOverHttpItAnswersAsAskedAndRefusesWhatItDoesNotKnow() throws Exception {
        try (var emulator = TestEmulator.start(Transport.CLEARTEXT, false)) {
            var scripted = http1.send(
                    post(emulator, "/emulator/script", "{\"answer\":\"conflict\",\"times\":2}"),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(scripted.statusCode()).isEqualTo(204);
            assertThat(send(http1, emulator, "a").statusCode()).isEqualTo(409);
            assertThat(send(http1, emulator, "b").statusCode()).isEqualTo(409);
            assertThat(send(http1, emulator, "c").statusCode()).isEqualTo(200);

            for (String bad : List.of("{\"answer\":\"explode\"}", "not json")) {
                var refused = http1.send(post(emulator, "/emulator/script", bad), HttpResponse.BodyHandlers.ofString());
                assertThat(refused.statusCode()).as(bad).isEqualTo(400);
                assertThat(HeraldJson.mapper().readTree(refused.body()).has("refused"))
                        .as(bad)
                        .isTrue();
            }

            assertThat(http1.send(
                                    post(emulator, "/emulator/script", "{\"answer\":\"down\",\"seconds\":60}"),
                                    HttpResponse.BodyHandlers.ofString())
                            .statusCode())
                    .isEqualTo(204);
            var down = send(http1, emulator, "d");
            assertThat(down.statusCode()).isEqualTo(503);
            assertThat(down.headers().firstValue("Retry-After")).hasValue("1");
            emulator.script().everyRequest(1, 409);
            assertThat(http1.send(delete(emulator, "/emulator/script"), HttpResponse.BodyHandlers.ofString())
                            .statusCode())
                    .isEqualTo(204);
            // Forgotten: the outage and the step scripted after it.
            assertThat(send(http1, emulator, "e").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void itGoesDownAndComesBack() throws Exception {
        try (var emulator = TestEmulator.start(Transport.CLEARTEXT, false)) {
            emulator.goDown();
            assertThat(send(http1, emulator, "x").statusCode()).isEqualTo(503);
            emulator.comeBack();
            assertThat(send(http1, emulator, "x").statusCode()).isEqualTo(200);

            emulator.goDownFor(Duration.ofMillis(500));
            assertThat(send(http1, emulator, "x").statusCode()).isEqualTo(503);
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> send(http1, emulator, "x").statusCode() == 200);
        }
    }

    @Test
    void notKeepingMessagesItStillCountsThem() throws Exception {
        try (var emulator = TestEmulator.start(Transport.CLEARTEXT, false)) {
            emulator.keepMessages(false);
            send(http1, emulator, "one");
            send(http1, emulator, "two");
            assertThat(emulator.acceptedCount()).isEqualTo(2);
            assertThat(emulator.receivedCount()).isZero();
            emulator.keepMessages(true);
            send(http1, emulator, "three");
            assertThat(emulator.received()).containsExactly("three");
        }
    }

    @Test
    void inCleartextItSpeaksH2cOnlyWhenAsked() throws Exception {
        var http2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        try (var withH2c = TestEmulator.start(Transport.CLEARTEXT, true);
                var without = TestEmulator.start(Transport.CLEARTEXT, false)) {
            assertThat(withH2c.baseUrl()).isEqualTo("http://127.0.0.1:" + withH2c.port());
            // The JDK client upgrades to h2c on a request without a body.
            assertThat(http2.send(get(withH2c, "/emulator/messages"), HttpResponse.BodyHandlers.ofString())
                            .version())
                    .isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(http2.send(get(without, "/emulator/messages"), HttpResponse.BodyHandlers.ofString())
                            .version())
                    .isEqualTo(HttpClient.Version.HTTP_1_1);
            assertThatThrownBy(withH2c::trustedCertificate).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void overTlsAClientThatTrustsItsAuthorityGetsH2ByAlpn() throws Exception {
        try (var emulator = TestEmulator.start(Transport.TLS, false)) {
            assertThat(emulator.baseUrl()).isEqualTo("https://127.0.0.1:" + emulator.port());
            assertThat(emulator.transport()).isEqualTo(Transport.TLS);
            var trusting = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_2)
                    .sslContext(trusting(emulator.trustStore()))
                    .build();

            var response = send(trusting, emulator, "secure");

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(emulator.received()).containsExactly("secure");
            var server = (X509Certificate) response.sslSession().orElseThrow().getPeerCertificates()[0];
            assertThat(server.getSubjectX500Principal().getName()).isEqualTo("CN=127.0.0.1");
        }
    }

    @Test
    void overTlsTheAuthorityIsAPemFileAClientCanLoad() throws Exception {
        try (var emulator = TestEmulator.start(Transport.TLS, false)) {
            X509Certificate authority;
            try (InputStream pem = Files.newInputStream(emulator.trustedCertificate())) {
                authority = (X509Certificate)
                        CertificateFactory.getInstance("X.509").generateCertificate(pem);
            }
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setCertificateEntry("ca", authority);
            var http11 = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .sslContext(trusting(store))
                    .build();

            var response = send(http11, emulator, "over http/1.1");

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
            var server = (X509Certificate) response.sslSession().orElseThrow().getPeerCertificates()[0];
            assertThat(server.getIssuerX500Principal()).isEqualTo(authority.getSubjectX500Principal());
        }
    }

    @Test
    void overTlsAClientThatDoesNotTrustItsAuthorityIsRefused() throws Exception {
        try (var emulator = TestEmulator.start(Transport.TLS, false);
                var other = TestEmulator.start(Transport.TLS, false)) {
            // The JDK's own trust store, then another emulator's authority: neither signed this server.
            for (var client : List.of(
                    HttpClient.newHttpClient(),
                    HttpClient.newBuilder()
                            .sslContext(trusting(other.trustStore()))
                            .build())) {
                assertThatThrownBy(() -> send(client, emulator, "x")).isInstanceOf(SSLHandshakeException.class);
            }
            assertThat(emulator.acceptedCount()).isZero();
        }
    }

    @Test
    void afterCloseItListensNoMore() throws Exception {
        var emulator = TestEmulator.start(Transport.CLEARTEXT, false);
        HttpRequest request = post(emulator, "/send", "x");
        assertThat(http1.send(request, HttpResponse.BodyHandlers.ofString()).statusCode())
                .isEqualTo(200);
        emulator.close();
        // A new client: the first one's connection to it is gone too, but it would not be the question.
        try (var fresh =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            assertThatThrownBy(() -> fresh.send(request, HttpResponse.BodyHandlers.ofString()))
                    .isInstanceOf(ConnectException.class);
        }
    }

    private static SSLContext trusting(KeyStore trustStore) throws Exception {
        var trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trustStore);
        var context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    private static HttpResponse<String> send(HttpClient client, HttpEmulator<?, ?> emulator, String body)
            throws Exception {
        return client.send(post(emulator, "/send", body), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest post(HttpEmulator<?, ?> emulator, String path, String body) {
        return HttpRequest.newBuilder(URI.create(emulator.baseUrl() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    private static HttpRequest get(HttpEmulator<?, ?> emulator, String path) {
        return HttpRequest.newBuilder(URI.create(emulator.baseUrl() + path)).build();
    }

    private static HttpRequest delete(HttpEmulator<?, ?> emulator, String path) {
        return HttpRequest.newBuilder(URI.create(emulator.baseUrl() + path))
                .DELETE()
                .build();
    }
}
