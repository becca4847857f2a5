package io.herald.gateway.devices;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.gateway.problems.ApiProblem;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.http.HttpStatus;
import org.springframework.security.oauth2.jwt.Jwt;

class UsersTest {

    private static Jwt jwt(String subject) {
        return Jwt.withTokenValue("t")
                .header("alg", "HS256")
                .subject(subject)
                .issuedAt(Instant.now())
                .expiresAt(Instant.now().plusSeconds(60))
                .build();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "alice",
                "auth0|abc",
                "a+b@example.com",
                "google-oauth2|1/2",
                "100%",
                "%2F",
                "with space",
                "émoji😀",
                "semi;colon=x",
                "back\\slash",
                ".",
                "..",
                "question?hash#"
            })
    void aSubjectIsOneSegmentThatDecodesBackToItself(String subject) {
        String path = Users.path(jwt(subject), "/devices");
        URI uri = URI.create("http://token-service" + path);

        String[] segments = uri.getRawPath().split("/");
        assertThat(segments).hasSize(6);
        assertThat(segments[4]).matches("[A-Za-z0-9_~%-]+");
        assertThat(URLDecoder.decode(segments[4], StandardCharsets.UTF_8)).isEqualTo(subject);
        assertThat(uri.normalize().getRawPath()).as("no dot segment").isEqualTo(uri.getRawPath());
        assertThat(uri.getRawQuery()).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"nul\u0000", "\u0007bell", "del\u007f", "half\uD800", " "})
    void aSubjectHeraldCannotUseIsABadRequest(String subject) {
        assertThatThrownBy(() -> Users.id(jwt(subject))).isInstanceOfSatisfying(ApiProblem.class, problem -> {
            assertThat(problem.status()).isEqualTo(HttpStatus.BAD_REQUEST);
            assertThat(problem.detail().getType().toString()).isEqualTo("https://herald.dev/problems/invalid-subject");
        });
    }

    @Test
    void aSubjectOf255CharactersIsAUserIdAndOneOf256IsNot() {
        assertThat(Users.id(jwt("😀".repeat(255)))).hasSize(510);
        assertThatThrownBy(() -> Users.id(jwt("x".repeat(256)))).isInstanceOf(ApiProblem.class);
    }
}
