package io.herald.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * docker-compose.yml cannot be run here (no Docker engine, no compose plugin), so it is checked as a file:
 * every service Herald needs is there, built from a Dockerfile that runs as a non-root user on Java 25 (and holds
 * herald-ops), with every environment variable its configuration reads, healthchecks, start order, memory limits,
 * and only the public ports published.
 */
class ComposeFileTest {

    private static final Path ROOT = Path.of("..");
    private static final List<String> HERALD =
            List.of("gateway-service", "token-service", "dispatch-service", "ws-fanout-service");

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> services() throws IOException {
        Map<String, Object> compose = new Yaml().load(Files.readString(ROOT.resolve("docker-compose.yml")));
        return (Map<String, Map<String, Object>>) compose.get("services");
    }

    @Test
    void everyPartOfHeraldIsAServiceWithAHealthcheckAndAMemoryLimit() throws IOException {
        var services = services();
        assertThat(services).containsKeys("kafka", "postgres", "kafka-ui", "prometheus", "grafana");
        assertThat(services).containsKeys(HERALD.toArray(String[]::new));
        for (String name : List.of("kafka", "postgres")) {
            assertThat(services.get(name)).as(name).containsKeys("healthcheck", "mem_limit");
        }
        for (String name : HERALD) {
            assertThat(services.get(name)).as(name).containsKey("mem_limit");
        }
        assertThat(services.get("kafka").get("image").toString()).startsWith("apache/kafka:");
        assertThat(env(services.get("kafka"))).containsEntry("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false");
        assertThat(services.get("prometheus").get("profiles")).asString().contains("observability");
    }

    @Test
    void eachServiceIsBuiltFromANonRootJava25ImageWithItsOwnHealthcheck() throws IOException {
        var services = services();
        for (String name : HERALD) {
            assertThat(services.get(name).get("build"))
                    .as(name + ": its directory, and herald-ops's jar for the operator's command line")
                    .isEqualTo(Map.of(
                            "context",
                            "./" + name,
                            "additional_contexts",
                            Map.of("herald-ops", "./herald-ops/target")));
            String dockerfile = Files.readString(ROOT.resolve(name).resolve("Dockerfile"));
            assertThat(dockerfile)
                    .as(name)
                    .contains("FROM eclipse-temurin:25-jre")
                    .contains("\nUSER herald\n")
                    .contains("HEALTHCHECK");
            assertThat(dockerfile).as(name).contains("COPY target/" + name + "-*-exec.jar");
            assertThat(dockerfile)
                    .as(name + ": herald-ops where docs/herald-ops.md says")
                    .contains("COPY --from=herald-ops herald-ops-*.jar /opt/herald/herald-ops.jar")
                    .contains("/usr/local/bin/herald-ops");
        }
    }

    @Test
    void eachHealthcheckProbesThePortTheServiceServesItsActuatorOn() throws IOException {
        var services = services();
        for (String name : HERALD) {
            assertThat(Files.readString(ROOT.resolve(name).resolve("Dockerfile")))
                    .as(name)
                    .contains("http://127.0.0.1:" + actuatorPort(services, name) + "/actuator/health/readiness");
        }
    }

    @Test
    void prometheusScrapesEachServiceOnItsActuatorPort() throws IOException {
        var services = services();
        String prometheus = Files.readString(ROOT.resolve("ops/prometheus.yml"));
        for (String name : HERALD) {
            assertThat(prometheus).as(name).contains("\"" + name + ":" + actuatorPort(services, name) + "\"");
        }
        // The gateway's public port serves no actuator.
        assertThat(actuatorPort(services, "gateway-service")).isNotEqualTo("8080");
    }

    /**
     * The port a service serves its actuator on in compose: {@code management.server.port} where its configuration
     * sets one, else {@code server.port}, each as compose's environment sets it or the configuration's default.
     */
    private static String actuatorPort(Map<String, Map<String, Object>> services, String name) throws IOException {
        String config = Files.readString(ROOT.resolve(name).resolve("src/main/resources/" + name + ".yml"));
        Matcher port = Pattern.compile(
                        "(?m)^management:\\s*\\n\\s+server:\\s*\\n(?:\\s+#.*\\n)*\\s+port: \\$\\{(HERALD_[A-Z_]+):(\\d+)}")
                .matcher(config);
        if (!port.find()) {
            port = Pattern.compile("(?m)^server:\\s*\\n(?:\\s+#.*\\n)*\\s+port: \\$\\{(HERALD_[A-Z_]+):(\\d+)}")
                    .matcher(config);
            assertThat(port.find()).as(name + ": server.port").isTrue();
        }
        return String.valueOf(env(services.get(name)).getOrDefault(port.group(1), port.group(2)));
    }

