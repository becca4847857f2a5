package io.herald.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.testkit.PostgresServer;
import java.util.List;
import org.junit.jupiter.api.Test;

class StackWiringTest {

    private static final PostgresServer.Database DATABASE =
            new PostgresServer.Database("jdbc:postgresql://localhost:5432/herald", "postgres", "pw");

    private final StackWiring wiring = StackWiring.of("localhost:9092", DATABASE)
            .withSecrets("the-internal-secret", "the-jwt-secret")
            .withFcm("http://127.0.0.1:1/fcm", "herald-dev")
            .withExpo(null);

    @Test
    void everyServiceListensOnFreeLoopbackPortsAndReachesTheBrokerWithTheInternalCredential() {
        for (HeraldService service : HeraldService.values()) {
            assertThat(wiring.properties(service))
                    .as(service.serviceName())
                    .containsEntry("server.port", "0")
                    .containsEntry("server.address", "127.0.0.1")
                    .containsEntry("spring.kafka.bootstrap-servers", "localhost:9092")
                    .containsEntry("herald.internal.secret", "the-internal-secret");
        }
    }

    @Test
    void theGatewayGetsTheJwtSecretAndALoopbackActuatorButNoDatabase() {
        assertThat(wiring.properties(HeraldService.GATEWAY))
                .containsEntry("herald.gateway.jwt.hmac-secret", "the-jwt-secret")
                .containsEntry("management.server.port", "0")
                .containsEntry("management.server.address", "127.0.0.1")
                .doesNotContainKeys("spring.datasource.url", "herald.dispatch.fcm.base-url");
    }

    @Test
    void theServicesThatKeepDataGetTheDatabaseAndOnlyDispatchGetsTheProviders() {
        for (HeraldService service : List.of(HeraldService.TOKEN, HeraldService.DISPATCH, HeraldService.WS_FANOUT)) {
            assertThat(wiring.properties(service))
                    .as(service.serviceName())
                    .containsEntry("spring.datasource.url", DATABASE.jdbcUrl())
                    .containsEntry("spring.datasource.username", "postgres")
                    .containsEntry("spring.datasource.password", "pw");
        }
        assertThat(wiring.properties(HeraldService.DISPATCH))
                .containsEntry("herald.dispatch.fcm.base-url", "http://127.0.0.1:1/fcm")
                .containsEntry("herald.dispatch.fcm.project-id", "herald-dev")
                .containsEntry("herald.dispatch.expo.enabled", "false");
        assertThat(wiring.properties(HeraldService.TOKEN)).doesNotContainKey("herald.dispatch.fcm.base-url");
        assertThat(wiring.properties(HeraldService.WS_FANOUT))
                .containsEntry("herald.fanout.jwt.hmac-secret", "the-jwt-secret")
                .containsEntry("herald.fanout.ws.port", "0");
    }

    @Test
    void aServiceThatKeepsDataCannotRunWithoutADatabase() {
        var gatewayOnly = StackWiring.of("localhost:9092", null);
        assertThat(gatewayOnly.properties(HeraldService.GATEWAY)).doesNotContainKey("spring.datasource.url");
        assertThatThrownBy(() -> gatewayOnly.properties(HeraldService.TOKEN))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("token-service needs a database");
    }

    @Test
    void itsTextNamesNoSecret() {
        assertThat(wiring.toString()).doesNotContain("the-internal-secret", "the-jwt-secret", "pw");
    }
}
