package io.herald.spring.jwt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;

class UserJwtPolicyTest {

    static final String SECRET = "an-hmac-secret-of-at-least-32-bytes-for-tests";

    private static JwtDecoder hmac(@Nullable String issuer, List<String> audience) {
        return UserJwtPolicy.decoder(
                        new UserJwtPolicy.Settings("herald.test.jwt", SECRET, null, null, issuer, audience))
                .orElseThrow();
    }

    private static String token(UnaryOperator<JWTClaimsSet.Builder> change) {
        Instant now = Instant.now();
        var claims = new JWTClaimsSet.Builder()
                .subject("alice")
                .issuer("https://id.example.test/")
                .audience("app")
                .expirationTime(Date.from(now.plusSeconds(600)));
        try {
            var jwt = new SignedJWT(
                    new JWSHeader(JWSAlgorithm.HS256), change.apply(claims).build());
            jwt.sign(new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aTokenWithoutExpiryIsRefusedEvenWithAnHmacSecret() {
        JwtDecoder decoder = hmac(null, List.of());

        assertThat(decoder.decode(token(c -> c)).getSubject()).isEqualTo("alice");
        assertThatThrownBy(() -> decoder.decode(token(c -> c.expirationTime(null))))
                .isInstanceOf(JwtException.class)
                .hasMessageContaining("exp");
    }

    @Test
    void aTokenWithoutSubjectIsRefused() {
        assertThatThrownBy(() -> hmac(null, List.of()).decode(token(c -> c.subject(null))))
                .isInstanceOf(JwtException.class);
        assertThatThrownBy(() -> hmac(null, List.of()).decode(token(c -> c.subject(" "))))
                .isInstanceOf(JwtException.class);
    }

    @Test
    void issuerAndAudienceAreCheckedWhenSetAndAnyConfiguredAudienceWillDo() {
        JwtDecoder decoder = hmac("https://id.example.test/", List.of("web", "app"));

        assertThat(decoder.decode(token(c -> c)).getSubject()).isEqualTo("alice");
        assertThat(decoder.decode(token(c -> c.audience(List.of("other", "web"))))
                        .getSubject())
                .isEqualTo("alice");
        assertThatThrownBy(() -> decoder.decode(token(c -> c.issuer("https://evil.example.test/"))))
                .isInstanceOf(JwtException.class);
        assertThatThrownBy(() -> decoder.decode(token(c -> c.issuer(null)))).isInstanceOf(JwtException.class);
        assertThatThrownBy(() -> decoder.decode(token(c -> c.audience("other"))))
                .isInstanceOf(JwtException.class);
        assertThatThrownBy(() -> decoder.decode(token(c -> c.audience(List.of()))))
                .isInstanceOf(JwtException.class);
    }

    @Test
    void unsafeSettingsAreRefusedWithTheSettingsNamed() {
        assertThatThrownBy(() -> UserJwtPolicy.decoder(new UserJwtPolicy.Settings(
                        "herald.test.jwt", SECRET, "https://id.example.test/jwks", null, "i", List.of("a"))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("set only one of herald.test.jwt.hmac-secret")
                .hasMessageContaining("herald.test.jwt.hmac-secret and herald.test.jwt.jwk-set-uri are all set");
        assertThatThrownBy(() -> UserJwtPolicy.decoder(new UserJwtPolicy.Settings(
                        "herald.test.jwt", null, "https://id.example.test/jwks", null, null, List.of("a"))))
                .hasMessageContaining("herald.test.jwt.issuer and herald.test.jwt.audience are required with"
                        + " herald.test.jwt.jwk-set-uri");
        assertThatThrownBy(() -> UserJwtPolicy.decoder(new UserJwtPolicy.Settings(
                        "herald.test.jwt", null, "https://id.example.test/jwks", null, "i", List.of(" "))))
                .hasMessageContaining("herald.test.jwt.issuer and herald.test.jwt.audience are required");
        assertThatThrownBy(() -> UserJwtPolicy.decoder(new UserJwtPolicy.Settings(
                        "herald.test.jwt", null, null, "https://id.example.test/", "https://other/", List.of("a"))))
                .hasMessageContaining("herald.test.jwt.issuer must be the same as herald.test.jwt.issuer-uri");
        assertThatThrownBy(() -> UserJwtPolicy.decoder(
                        new UserJwtPolicy.Settings("herald.test.jwt", "short", null, null, null, List.of())))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("herald.test.jwt.hmac-secret must be at least 32 bytes");
    }

    @Test
    void nothingConfiguredIsNoDecoderAndAKeySetWithIssuerAndAudienceIsOne() {
        assertThat(UserJwtPolicy.decoder(new UserJwtPolicy.Settings("herald.test.jwt", "", " ", null, null, List.of())))
                .isEmpty();
        assertThat(UserJwtPolicy.decoder(new UserJwtPolicy.Settings(
                        "herald.test.jwt",
                        null,
                        "https://id.example.test/jwks",
                        null,
                        "https://id.example.test/",
                        List.of("app"))))
                .isPresent();
    }
}
