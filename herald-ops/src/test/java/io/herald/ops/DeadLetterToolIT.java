package io.herald.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.herald.events.DeadLetters;
import io.herald.events.HeraldHeaders;
import io.herald.ops.DeadLetterTool.Selection;
import io.herald.testkit.KafkaBroker;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The dead-letter commands against a real Kafka broker (testkit), each test on topics of its own. */
class DeadLetterToolIT {

    static final KafkaBroker kafka = KafkaBroker.start();
    static final KafkaProducer<String, String> producer = new KafkaProducer<>(
            Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
            new StringSerializer(),
            new StringSerializer());

    private final ByteArrayOutputStream output = new ByteArrayOutputStream();
    private final DeadLetterTool tool =
            new DeadLetterTool(kafka.bootstrapServers(), new PrintStream(output, true, StandardCharsets.UTF_8));

    @AfterAll
    static void stop() {
        producer.close();
        kafka.close();
    }

    /** A topic and its dead-letter topic, three partitions each; the topic's name. */
    private static String topics() throws Exception {
        String topic = "orders-" + UUID.randomUUID();
        try (var admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1), new NewTopic(topic + "-dlt", 3, (short) 1)))
                    .all()
                    .get();
        }
        return topic;
    }

    /** Dead-letters {@code value} from {@code topic} as a service does, after its retries, with a trace. */
    private static RecordMetadata deadLetter(String topic, String key, String value, String code) throws Exception {
        var record = new ProducerRecord<>(
                topic + "-dlt",
                null,
                key,
                value,
                DeadLetters.headers(topic, "dispatch-service", code, "the reason of " + key));
        record.headers().add(HeraldHeaders.RETRY_ATTEMPT, "4".getBytes(StandardCharsets.UTF_8));
        record.headers().add("kafka_dlt-exception-message", "boom".getBytes(StandardCharsets.UTF_8));
        record.headers().add("traceparent", ("00-" + "a".repeat(32) + "-" + "b".repeat(16) + "-01").getBytes());
        return producer.send(record).get();
    }

    /** Every record of {@code topic}, read from its beginning to its end. */
    private static List<ConsumerRecord<String, String>> read(String topic) {
        try (var consumer = new KafkaConsumer<>(
                Map.<String, Object>of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                new StringDeserializer(),
                new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<ConsumerRecord<String, String>> records = new ArrayList<>();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            return records;
        }
    }

    private static String header(ConsumerRecord<String, String> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? "" : new String(header.value(), StandardCharsets.UTF_8);
    }

    @Test
    void listPrintsEachDeadLetterWithItsReasonAndCountsThoseOfOneReason() throws Exception {
        String topic = topics();
        deadLetter(topic, "ana", "{\"n\":1}", "retries-exhausted");
        deadLetter(topic, "bob", "{\"n\":2}", "invalid-json");
        deadLetter(topic, "cy", "{\"n\":3}", "retries-exhausted");

        assertThat(tool.list(topic + "-dlt", Selection.ALL)).isEqualTo(3);
        assertThat(tool.list(topic + "-dlt", new Selection("retries-exhausted", null)))
                .isEqualTo(2);

        String printed = output.toString(StandardCharsets.UTF_8);
        assertThat(printed.lines().filter(l -> l.contains("key=bob")))
                .singleElement()
                .asString()
                .contains("\tinvalid-json\t")
                .contains("the reason of bob")
                .contains("from " + topic + " by dispatch-service");
        assertThat(printed)
                .contains("3 records in " + topic + "-dlt")
                .contains("2 records with reason retries-exhausted in " + topic + "-dlt");
    }

    @Test
    void replayRepublishesOntoTheOriginalTopicWithoutTheDeadLetterAndRetryHeaders() throws Exception {
        String topic = topics();
        RecordMetadata ana = deadLetter(topic, "ana", "{\"n\":1}", "retries-exhausted");
        deadLetter(topic, "bob", "{\"n\":2}", "invalid-json");
        RecordMetadata cy = deadLetter(topic, "cy", "{\"n\":3}", "retries-exhausted");

        assertThat(tool.replay(topic + "-dlt", new Selection("retries-exhausted", null), null, false))
                .isEqualTo(2);

        List<ConsumerRecord<String, String>> replayed = read(topic);
        assertThat(replayed)
                .extracting(ConsumerRecord::key, ConsumerRecord::value)
                .containsExactlyInAnyOrder(tuple("ana", "{\"n\":1}"), tuple("cy", "{\"n\":3}"));
        assertThat(replayed)
                .extracting(r -> header(r, "herald-replayed-from"))
                .containsExactlyInAnyOrder(
                        topic + "-dlt:" + ana.partition() + ":" + ana.offset(),
                        topic + "-dlt:" + cy.partition() + ":" + cy.offset());
        assertThat(replayed).allSatisfy(r -> {
            assertThat(r.headers())
                    .extracting(Header::key)
                    .containsExactlyInAnyOrder("traceparent", "herald-replayed-from");
            assertThat(header(r, "traceparent")).startsWith("00-aaaa");
        });
        assertThat(output.toString(StandardCharsets.UTF_8))
                .contains("replayed 2 records with reason retries-exhausted from " + topic + "-dlt");
    }

    @Test
    void replayGoesOntoTheTopicNamedByTheDeadLetterTopicWithoutAnOriginalOrOntoTheOneAsked() throws Exception {
        String topic = topics();
        producer.send(new ProducerRecord<>(topic + "-dlt", "ana", "{}")).get();

        assertThat(tool.replay(topic + "-dlt", Selection.ALL, null, false)).isEqualTo(1);
        assertThat(read(topic)).extracting(ConsumerRecord::key).containsExactly("ana");

        String other = topics();
        assertThat(tool.replay(topic + "-dlt", Selection.ALL, other, false)).isEqualTo(1);
        assertThat(read(other)).extracting(ConsumerRecord::key).containsExactly("ana");
        assertThat(read(topic)).hasSize(1);
    }

    @Test
    void listNeverPrintsAValue() throws Exception {
        String topic = topics();
        deadLetter(topic, "ana", "{\"token\":\"secret-device-token\"}", "invalid-json");

        assertThat(tool.list(topic + "-dlt", Selection.ALL)).isEqualTo(1);

        assertThat(output.toString(StandardCharsets.UTF_8)).contains("key=ana").doesNotContain("secret-device-token");
    }

    @Test
    void aKeyAndAReasonTogetherTakeOnlyTheRecordsWithBoth() throws Exception {
        String topic = topics();
        deadLetter(topic, "ana", "{\"n\":1}", "retries-exhausted");
        deadLetter(topic, "ana", "{\"n\":2}", "invalid-json");
        deadLetter(topic, "bob", "{\"n\":3}", "retries-exhausted");

        assertThat(tool.list(topic + "-dlt", new Selection(null, "ana"))).isEqualTo(2);
        assertThat(tool.replay(topic + "-dlt", new Selection("retries-exhausted", "ana"), null, false))
                .isEqualTo(1);

        assertThat(read(topic))
                .extracting(ConsumerRecord::key, ConsumerRecord::value)
                .containsExactly(tuple("ana", "{\"n\":1}"));
        assertThat(output.toString(StandardCharsets.UTF_8))
                .contains("2 records with key ana in " + topic + "-dlt")
                .contains("replayed 1 records with reason retries-exhausted with key ana from " + topic + "-dlt");
    }

    @Test
    void aDryRunSaysWhatItWouldReplayAndWhereAndPublishesNothing() throws Exception {
        String topic = topics();
        RecordMetadata ana = deadLetter(topic, "ana", "{\"n\":1}", "retries-exhausted");

        assertThat(tool.replay(topic + "-dlt", Selection.ALL, null, true)).isEqualTo(1);

        assertThat(output.toString(StandardCharsets.UTF_8))
                .contains(ana.partition() + "/" + ana.offset() + "\t")
                .contains("key=ana")
                .contains("\t-> " + topic + "\n")
                .contains("would replay 1 records from " + topic + "-dlt (dry run: nothing published)");
        assertThat(read(topic)).isEmpty();
    }

    @Test
    void aTopicThatIsNotThereIsSaidSo() {
        assertThatThrownBy(() -> tool.list("nowhere-" + UUID.randomUUID() + "-dlt", Selection.ALL))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no topic nowhere-");
    }
}
