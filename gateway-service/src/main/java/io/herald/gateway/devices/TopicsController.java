package io.herald.gateway.devices;

import io.herald.events.HeraldJson;
import io.herald.events.TopicNames;
import io.herald.gateway.problems.ApiProblem;
import io.herald.gateway.security.ApiKeys;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.UriUtils;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Subscriptions to topics (token-service's internal topics API). Topic names are one namespace for the deployment
 * ({@link TopicNames}; 400 {@code invalid-topic} otherwise, checked here before anything is forwarded).
 *
 * <p>Who is subscribed: a request with an {@code X-Api-Key} header is an app's, and names the user in {@code
 * ?userId=} (any user: apps are trusted with their users, as for events); any other request is a user's, who must
 * send a JWT and is always its subject. A user lists only their own subscriptions; only an app changes a topic's
 * subscribers in bulk.
 */
@RestController
class TopicsController {

    /** The most user ids one bulk change names, adds and removes together (token-service's limit too). */
    static final int MAX_BULK = 1000;

    private final Downstream tokenService;
    private final ApiKeys apiKeys;

    TopicsController(@Qualifier("tokenService") Downstream tokenService, ApiKeys apiKeys) {
        this.tokenService = tokenService;
        this.apiKeys = apiKeys;
    }

    /** Subscribes the user (JWT) or the named user (API key) to the topic: 204, also when subscribed already. */
    @PutMapping("/v1/topics/{topic}/subscription")
    ResponseEntity<byte[]> subscribe(
            @AuthenticationPrincipal @Nullable Jwt jwt,
            @RequestHeader(name = "X-Api-Key", required = false) @Nullable String key,
            @PathVariable String topic,
            @RequestParam(required = false) @Nullable String userId) {
        return tokenService.forward(HttpMethod.PUT, subscriptionPath(jwt, key, userId, topic), null);
    }

    /** Unsubscribes the user (JWT) or the named user (API key): 204, also when not subscribed. */
    @DeleteMapping("/v1/topics/{topic}/subscription")
    ResponseEntity<byte[]> unsubscribe(
            @AuthenticationPrincipal @Nullable Jwt jwt,
            @RequestHeader(name = "X-Api-Key", required = false) @Nullable String key,
            @PathVariable String topic,
            @RequestParam(required = false) @Nullable String userId) {
        return tokenService.forward(HttpMethod.DELETE, subscriptionPath(jwt, key, userId, topic), null);
    }

    /** The signed-in user's subscriptions by topic name, {@code limit} (1 to 200, default 100) a page. */
    @GetMapping("/v1/topics/subscriptions")
    ResponseEntity<byte[]> list(
            @AuthenticationPrincipal @Nullable Jwt jwt,
            @RequestParam(defaultValue = "100") int limit,
            @RequestParam(required = false) @Nullable String after) {
        String query = "?limit=" + Math.clamp(limit, 1, 200)
                + (after == null ? "" : "&after=" + UriUtils.encodeQueryParam(after, StandardCharsets.UTF_8));
        return tokenService.forward(HttpMethod.GET, Users.path(user(jwt), "/topics" + query), null);
    }

    /**
     * An app's change to a topic's subscribers: {@code {"add": [...], "remove": [...]}}, at most {@value #MAX_BULK}
     * user ids in all. 200 with {@code added}, {@code removed} and {@code overLimit} (the users not added because they
     * are at their subscription limit).
     */
    @PostMapping(path = "/v1/topics/{topic}/subscribers", consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<byte[]> change(
            @RequestHeader(name = "X-Api-Key", required = false) @Nullable String key,
            @PathVariable String topic,
            @RequestBody byte[] body) {
        app(key);
        checkTopic(topic);
        Map<String, List<String>> change = bulk(body);
        return tokenService.forward(
                HttpMethod.POST,
                "/internal/v1/topics/" + topic + "/subscribers",
                HeraldJson.mapper().writeValueAsBytes(change));
    }

    private String subscriptionPath(@Nullable Jwt jwt, @Nullable String key, @Nullable String userId, String topic) {
        checkTopic(topic);
        String user;
        if (key != null) {
            app(key);
            user = Users.requireUsable(userId);
        } else {
            user = Users.id(user(jwt));
        }
        return "/internal/v1/users/" + Users.segment(user) + "/topics/" + topic;
    }

    private static Jwt user(@Nullable Jwt jwt) {
        if (jwt == null) {
            throw new ApiProblem(
                    HttpStatus.UNAUTHORIZED,
                    "unauthenticated",
                    "Authentication required",
                    "a valid, unexpired bearer token (JWT) is required, or an app's X-Api-Key and ?userId=");
        }
        return jwt;
    }

    private ApiKeys.App app(@Nullable String key) {
        return apiKeys.authenticate(key)
                .orElseThrow(() -> new ApiProblem(
                        HttpStatus.UNAUTHORIZED,
                        "unauthenticated",
                        "API key required",
                        "send a valid API key in the X-Api-Key header"));
    }

    private static void checkTopic(String topic) {
        if (!TopicNames.isValid(topic)) {
            throw new ApiProblem(
                            HttpStatus.BAD_REQUEST,
                            "invalid-topic",
                            "Invalid topic",
                            "a topic name is 1 to " + TopicNames.MAX_LENGTH + " characters of A-Z a-z 0-9 _ . : ~ -")
                    .with("field", "topic");
        }
    }

    /** The bulk change's lists, each id checked; 400 {@code invalid-subscribers} for anything else. */
    private static Map<String, List<String>> bulk(byte[] body) {
        JsonNode tree;
        try {
            tree = HeraldJson.mapper().readTree(body);
        } catch (JacksonException e) {
            throw invalidSubscribers("the body is not JSON");
        }
        Map<String, List<String>> change = new LinkedHashMap<>();
        int total = 0;
        for (String field : List.of("add", "remove")) {
            JsonNode list = tree == null ? null : tree.get(field);
            List<String> ids = new ArrayList<>();
            if (list != null && !list.isNull()) {
                if (!list.isArray()) {
                    throw invalidSubscribers(field + " is not a list of user ids");
                }
                for (JsonNode id : list) {
                    if (!id.isString()) {
                        throw invalidSubscribers(field + " holds something other than a user id");
                    }
                    Users.requireUsable(id.asString());
                    ids.add(id.asString());
                }
            }
            total += ids.size();
            change.put(field, ids);
        }
        if (total == 0 || total > MAX_BULK) {
            throw invalidSubscribers("name 1 to " + MAX_BULK + " user ids in add and remove together");
        }
        return change;
    }

    private static ApiProblem invalidSubscribers(String detail) {
        return new ApiProblem(HttpStatus.BAD_REQUEST, "invalid-subscribers", "Invalid subscribers", detail);
    }
}
