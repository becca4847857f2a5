package io.herald.gateway.devices;

import io.herald.events.HeraldJson;
import io.herald.gateway.problems.ApiProblem;
import io.herald.spring.web.InternalApiProperties;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * An internal service the gateway forwards to. Its answers, including its 4xx problems, pass through; when it
 * is unreachable, too slow or failing (5xx), the caller gets 503 with {@code Retry-After}, never a hang.
 */
public final class Downstream {

    private static final Logger log = LoggerFactory.getLogger(Downstream.class);

    private final String name;
    private final String baseUrl;
    private final RestClient client;

    /**
     * @param internalSecret the service credential, sent on every call as {@link InternalApiProperties#HEADER}
     */
    public Downstream(String name, URI baseUrl, Duration timeout, String internalSecret) {
        this.name = name;
        String base = baseUrl.toString();
        this.baseUrl = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        var http = HttpClient.newBuilder()
                .connectTimeout(timeout)
                .version(HttpClient.Version.HTTP_1_1)
                .build();
        var factory = new JdkClientHttpRequestFactory(http);
        factory.setReadTimeout(timeout);
        this.client = RestClient.builder()
                .baseUrl(baseUrl.toString())
                .defaultHeader(InternalApiProperties.HEADER, internalSecret)
                .requestFactory(factory)
                .build();
    }

    /**
     * A downstream refusal as the public API's problem document: always one, always with a Herald type, and
     * without the internal path it was asked on.
     */
    static byte[] publicProblem(int status, byte[] body) {
        JsonNode parsed;
        try {
            parsed = HeraldJson.mapper().readTree(body);
        } catch (JacksonException notJson) {
            parsed = null;
        }
        ObjectNode problem = parsed instanceof ObjectNode object
                ? object
                : HeraldJson.mapper().createObjectNode();
        String type = problem.path("type").asString("");
        if (type.isBlank() || type.equals("about:blank")) {
            problem.put("type", ApiProblem.TYPE_BASE + ApiProblem.kindOf(status));
        }
        if (!problem.hasNonNull("title")) {
            problem.put("title", ApiProblem.titleOf(status));
        }
        problem.put("status", status);
        if (!problem.hasNonNull("detail")) {
            problem.put("detail", "the request was refused");
        }
        if (problem.path("instance").asString("").startsWith("/internal/")) {
            problem.remove("instance");
        }
        return HeraldJson.mapper().writeValueAsBytes(problem);
    }

    /**
     * Forwards one request; {@code path} (with its query) is already encoded and is sent exactly as it is: as a
     * {@link URI}, which the client does not encode again (given a string, it would, and {@code auth0%7Cabc} would
     * reach the service as the user id {@code auth0%7Cabc} instead of {@code auth0|abc}).
     */
    public ResponseEntity<byte[]> forward(HttpMethod method, String path, byte @Nullable [] body) {
        try {
            var request = client.method(method).uri(URI.create(baseUrl + path));
            if (body != null) {
                request.contentType(MediaType.APPLICATION_JSON).body(body);
            }
            return request.exchange((req, response) -> {
                if (response.getStatusCode().is5xxServerError()) {
                    log.warn("{} answered {} to {}", name, response.getStatusCode(), method);
                    throw ApiProblem.unavailable(name);
                }
                var headers = new HttpHeaders();
                MediaType type = response.getHeaders().getContentType();
                if (type != null) {
                    headers.setContentType(type);
                }
                byte[] answer = response.getBody().readAllBytes();
                if (response.getStatusCode().is4xxClientError()) {
                    answer = publicProblem(response.getStatusCode().value(), answer);
                    headers.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
                }
                return ResponseEntity.status(response.getStatusCode())
                        .headers(headers)
                        .body(answer);
            });
        } catch (ResourceAccessException e) {
            log.warn("{} unreachable: {}", name, e.getMessage());
            throw ApiProblem.unavailable(name);
        }
    }
}
