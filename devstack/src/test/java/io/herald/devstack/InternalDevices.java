package io.herald.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.spring.web.InternalApiProperties;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** Registers devices straight through token-service's internal API, for tests that publish onto Kafka. */
final class InternalDevices {

    private InternalDevices() {}

    /**
     * Registers an Android FCM device with {@code token} for {@code userId}, and checks it was created; {@code
     * internalSecret} is the services' {@code herald.internal.secret}.
     */
    static void registerFcm(HttpClient http, String tokenServiceUrl, String internalSecret, String userId, String token)
            throws Exception {
        var response = http.send(
                HttpRequest.newBuilder(URI.create(tokenServiceUrl + "/internal/v1/users/" + userId + "/devices"))
                        .header("Content-Type", "application/json")
                        .header(InternalApiProperties.HEADER, internalSecret)
                        .POST(HttpRequest.BodyPublishers.ofString("""
                                {"provider":"fcm","token":"%s","platform":"android","appId":"dev.herald.app"}""".formatted(token)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    }
}
