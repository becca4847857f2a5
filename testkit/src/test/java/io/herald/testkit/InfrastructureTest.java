package io.herald.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class InfrastructureTest {

    @Test
    void kafkaBrokerCarriesRecordsAndDoesNotAutoCreateTopics() throws Exception {
        try (KafkaBroker broker = KafkaBroker.start()) {
            assertRoundTrip(broker);
            assertThat(broker.embedded().getTopics()).containsExactly("infra-test");
        }
    }

    @Test
    void aBrokerStartedOnAFixedPortListensThereAndCarriesRecords() throws Exception {
        int port;
        try (var socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        try (KafkaBroker broker = KafkaBroker.start(port)) {
            assertThat(broker.bootstrapServers()).isEqualTo("localhost:" + port);
            // Clients bootstrapping on the fixed port are told to stay on it, not sent to a random one.
            try (var admin = Admin.create(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
                assertThat(admin.describeCluster().nodes().get(10, TimeUnit.SECONDS))
                        .singleElement()
                        .satisfies(node -> assertThat(node.port()).isEqualTo(port));
            }
            assertRoundTrip(broker);
        }
    }

    @Test
    void aBrokerProcessRestartedOnItsDataKeepsItsRecordsAndPort() throws Exception {
        try (KafkaProcess broker = KafkaProcess.start()) {
            Map<String, Object> common = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
            try (var admin = Admin.create(common)) {
                admin.createTopics(List.of(new NewTopic("infra-test", 1, (short) 1)))
                        .all()
                        .get(30, TimeUnit.SECONDS);
            }
            produce(common);
            String before = broker.bootstrapServers();
            broker.stop();
            broker.startAgain();
            assertThat(broker.bootstrapServers()).isEqualTo(before);
            assertConsumed(common);
        }
    }

    private static void assertRoundTrip(KafkaBroker broker) throws Exception {
        broker.createTopics("infra-test");
        Map<String, Object> common = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        produce(common);
        assertConsumed(common);
    }

    private static void produce(Map<String, Object> common) throws Exception {
        try (var producer = new KafkaProducer<>(common, new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>("infra-test", "k", "v")).get();
        }
    }

    private static void assertConsumed(Map<String, Object> common) {
        var consumerProps = new HashMap<String, Object>(common);
        consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, "infra-test");
        consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (var consumer = new KafkaConsumer<>(consumerProps, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of("infra-test"));
            var records = consumer.poll(Duration.ofSeconds(30));
            assertThat(records.count()).isEqualTo(1);
            assertThat(records.iterator().next().value()).isEqualTo("v");
        }
    }

    @Test
    void eachNewDatabaseIsSeparate() throws Exception {
        PostgresServer server = PostgresServer.shared();
        var first = server.newDatabase("infra");
        var second = server.newDatabase("infra");
        assertThat(first.jdbcUrl()).isNotEqualTo(second.jdbcUrl());

        try (var c = DriverManager.getConnection(first.jdbcUrl(), first.username(), first.password())) {
            c.createStatement().execute("create table t (x int)");
        }
        try (var c = DriverManager.getConnection(second.jdbcUrl(), second.username(), second.password())) {
            var rs = c.createStatement()
                    .executeQuery("select count(*) from information_schema.tables where table_name = 't'");
            rs.next();
            assertThat(rs.getInt(1)).isZero();
        }
    }
}
