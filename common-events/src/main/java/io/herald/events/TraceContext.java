package io.herald.events;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.jspecify.annotations.Nullable;
import org.slf4j.MDC;

/**
 * The W3C trace context ({@code traceparent}) an event carries from the gateway through every topic, and the
 * log fields ({@code traceId}, {@code eventId}) of work done for it. Record listeners get the context from
 * Spring Kafka's observation; the batch paths (routing, dispatch) carry it over with these helpers, so one
 * trace id follows an event from the HTTP request to the delivery status.
 */
public final class TraceContext {

    /** The W3C trace-context header, on HTTP requests and Kafka records alike. */
    public static final String TRACEPARENT = "traceparent";

    private static final Pattern VALID = Pattern.compile("^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$");

    private TraceContext() {}

    /** Log fields in place until closed. */
    public interface LogFields extends AutoCloseable {
        @Override
        void close();
    }

    /** The record's {@code traceparent}, when it has a valid one. */
    public static @Nullable String traceparent(Headers headers) {
        Header header = headers.lastHeader(TRACEPARENT);
        if (header == null || header.value() == null) {
            return null;
        }
        String value = new String(header.value(), StandardCharsets.UTF_8).trim();
        return VALID.matcher(value).matches() ? value : null;
    }

    /** The trace id (32 hex digits) in a {@code traceparent}, or {@code null}. */
    public static @Nullable String traceId(@Nullable String traceparent) {
        if (traceparent == null) {
            return null;
        }
        var matcher = VALID.matcher(traceparent);
        return matcher.matches() ? matcher.group(1) : null;
    }

    /** Puts {@code traceparent} (when there is one) on outgoing record headers. */
    public static void propagate(@Nullable String traceparent, Headers to) {
        if (traceparent != null) {
            to.remove(TRACEPARENT);
            to.add(TRACEPARENT, traceparent.getBytes(StandardCharsets.UTF_8));
        }
    }

    /**
     * Log fields for work on one event until closed: {@code eventId}, and {@code traceId} when the event has a
     * trace context. Restores what was there before.
     */
    public static LogFields logFields(Object eventId, @Nullable String traceparent) {
        String previousEvent = MDC.get("eventId");
        String previousTrace = MDC.get("traceId");
        MDC.put("eventId", String.valueOf(eventId));
        String traceId = traceId(traceparent);
        if (traceId != null) {
            MDC.put("traceId", traceId);
        }
        return () -> {
            restore("eventId", previousEvent);
            restore("traceId", previousTrace);
        };
    }

    private static void restore(String key, @Nullable String value) {
        if (value == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, value);
        }
    }
}
