package io.herald.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.events.HeraldJson;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every gateway endpoint, against the whole dev stack, sent requests generated from a few kinds of bad:
 * no credentials, wrong credentials, the other kind of credentials, malformed and type-confused bodies, the
 * wrong media type, oversized bodies, ids that are not ids. Each must be refused with a 4xx and an RFC 9457
 * problem document; none may produce a 5xx.
 */
@ExtendWith(SharedDevStack.class)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class HttpFuzzIT {

    private static final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static DevStack stack;
    private static String jwt;

    /** One endpoint: method, path (with {@code {id}} for a path id) and whether it takes an API key or a JWT. */
    record Endpoint(String method, String path, boolean apiKey, boolean body) {}

    private static final List<Endpoint> ENDPOINTS = List.of(
            new Endpoint("POST", "/v1/events", true, true),
            new Endpoint("POST", "/v1/events/batch", true, true),
            new Endpoint("GET", "/v1/events/{id}", true, false),
            new Endpoint("POST", "/v1/devices", false, true),
            new Endpoint("GET", "/v1/devices", false, false),
            new Endpoint("DELETE", "/v1/devices/{id}", false, false),
            new Endpoint("POST", "/v1/devices/test", false, false),
            new Endpoint("GET", "/v1/preferences", false, false),
            new Endpoint("PUT", "/v1/preferences", false, true),
            new Endpoint("GET", "/v1/inbox", false, false),
            new Endpoint("GET", "/v1/inbox/unread-count", false, false),
            new Endpoint("POST", "/v1/inbox/{id}/read", false, false),
            new Endpoint("POST", "/v1/inbox/read-all", false, false),
            new Endpoint("DELETE", "/v1/inbox/{id}", false, false));

    @BeforeAll
    static void useTheSharedStack(DevStack shared) throws Exception {
        stack = shared;
        var response = send("POST", "/dev/token", Map.of("Content-Type", "application/json"), "{\"userId\":\"fuzz\"}");
        assertThat(response.statusCode()).isEqualTo(200);
        jwt = HeraldJson.mapper().readTree(response.body()).path("token").asString();
    }

    @Test
    void everyEndpointRefusesBadRequestsWithAProblemAndNeverA5xx() throws Exception {
        String longText = "x".repeat(300_000);
        List<String> bodies = List.of(
                "",
                "{",
                "[]",
                "42",
                "null",
                "\"text\"",
                "{\"type\":42,\"recipients\":{},\"events\":\"all\",\"provider\":[],\"token\":7,\"platform\":{},"
                        + "\"optOut\":\"yes\",\"quietHours\":12}",
                "{\"events\":[{\"type\":[]}],\"provider\":\"carrier-pigeon\",\"token\":\"\",\"platform\":\"toaster\"}",
                "{\"type\":\"" + longText + "\"}");
        List<String> badIds = List.of("not-a-uuid", "%00", "..%2F..%2Fetc", "1" + "0".repeat(300));
        int sent = 0;
        List<String> failures = new ArrayList<>();
        for (Endpoint endpoint : ENDPOINTS) {
            String path = endpoint.path().replace("{id}", UUID.randomUUID().toString());
            String goodAuth = endpoint.apiKey() ? "X-Api-Key" : "Authorization";
            String goodValue = endpoint.apiKey() ? stack.apiKey() : "Bearer " + jwt;
            String body = endpoint.body() ? "{}" : null;
            // Credentials: none, wrong, malformed, and the other kind.
            List<Map<String, String>> badCredentials = List.of(
                    Map.of(),
                    Map.of(
                            goodAuth,
                            endpoint.apiKey() ? "hk_wrong" : "Bearer " + jwt.substring(0, jwt.length() - 3) + "abc"),
                    Map.of("Authorization", "Basic Zm9vOmJhcg=="),
                    endpoint.apiKey() ? Map.of("Authorization", "Bearer " + jwt) : Map.of("X-Api-Key", stack.apiKey()));
            for (Map<String, String> credentials : badCredentials) {
                sent++;
                check(
                        failures,
                        endpoint,
                        credentials,
                        send(endpoint.method(), path, withJson(credentials), body),
                        401,
                        403);
            }
            if (endpoint.body()) {
                for (String bad : bodies) {
                    sent++;
                    check(
                            failures,
                            endpoint,
                            Map.of("body", bad.length() > 60 ? bad.substring(0, 60) + "..." : bad),
                            send(endpoint.method(), path, withJson(Map.of(goodAuth, goodValue)), bad),
                            400,
                            413);
                }
                sent++;
                check(
                        failures,
                        endpoint,
                        Map.of("content type", "text/plain"),
                        send(endpoint.method(), path, Map.of(goodAuth, goodValue, "Content-Type", "text/plain"), "{}"),
                        415);
            }
            if (endpoint.path().contains("{id}")) {
                for (String id : badIds) {
                    sent++;
                    check(
                            failures,
                            endpoint,
                            Map.of("id", id),
                            send(
                                    endpoint.method(),
                                    endpoint.path().replace("{id}", id),
                                    withJson(Map.of(goodAuth, goodValue)),
                                    body),
                            400,
                            404);
                }
            }
        }
        assertThat(failures).as("of " + sent + " bad requests").isEmpty();
    }

    /**
     * Every endpoint, with valid credentials, sent bodies of 0 B, 1 MB and 100 MB (with a {@code Content-Length} and
     * chunked; made as they are sent, never held), 100,000 levels of nesting, numbers of 100,000 digits and duplicate
     * keys. None may be answered with a 5xx or a non-problem error, and the gateway must still work after each.
     */
    @Test
    void everyEndpointSurvivesHostileBodies() throws Exception {
        URI gateway = URI.create(stack.gatewayUrl());
        Map<String, Supplier<byte[]>> shapes = new LinkedHashMap<>();
        shapes.put("0 B", () -> new byte[0]);
        shapes.put("deep nesting", () -> ("[".repeat(100_000) + "]".repeat(100_000)).getBytes());
        shapes.put(
                "huge numbers",
                () -> ("{\"type\":\"product_like\",\"recipients\":[\"a\"],\"ttlSeconds\":" + "9".repeat(100_000)
                                + ",\"priority\":1e999999,\"provider\":\"fcm\",\"token\":" + "1".repeat(100_000) + "}")
                        .getBytes());
        shapes.put(
                "duplicate keys",
                () -> "{\"type\":\"product_like\",\"type\":\"chat\",\"recipients\":[\"a\"],\"recipients\":[\"b\"]}"
                        .getBytes());
        List<String> failures = new ArrayList<>();
        int sent = 0;
        for (Endpoint endpoint : ENDPOINTS) {
            String path = endpoint.path().replace("{id}", UUID.randomUUID().toString());
            Map<String, String> headers = Map.of(
                    endpoint.apiKey() ? "X-Api-Key" : "Authorization",
                    endpoint.apiKey() ? stack.apiKey() : "Bearer " + jwt);
            for (var shape : shapes.entrySet()) {
                byte[] body = shape.getValue().get();
                sent++;
                checkRaw(
                        failures,
                        endpoint,
                        shape.getKey(),
                        HugeBody.send(gateway, endpoint.method(), path, headers, body));
            }
            for (long size : new long[] {1L << 20, 100L << 20}) {
                for (boolean chunked : new boolean[] {false, true}) {
                    sent++;
                    checkRaw(
                            failures,
                            endpoint,
                            (size >> 20) + " MB" + (chunked ? " chunked" : ""),
                            HugeBody.send(gateway, endpoint.method(), path, headers, size, chunked));
                }
            }
            assertThat(http.send(
                                    HttpRequest.newBuilder(URI.create(stack.urls()
                                                            .get("gateway-management") + "/actuator/health/liveness"))
                                            .build(),
                                    HttpResponse.BodyHandlers.discarding())
                            .statusCode())
                    .as("the gateway after " + endpoint.method() + " " + endpoint.path())
                    .isEqualTo(200);
        }
        assertThat(failures).as("of " + sent + " hostile bodies").isEmpty();
    }

    private static void checkRaw(List<String> failures, Endpoint endpoint, String what, HugeBody.Answer answer) {
        String name = endpoint.method() + " " + endpoint.path() + " with " + what;
        if (answer.status() >= 500) {
            failures.add(name + ": " + answer.status() + " " + abbreviate(answer.body()));
        } else if (answer.status() >= 400
                && !answer.headers().getOrDefault("content-type", "").startsWith("application/problem+json")) {
            failures.add(name + ": " + answer.status() + " without a problem document");
        }
    }

    @Test
    void aTypeConfusedFieldIsNamedAndNoInternalPathLeaks() throws Exception {
        var response = send(
                "POST",
                "/v1/devices",
                Map.of("Authorization", "Bearer " + jwt, "Content-Type", "application/json"),
                "{\"provider\":[\"fcm\"],\"token\":\"t-1\",\"platform\":\"android\"}");

        assertThat(response.statusCode()).isEqualTo(400);
        var problem = HeraldJson.mapper().readTree(response.body());
        assertThat(problem.path("type").asString()).isEqualTo("https://herald.dev/problems/invalid-request");
        assertThat(problem.path("field").asString()).isEqualTo("provider");
        assertThat(response.body()).doesNotContain("/internal/");
    }

    private static Map<String, String> withJson(Map<String, String> headers) {
        var all = new HashMap<>(headers);
        all.put("Content-Type", "application/json");
        return all;
    }

    private static void check(
            List<String> failures,
            Endpoint endpoint,
            Map<String, String> what,
            HttpResponse<String> response,
            int... allowed) {
        String name = endpoint.method() + " " + endpoint.path() + " " + what;
        int status = response.statusCode();
        boolean expected = false;
        for (int s : allowed) {
            expected |= s == status;
        }
        String contentType = response.headers().firstValue("Content-Type").orElse("");
        if (status == 200 && endpoint.path().equals("/v1/events/batch")) {
            // A readable batch is answered per event: then every one of its events must have been refused.
            if (HeraldJson.mapper().readTree(response.body()).path("accepted").asInt(-1) != 0) {
                failures.add(name + ": a bad batch was accepted: " + abbreviate(response.body()));
            }
            return;
        }
        if (!expected) {
            failures.add(name + ": " + status + " " + abbreviate(response.body()));
        } else if (!contentType.startsWith("application/problem+json")) {
            failures.add(name + ": " + status + " without a problem document (" + contentType + ")");
        } else if (HeraldJson.mapper()
                .readTree(response.body())
                .path("type")
                .asString("")
                .isBlank()) {
            failures.add(name + ": a problem without a type: " + abbreviate(response.body()));
        }
    }

    private static String abbreviate(String text) {
        return text.length() > 200 ? text.substring(0, 200) + "..." : text;
    }

    private static HttpResponse<String> send(String method, String path, Map<String, String> headers, String body)
            throws Exception {
        var builder =
                HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + path)).timeout(Duration.ofSeconds(30));
        headers.forEach(builder::header);
        builder.method(
                method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
    }
}