    @Test
    void theInternalCredentialIsRequiredLikeTheApiKey() throws IOException {
        var services = services();
        for (String name : List.of("gateway-service", "token-service", "ws-fanout-service")) {
            assertThat(String.valueOf(env(services.get(name)).get("HERALD_INTERNAL_SECRET")))
                    .as(name)
                    .isEqualTo("${HERALD_INTERNAL_SECRET:?set HERALD_INTERNAL_SECRET}");
        }
        assertThat(String.valueOf(env(services.get("gateway-service")).get("HERALD_GATEWAY_APIKEYS_0_SHA256")))
                .isEqualTo("${HERALD_API_KEY_SHA256:?set HERALD_API_KEY_SHA256}");
    }

    @Test
    void kafkaUiHasNoLoginSoItIsReadOnlyAndOnThisHostAlone() throws IOException {
        var ui = services().get("kafka-ui");
        assertThat(env(ui)).containsEntry("KAFKA_CLUSTERS_0_READONLY", "true");
        @SuppressWarnings("unchecked")
        var ports = (List<Object>) ui.get("ports");
        assertThat(ports)
                .isNotEmpty()
                .allSatisfy(port -> assertThat(String.valueOf(port)).startsWith("127.0.0.1:"));
    }

    @Test
    void eachServiceGetsEveryVariableItsConfigurationReads() throws IOException {
        var services = services();
        Pattern placeholder = Pattern.compile("\\$\\{(HERALD_[A-Z_]+)");
        for (String name : HERALD) {
            String config = Files.readString(ROOT.resolve(name).resolve("src/main/resources/" + name + ".yml"));
            Set<String> read = new TreeSet<>();
            Matcher m = placeholder.matcher(config);
            while (m.find()) {
                read.add(m.group(1));
            }
            assertThat(read).as(name + " reads variables").isNotEmpty();
            assertThat(env(services.get(name)).keySet()).as(name).containsAll(read);
        }
    }

    @Test
    void servicesStartAfterKafkaAndPostgresAreHealthyAndOnlyThePublicOnesArePublished() throws IOException {
        var services = services();
        for (String name : HERALD) {
            @SuppressWarnings("unchecked")
            var dependsOn =
                    (Map<String, Map<String, String>>) services.get(name).get("depends_on");
            assertThat(dependsOn).as(name).containsKey("kafka");
            assertThat(dependsOn.get("kafka")).containsEntry("condition", "service_healthy");
            if (!name.equals("gateway-service")) {
                assertThat(dependsOn.get("postgres")).as(name).containsEntry("condition", "service_healthy");
            }
        }
        assertThat(services.get("gateway-service").get("ports"))
                .asString()
                .contains("8080:8080")
                .doesNotContain("8085");
        assertThat(services.get("ws-fanout-service").get("ports"))
                .asString()
                .contains("8083:8083")
                .doesNotContain("8084");
        assertThat(services.get("token-service")).doesNotContainKey("ports");
        assertThat(services.get("dispatch-service")).doesNotContainKey("ports");
    }

    @Test
    void theGrafanaDashboardChartsOnlyMetricsHeraldExports() throws IOException {
        String dashboard = Files.readString(ROOT.resolve("ops/grafana/dashboards/herald.json"));
        String operations = Files.readString(ROOT.resolve("docs/operations.md"));
        var charted = Pattern.compile("\\b(herald_[a-z_]+|kafka_consumer_[a-z_]+)")
                .matcher(dashboard)
                .results()
                .map(m -> m.group(1).replaceAll("_bucket$", ""))
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(charted)
                .as("a panel for each kind of Herald metric")
                .contains(
                        "herald_gateway_events_total",
                        "herald_dispatch_deliveries_total",
                        "herald_dispatch_retries_total",
                        "herald_dispatch_dead_letters_total",
                        "herald_dispatch_provider_latency_seconds",
                        "herald_fanout_sockets_open",
                        "herald_fanout_inbox_writes_total",
                        "kafka_consumer_fetch_manager_records_lag_max");
        for (String metric : charted) {
            // Every metric on the dashboard is documented in the Metrics table of docs/operations.md.
            if (metric.startsWith("herald_") || metric.endsWith("records_lag_max")) {
                assertThat(operations).as(metric).contains("`" + metric + "`");
            }
        }
        Map<String, Object> datasource =
                new Yaml().load(Files.readString(ROOT.resolve("ops/grafana/provisioning/datasources/prometheus.yml")));
        assertThat(datasource).asString().contains("prometheus:9090");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> env(Map<String, Object> service) {
        return (Map<String, Object>) service.get("environment");
    }
}
