package io.herald.gateway.devices;

import io.herald.gateway.problems.ApiProblem;
import io.herald.gateway.security.ApiKeys;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.UriUtils;

/**
 * {@code GET /v1/users/{userId}/notifications}, for upstream apps (API key): what the app sent one of its users,
 * newest first, with each channel's outcome — token-service's notification history and delivery log. An app sees
 * only its own events' notifications (the API key's app is the events' {@code source}), so asking about any user id
 * reveals nothing another app sent. The user id is the path segment, percent-decoded ({@code auth0%7Cabc} is {@code
 * auth0|abc}), and goes on to token-service as one encoded segment ({@link Users#segment}).
 */
@RestController
class HistoryController {

    private final ApiKeys apiKeys;
    private final Downstream tokenService;

    HistoryController(ApiKeys apiKeys, @Qualifier("tokenService") Downstream tokenService) {
        this.apiKeys = apiKeys;
        this.tokenService = tokenService;
    }

    /**
     * A page of the history: {@code limit} (default 20, at most token-service's {@code herald.token.history.max-limit},
     * 100) and {@code before} (the {@code next} cursor of the page before). 401 without a valid API key, 400
     * {@code invalid-user-id} for a user id Herald cannot hold, 400 {@code invalid-parameter} (with {@code field}) for
     * a bad {@code limit} or {@code before}, 503 with {@code Retry-After} when token-service does not answer.
     */
    @GetMapping("/v1/users/{userId}/notifications")
    ResponseEntity<byte[]> notifications(
            @RequestHeader(name = "X-Api-Key", required = false) @Nullable String key,
            @PathVariable String userId,
            @RequestParam(required = false) @Nullable String limit,
            @RequestParam(required = false) @Nullable String before) {
        ApiKeys.App app = apiKeys.authenticate(key)
                .orElseThrow(() -> new ApiProblem(
                        HttpStatus.UNAUTHORIZED,
                        "unauthenticated",
                        "API key required",
                        "send a valid API key in the X-Api-Key header"));
        Users.requireUsable(userId);
        StringBuilder path = new StringBuilder("/internal/v1/users/")
                .append(Users.segment(userId))
                .append("/notifications?source=")
                .append(query(app.name()));
        if (limit != null) {
            path.append("&limit=").append(query(limit));
        }
        if (before != null) {
            path.append("&before=").append(query(before));
        }
        return tokenService.forward(HttpMethod.GET, path.toString(), null);
    }

    private static String query(String value) {
        return UriUtils.encodeQueryParam(value, StandardCharsets.UTF_8)
                // encodeQueryParam leaves these as they are: in a query they would end or add a parameter
                .replace("&", "%26")
                .replace("=", "%3D")
                .replace("+", "%2B");
    }
}
