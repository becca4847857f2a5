package io.herald.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.DriverManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.junit.jupiter.SpringJUnitConfig;

@SpringJUnitConfig(ServiceInfrastructureTest.Empty.class)
@DirtiesContext
class ServiceInfrastructureTest {

    @RegisterExtension
    static final ServiceInfrastructure infra =
            ServiceInfrastructure.withKafkaAndDatabase("infra").jwtSecretAt("herald.test.jwt.hmac-secret");

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("herald.test.own", () -> "set by the test");
        registry.add("herald.internal.secret", () -> "the test's own secret, over the infrastructure's");
    }

    @Configuration(proxyBeanMethods = false)
    static class Empty {}

    @Autowired
    Environment environment;

    @Test
    void theContextIsPointedAtTheClasssBrokerAndDatabaseWithoutAPropertySourceOfItsOwn() throws Exception {
        assertThat(environment.getProperty("spring.kafka.bootstrap-servers")).isEqualTo(infra.bootstrapServers());
        assertThat(environment.getProperty("spring.datasource.url"))
                .isEqualTo(infra.database().jdbcUrl());
        assertThat(environment.getProperty("spring.datasource.username")).isEqualTo("postgres");
        assertThat(environment.getProperty("herald.test.jwt.hmac-secret")).isEqualTo(ServiceInfrastructure.JWT_SECRET);
        assertThat(environment.getProperty("herald.test.own")).isEqualTo("set by the test");
        try (var connection = DriverManager.getConnection(
                        infra.database().jdbcUrl(),
                        infra.database().username(),
                        infra.database().password());
                var rows = connection.createStatement().executeQuery("select current_database()")) {
            rows.next();
            assertThat(rows.getString(1)).startsWith("infra_");
        }
    }

    @Test
    void theTestsOwnDynamicPropertiesWinOverTheInfrastructures() {
        assertThat(environment.getProperty("herald.internal.secret"))
                .isEqualTo("the test's own secret, over the infrastructure's");
    }

    @Test
    void argumentsAreThePropertiesForSpringApplicationThenTheTestsOwnWhichReplaceThem() {
        assertThat(infra.arguments("--server.port=0", "--herald.internal.secret=another-one"))
                .startsWith("--spring.kafka.bootstrap-servers=" + infra.bootstrapServers())
                .contains(
                        "--spring.datasource.url=" + infra.database().jdbcUrl(),
                        "--herald.test.jwt.hmac-secret=" + ServiceInfrastructure.JWT_SECRET)
                .doesNotContain("--herald.internal.secret=" + ServiceInfrastructure.INTERNAL_SECRET)
                .endsWith("--server.port=0", "--herald.internal.secret=another-one");
    }
}
