package io.herald.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import io.herald.events.HeraldJson;
import io.herald.spring.web.InternalApiProperties;
import io.herald.testkit.ServiceInfrastructure;
import io.herald.testkit.TestHttp;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * User JWTs checked against a JWK set, as with a hosted identity provider: only a token with an expiry, a
 * subject, the configured issuer and an audience of this app gets in; and the gateway calls the internal APIs
 * with the service credential.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "spring.config.name=gateway-service")
@DirtiesContext
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class JwtPolicyIT {

    static final String ISSUER = "https://id.example.test/tenant-a/";
    static final String AUDIENCE = "herald-app";
    static final String INTERNAL_SECRET = ServiceInfrastructure.INTERNAL_SECRET;
    static final RSAKey KEY = rsaKey();

    @RegisterExtension
    static final ServiceInfrastructure infra = ServiceInfrastructure.withKafka();

    static final List<String> internalCredentials = new CopyOnWriteArrayList<>();
    static final HttpServer identityAndDownstream = server();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        String base = "http://127.0.0.1:" + identityAndDownstream.getAddress().getPort();
        registry.add("herald.gateway.jwt.jwk-set-uri", () -> base + "/jwks");
        registry.add("herald.gateway.jwt.issuer", () -> ISSUER);
        registry.add("herald.gateway.jwt.audience", () -> "other-app," + AUDIENCE);
        registry.add("herald.gateway.token-service-url", () -> base);
        registry.add("herald.gateway.ws-fanout-url", () -> base);
    }

    @AfterAll
    static void stop() {
        identityAndDownstream.stop(0);
    }

    @LocalServerPort
    int port;

    @Test
    void aTokenFromTheIssuerForThisAudienceGetsInAndTheInternalCallCarriesTheCredential() throws Exception {
        internalCredentials.clear();
        var response = get("/v1/devices", token(claims -> claims));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(internalCredentials).containsExactly(INTERNAL_SECRET);
    }

    @Test
    void everyOtherTokenIsRefusedWith401() throws Exception {
        Instant now = Instant.now();
        Map<String, String> refused = Map.of(
                "no exp", token(claims -> claims.expirationTime(null)),
                "expired", token(claims -> claims.expirationTime(Date.from(now.minusSeconds(3600)))),
                "wrong issuer", token(claims -> claims.issuer("https://id.example.test/tenant-b/")),
                "no issuer", token(claims -> claims.issuer(null)),
                "wrong audience", token(claims -> claims.audience("someone-elses-app")),
                "no audience", token(claims -> claims.audience(List.of())),
                "no subject", token(claims -> claims.subject(null)),
                "not yet valid", token(claims -> claims.notBeforeTime(Date.from(now.plusSeconds(3600)))));
        for (var entry : refused.entrySet()) {
            internalCredentials.clear();
            var response = get("/v1/devices", entry.getValue());
            assertThat(response.statusCode()).as(entry.getKey()).isEqualTo(401);
            assertThat(response.headers().firstValue("Content-Type").orElse(""))
                    .as(entry.getKey())
                    .startsWith("application/problem+json");
            assertThat(HeraldJson.mapper()
                            .readTree(response.body())
                            .path("type")
                            .asString())
                    .as(entry.getKey())
                    .isEqualTo("https://herald.dev/problems/unauthenticated");
            assertThat(internalCredentials)
                    .as(entry.getKey() + ": nothing forwarded")
                    .isEmpty();
        }
    }

    /** A token signed by the key set's key: valid for this app, unless {@code change} says otherwise. */
    private static String token(UnaryOperator<JWTClaimsSet.Builder> change) {
        Instant now = Instant.now();
        var claims = new JWTClaimsSet.Builder()
                .subject("jwt-user")
                .issuer(ISSUER)
                .audience(AUDIENCE)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plusSeconds(600)));
        try {
            var jwt = new SignedJWT(
                    new JWSHeader.Builder(JWSAlgorithm.RS256)
                            .keyID(KEY.getKeyID())
                            .build(),
                    change.apply(claims).build());
            jwt.sign(new RSASSASigner(KEY));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private HttpResponse<String> get(String path, String token) {
        return TestHttp.send(
                "GET", "http://127.0.0.1:" + port + path, Map.of("Authorization", "Bearer " + token), null);
    }

    private static RSAKey rsaKey() {
        try {
            return new RSAKeyGenerator(2048).keyID("test-key").generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The identity provider's key set at {@code /jwks}; anything else plays the internal API and answers []. */
    private static HttpServer server() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/", exchange -> {
                byte[] body;
                if (exchange.getRequestURI().getPath().equals("/jwks")) {
                    body = new JWKSet(KEY.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
                } else {
                    String credential = exchange.getRequestHeaders().getFirst(InternalApiProperties.HEADER);
                    internalCredentials.add(String.valueOf(credential));
                    body = "[]".getBytes(StandardCharsets.UTF_8);
                }
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
