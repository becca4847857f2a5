package io.herald.fanout.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import io.herald.fanout.FanoutApplication;
import io.herald.testkit.ServiceInfrastructure;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Socket JWTs checked against a JWK set, as with a hosted identity provider: the handshake succeeds only with a
 * token that has an expiry, a subject, the configured issuer and an audience of this app.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class SocketJwtIT {

    static final String ISSUER = "https://id.example.test/tenant-a/";
    static final String AUDIENCE = "herald-app";
    static final RSAKey KEY = rsaKey();

    @RegisterExtension
    static final ServiceInfrastructure infra = ServiceInfrastructure.withKafkaAndDatabase("socket_jwt");

    static HttpServer identity;
    static ConfigurableApplicationContext node;

    @BeforeAll
    static void start() throws IOException {
        identity = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        identity.createContext("/jwks", exchange -> {
            byte[] body = new JWKSet(KEY.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        identity.start();
        node = FanoutApplication.application()
                .run(infra.arguments(
                        "--server.port=0",
                        "--herald.fanout.ws.port=0",
                        "--herald.fanout.jwt.jwk-set-uri=http://127.0.0.1:"
                                + identity.getAddress().getPort() + "/jwks",
                        "--herald.fanout.jwt.issuer=" + ISSUER,
                        "--herald.fanout.jwt.audience=" + AUDIENCE,
                        "--herald.fanout.ws.node-id=jwt-node"));
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
        if (identity != null) {
            identity.stop(0);
        }
    }

    @Test
    void aTokenFromTheIssuerForThisAudienceOpensASocket() {
        try (var socket = TestSocket.connect(url(), b -> b.header("Authorization", "Bearer " + token(c -> c)))) {
            assertThat(socket.ask("{\"type\":\"ping\",\"request_id\":\"r1\"}", "pong")
                            .path("request_id")
                            .asString())
                    .isEqualTo("r1");
        }
    }

    @Test
    void everyOtherTokenIsRefusedAtTheHandshake() {
        Instant now = Instant.now();
        Map<String, String> refused = Map.of(
                "no exp", token(c -> c.expirationTime(null)),
                "expired", token(c -> c.expirationTime(Date.from(now.minusSeconds(3600)))),
                "wrong issuer", token(c -> c.issuer("https://id.example.test/tenant-b/")),
                "wrong audience", token(c -> c.audience("someone-elses-app")),
                "no audience", token(c -> c.audience(List.of())));
        for (var entry : refused.entrySet()) {
            assertThatThrownBy(() -> TestSocket.connect(
                                    url(), b -> b.header("Authorization", "Bearer " + entry.getValue()))
                            .close())
                    .as(entry.getKey())
                    .satisfies(TestSocket::isUnauthorized);
        }
    }

    private static String url() {
        return "ws://127.0.0.1:" + node.getBean(SocketServer.class).port() + "/ws/notifications";
    }

    private static String token(UnaryOperator<JWTClaimsSet.Builder> change) {
        Instant now = Instant.now();
        var claims = new JWTClaimsSet.Builder()
                .subject("socket-user")
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

    private static RSAKey rsaKey() {
        try {
            return new RSAKeyGenerator(2048).keyID("socket-key").generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }
}
