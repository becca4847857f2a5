package io.herald.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.events.HeraldJson;
import io.herald.spring.web.InternalApiProperties;
import io.herald.testkit.ServiceInfrastructure;
import io.herald.testkit.TestHttp;
import java.net.http.HttpResponse;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * Calls one ws-fanout node's internal inbox API, {@code /internal/v1/users/{user}/notifications…}, with the internal
 * credential, as the gateway does.
 */
public record InboxClient(int port) {

    /**
     * {@code method} on the inbox of {@code userSegment} (sent as it is: encode it as the test needs), then {@code
     * rest} ({@code ""}, {@code /unread-count}, {@code ?limit=2} …), without a body.
     */
    public HttpResponse<String> call(String method, String userSegment, String rest) {
        return TestHttp.send(
                method,
                "http://127.0.0.1:" + port + "/internal/v1/users/" + userSegment + "/notifications" + rest,
                Map.of(InternalApiProperties.HEADER, ServiceInfrastructure.INTERNAL_SECRET),
                null);
    }

    /** A GET as {@link #call}, expecting {@code status}; the answer's JSON. */
    public JsonNode get(String userSegment, String rest, int status) {
        HttpResponse<String> response = call("GET", userSegment, rest);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        return HeraldJson.mapper().readTree(response.body());
    }
}
