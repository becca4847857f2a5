package io.herald.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

class TraceContextTest {

    static final String PARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    @Test
    void readsAValidTraceparentAndItsTraceId() {
        var headers = new RecordHeaders();
        headers.add(TraceContext.TRACEPARENT, PARENT.getBytes(StandardCharsets.UTF_8));
        assertThat(TraceContext.traceparent(headers)).isEqualTo(PARENT);
        assertThat(TraceContext.traceId(PARENT)).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    }

    @Test
    void ignoresAMalformedOne() {
        var headers = new RecordHeaders();
        headers.add(TraceContext.TRACEPARENT, "00-not-a-trace".getBytes(StandardCharsets.UTF_8));
        assertThat(TraceContext.traceparent(headers)).isNull();
        assertThat(TraceContext.traceparent(new RecordHeaders())).isNull();
        assertThat(TraceContext.traceId(null)).isNull();
    }

    @Test
    void propagatesOnceAndOnlyWhenPresent() {
        var out = new RecordHeaders();
        TraceContext.propagate(null, out);
        assertThat(out.toArray()).isEmpty();
        out.add(TraceContext.TRACEPARENT, "old".getBytes(StandardCharsets.UTF_8));
        TraceContext.propagate(PARENT, out);
        assertThat(out.headers(TraceContext.TRACEPARENT)).hasSize(1);
        assertThat(TraceContext.traceparent(out)).isEqualTo(PARENT);
    }

    @Test
    void logFieldsAreSetForTheWorkAndRestoredAfter() {
        MDC.put("traceId", "outer");
        try (var fields = TraceContext.logFields("event-1", PARENT)) {
            assertThat(MDC.get("eventId")).isEqualTo("event-1");
            assertThat(MDC.get("traceId")).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        }
        assertThat(MDC.get("eventId")).isNull();
        assertThat(MDC.get("traceId")).isEqualTo("outer");
        MDC.clear();
    }
}
