package io.herald.testkit.script;

import io.herald.events.HeraldJson;
import java.time.Duration;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * A script step asked for over HTTP ({@code POST /emulator/script} of an emulator): {@code {"token": optional,
 * "answer": "...", "error": optional, "times": 1, "seconds": 1}}. The answer names are the emulator's own; {@code
 * down} is every emulator's outage.
 *
 * @param answer the kind of answer, as the emulator names it
 * @param token whose messages it is for; null for whole requests
 * @param error the error to answer with, for the kinds that take one
 * @param times how many requests or messages (default 1, {@link Script#FOREVER} for ever)
 * @param seconds how long, for throttling, hangs and outages (default 1 s)
 */
public record ScriptRequest(
        String answer, @Nullable String token, @Nullable String error, int times, Duration seconds) {

    /** Reads a request's body; an unreadable one throws (a {@link RuntimeException}: the emulator answers 400). */
    public static ScriptRequest parse(String json) {
        JsonNode body = HeraldJson.mapper().readTree(json);
        return new ScriptRequest(
                body.path("answer").asString(""),
                body.hasNonNull("token") ? body.path("token").asString() : null,
                body.hasNonNull("error") ? body.path("error").asString() : null,
                body.path("times").asInt(1),
                Duration.ofSeconds(body.path("seconds").asLong(1)));
    }

    /**
     * Adds the step to {@code script}: {@code down} makes every request fail for {@link #seconds}; any other kind
     * is the answer {@code answers} makes of this request (throwing {@link IllegalArgumentException} for one it does
     * not know), for {@link #token}'s messages or for every request, {@link #times} times.
     */
    public <A> void applyTo(Script<A> script, Function<ScriptRequest, A> answers) {
        if (answer.equals("down")) {
            script.downFor(seconds);
            return;
        }
        A step = answers.apply(this);
        if (token != null) {
            script.forToken(token, times, step);
        } else {
            script.everyRequest(times, step);
        }
    }

    /** The error asked for, or the empty string (which no emulator knows). */
    public String errorOrEmpty() {
        return error == null ? "" : error;
    }

    /** The {@link IllegalArgumentException} for an answer the emulator does not know. */
    public IllegalArgumentException unknown() {
        return new IllegalArgumentException("unknown answer '" + answer + "'");
    }
}
