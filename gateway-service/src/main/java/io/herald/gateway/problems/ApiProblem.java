package io.herald.gateway.problems;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;

/**
 * A request the gateway refuses, answered as RFC 9457 problem+json with a stable {@code type} of {@code
 * https://herald.dev/problems/<kind>}.
 */
public final class ApiProblem extends RuntimeException {

    private static final long serialVersionUID = 1L;
    public static final String TYPE_BASE = "https://herald.dev/problems/";

    /** The problem kind Herald gives a status of its own when nothing more precise is known. */
    public static String kindOf(int status) {
        return switch (status) {
            case 400 -> "invalid-request";
            case 401 -> "unauthenticated";
            case 403 -> "forbidden";
            case 404 -> "not-found";
            case 405 -> "method-not-allowed";
            case 406 -> "not-acceptable";
            case 409 -> "conflict";
            case 413 -> "request-too-large";
            case 415 -> "unsupported-media-type";
            case 429 -> "rate-limited";
            default -> "http-" + status;
        };
    }

    /** The title Herald gives a status of its own when nothing more precise is known: its reason phrase. */
    public static String titleOf(int status) {
        HttpStatus known = HttpStatus.resolve(status);
        return known == null ? "Error" : known.getReasonPhrase();
    }

    private final HttpStatus status;
    private final String kind;
    private final String title;
    private final transient Map<String, Object> properties = new LinkedHashMap<>();
    private final @Nullable Duration retryAfter;

    public ApiProblem(HttpStatus status, String kind, String title, String detail) {
        this(status, kind, title, detail, null);
    }

    public ApiProblem(HttpStatus status, String kind, String title, String detail, @Nullable Duration retryAfter) {
        super(detail, null, false, false);
        this.status = status;
        this.kind = kind;
        this.title = title;
        this.retryAfter = retryAfter;
    }

    /** Adds a member to the problem, such as {@code field} or {@code errors}. */
    public ApiProblem with(String name, Object value) {
        properties.put(name, value);
        return this;
    }

    public HttpStatus status() {
        return status;
    }

    public @Nullable Duration retryAfter() {
        return retryAfter;
    }

    public ProblemDetail detail() {
        var problem = ProblemDetail.forStatusAndDetail(status, getMessage());
        problem.setType(URI.create(TYPE_BASE + kind));
        problem.setTitle(title);
        properties.forEach(problem::setProperty);
        return problem;
    }

    public static ApiProblem unavailable(String what) {
        return new ApiProblem(
                HttpStatus.SERVICE_UNAVAILABLE,
                "unavailable",
                "Temporarily unavailable",
                what + " is unavailable; retry after the Retry-After delay",
                Duration.ofSeconds(5));
    }
}
