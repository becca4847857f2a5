package io.herald.gateway.devices;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.events.HeraldJson;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class DownstreamTest {

    private static JsonNode problem(int status, String body) {
        return HeraldJson.mapper().readTree(Downstream.publicProblem(status, body.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void springsBareProblemGetsAHeraldTypeAndLosesTheInternalPath() {
        JsonNode answer = problem(400, """
                {"detail":"Failed to read request","instance":"/internal/v1/users/u/devices","status":400,"title":"Bad Request"}""");

        assertThat(answer.path("type").asString()).isEqualTo("https://herald.dev/problems/invalid-request");
        assertThat(answer.has("instance")).isFalse();
        assertThat(answer.path("title").asString()).isEqualTo("Bad Request");
        assertThat(answer.path("status").asInt()).isEqualTo(400);
    }

    @Test
    void aHeraldProblemPassesAsItIs() {
        JsonNode answer = problem(400, """
                {"type":"https://herald.dev/problems/invalid-device","title":"Invalid device","status":400,
                 "detail":"token must not be blank","errors":[{"field":"token","message":"must not be blank"}]}""");

        assertThat(answer.path("type").asString()).isEqualTo("https://herald.dev/problems/invalid-device");
        assertThat(answer.path("detail").asString()).isEqualTo("token must not be blank");
        assertThat(answer.path("errors").get(0).path("field").asString()).isEqualTo("token");
    }

    @Test
    void anAnswerThatIsNoProblemAtAllBecomesOne() {
        JsonNode answer = problem(404, "<html>nope</html>");

        assertThat(answer.path("type").asString()).isEqualTo("https://herald.dev/problems/not-found");
        assertThat(answer.path("title").asString()).isEqualTo("Not Found");
        assertThat(answer.path("detail").asString()).isNotBlank();
    }
}
