package io.herald.gateway.dev;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.herald.events.TextRules;
import io.herald.gateway.GatewayProperties;
import io.herald.gateway.problems.ApiProblem;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /dev/token}: a development JWT (HS256, 12 hours) for any user id. Answers 404 unless {@code
 * herald.gateway.dev.enabled=true} and an HMAC secret is configured; never enable it in production.
 */
@RestController
class DevTokenController {

    private static final Duration LIFETIME = Duration.ofHours(12);

    private final GatewayProperties properties;
    private final Clock clock;

    DevTokenController(GatewayProperties properties, Clock clock) {
        this.properties = properties;
        this.clock = clock;
    }

    record TokenRequest(@Nullable String userId) {}

    record TokenResponse(String token, Instant expiresAt) {}

    @PostMapping("/dev/token")
    TokenResponse token(@RequestBody TokenRequest request) {
        String secret = properties.jwt().hmacSecret();
        if (!properties.dev().enabled() || secret == null || secret.isBlank()) {
            throw new ApiProblem(HttpStatus.NOT_FOUND, "not-found", "Not found", "no such endpoint");
        }
        String user = request.userId();
        if (user == null
                || user.isBlank()
                || user.codePointCount(0, user.length()) > 255
                || !TextRules.isAllowed(user)) {
            throw new ApiProblem(
                            HttpStatus.BAD_REQUEST,
                            "invalid-request",
                            "Invalid request",
                            "userId is required: up to 255 characters, no control characters")
                    .with("field", "userId");
        }
        Instant now = clock.instant();
        Instant expires = now.plus(LIFETIME);
        // The claims the gateway and the WebSocket require when issuer and audience are configured.
        GatewayProperties.Jwt settings = properties.jwt();
        var claims = new JWTClaimsSet.Builder()
                .subject(user)
                .issuer(settings.issuer() == null || settings.issuer().isBlank() ? "herald-dev" : settings.issuer())
                .audience(settings.audience())
                .issueTime(Date.from(now))
                .expirationTime(Date.from(expires))
                .build();
        try {
            var jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
            jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
            return new TokenResponse(jwt.serialize(), expires);
        } catch (JOSEException e) {
            throw new IllegalStateException("could not sign a dev token", e);
        }
    }
}
