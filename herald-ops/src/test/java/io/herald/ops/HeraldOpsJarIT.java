package io.herald.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.testkit.KafkaBroker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The runnable jar the images ship ({@code target/herald-ops-<version>.jar}, built in the package phase, before
 * this test), run as an operator runs it: {@code java -jar}, alone, against a real broker.
 */
class HeraldOpsJarIT {

    static final KafkaBroker kafka = KafkaBroker.start();

    @AfterAll
    static void stop() {
        kafka.close();
    }

    private record Run(int status, String out, String err) {}

    private static Path jar() throws IOException {
        try (var files = Files.list(Path.of("target"))) {
            return files.filter(p -> p.getFileName().toString().matches("herald-ops-[^-].*\\.jar"))
                    .filter(p -> !p.getFileName().toString().endsWith("-tests.jar"))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException("no target/herald-ops-<version>.jar: run package"));
        }
    }

    private static Run run(Map<String, String> environment, String... args) throws Exception {
        List<String> command = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar().toString()));
        command.addAll(List.of(args));
        var builder = new ProcessBuilder(command);
        builder.environment().remove("HERALD_KAFKA_BOOTSTRAP_SERVERS");
        builder.environment().putAll(environment);
        Path out = Files.createTempFile("herald-ops", ".out");
        Path err = Files.createTempFile("herald-ops", ".err");
        Process process =
                builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("done in 2 minutes").isTrue();
        var run = new Run(
                process.exitValue(),
                Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
        Files.delete(out);
        Files.delete(err);
        return run;
    }

    @Test
    void theJarNamesItsMainClass() throws Exception {
        try (var jar = new JarFile(jar().toFile())) {
            assertThat(jar.getManifest().getMainAttributes().getValue("Main-Class"))
                    .isEqualTo(HeraldOps.class.getName());
        }
    }

    @Test
    void theJarListsADeadLetterTopicOfTheBrokerInItsEnvironment() throws Exception {
        String dlt = "orders-" + UUID.randomUUID() + "-dlt";
        kafka.createTopics(dlt);
        try (var producer = new KafkaProducer<>(
                Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                new StringSerializer(),
                new StringSerializer())) {
            producer.send(new ProducerRecord<>(dlt, "ana", "{}")).get();
        }

        Run run =
                run(Map.of("HERALD_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers()), "dlt", "list", "--topic", dlt);

        assertThat(run.status()).as(run.err()).isZero();
        assertThat(run.out()).contains("key=ana").contains("1 records in " + dlt);
        assertThat(run.err())
                .as("no logging set-up complaints, no client chatter")
                .isEmpty();
    }

    @Test
    void theJarAnswersAFailureWithStatus1AndANotUnderstoodCommandWith2() throws Exception {
        Run missing = run(
                Map.of(),
                "dlt",
                "replay",
                "--topic",
                "nowhere-" + UUID.randomUUID() + "-dlt",
                "--bootstrap",
                kafka.bootstrapServers());
        assertThat(missing.status()).isEqualTo(1);
        assertThat(missing.err()).contains("herald-ops: java.lang.IllegalArgumentException: no topic nowhere-");

        Run wrong = run(Map.of(), "dlt", "list");
        assertThat(wrong.status()).isEqualTo(2);
        assertThat(wrong.err()).contains("dlt list needs --topic").contains("usage: herald-ops");
    }
}
