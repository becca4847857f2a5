package io.herald.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What one service integration test class runs its service against: a Kafka broker of its own ({@link KafkaBroker})
 * and, if asked for, a database of its own on the JVM's shared PostgreSQL ({@link PostgresServer#shared()}), with
 * the internal credential and the user-JWT secret every test service is given. Declare it as a static field with
 * {@code @RegisterExtension}:
 *
 * <pre>{@code
 * @SpringBootTest(properties = "spring.config.name=token-service")
 * @DirtiesContext
 * class TokenServiceIT {
 *
 *     @RegisterExtension
 *     static final ServiceInfrastructure infra = ServiceInfrastructure.withKafkaAndDatabase("token");
 * }
 * }</pre>
 *
 * <p>A Spring test's context gets {@link #properties()} by itself: {@link ServiceInfrastructureCustomizerFactory}
 * (registered in this jar's {@code META-INF/spring.factories}) finds the field. What a test sets on top of them
 * (API keys, limits …) stays in its own {@code @DynamicPropertySource} method, which takes precedence. A test that
 * starts its service itself passes {@link #arguments(String...)} to {@code SpringApplication.run}.
 *
 * <p>The broker starts with the field (the test class's static initialiser), so other static fields can use it; it
 * is closed when the test class is done, after Spring has closed the class's context ({@code @DirtiesContext}), so
 * that the service never loses its broker while it is still running.
 */
public final class ServiceInfrastructure implements BeforeAllCallback {

    /** The internal credential ({@code herald.internal.secret}) test services are given and tests send. */
    public static final String INTERNAL_SECRET = "an-internal-secret-of-at-least-32-bytes-for-tests";

    /** The HMAC secret of user JWTs, at the property named by {@link #jwtSecretAt(String)}. */
    public static final String JWT_SECRET = "an-hmac-secret-of-at-least-32-bytes-for-tests";

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(ServiceInfrastructure.class);

    private final KafkaBroker kafka;
    private final PostgresServer.@Nullable Database database;
    private final @Nullable String jwtSecretProperty;

    private ServiceInfrastructure(
            KafkaBroker kafka, PostgresServer.@Nullable Database database, @Nullable String jwtSecretProperty) {
        this.kafka = kafka;
        this.database = database;
        this.jwtSecretProperty = jwtSecretProperty;
    }

    /** A broker of the test class's own; no database (the gateway). */
    public static ServiceInfrastructure withKafka() {
        return new ServiceInfrastructure(KafkaBroker.start(), null, null);
    }

    /**
     * A broker of the test class's own and a new database on the shared PostgreSQL server, named after {@code
     * databasePrefix} ({@link PostgresServer#newDatabase(String)}).
     */
    public static ServiceInfrastructure withKafkaAndDatabase(String databasePrefix) {
        return new ServiceInfrastructure(
                KafkaBroker.start(), PostgresServer.shared().newDatabase(databasePrefix), null);
    }

    /**
     * The same infrastructure, giving the service {@link #JWT_SECRET} as {@code property} too (e.g. {@code
     * herald.gateway.jwt.hmac-secret}), for tests that sign user JWTs with it.
     */
    public ServiceInfrastructure jwtSecretAt(String property) {
        return new ServiceInfrastructure(kafka, database, property);
    }

    /** The class's broker. */
    public KafkaBroker kafka() {
        return kafka;
    }

    /** The broker's bootstrap servers. */
    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    /**
     * The class's database.
     *
     * @throws IllegalStateException if it was made {@link #withKafka()}
     */
    public PostgresServer.Database database() {
        if (database == null) {
            throw new IllegalStateException("made without a database: use withKafkaAndDatabase");
        }
        return database;
    }

    /**
     * The properties that point a service at this infrastructure: {@code spring.kafka.bootstrap-servers}, the
     * database's {@code spring.datasource.url}, {@code username} and {@code password}, {@code
     * herald.internal.secret} and, if asked for, the JWT secret.
     */
    public Map<String, String> properties() {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("spring.kafka.bootstrap-servers", kafka.bootstrapServers());
        if (database != null) {
            properties.put("spring.datasource.url", database.jdbcUrl());
            properties.put("spring.datasource.username", database.username());
            properties.put("spring.datasource.password", database.password());
        }
        properties.put("herald.internal.secret", INTERNAL_SECRET);
        if (jwtSecretProperty != null) {
            properties.put(jwtSecretProperty, JWT_SECRET);
        }
        return properties;
    }

    /**
     * {@link #properties()} as {@code --key=value} arguments for {@code SpringApplication.run}, with {@code more}
     * (same form) after them; a key in {@code more} replaces the property's (Spring would join repeated keys with a
     * comma).
     */
    public String[] arguments(String... more) {
        Map<String, String> properties = properties();
        for (String argument : more) {
            int equals = argument.indexOf('=');
            properties.remove(argument.substring(2, equals < 0 ? argument.length() : equals));
        }
        List<String> arguments = new ArrayList<>();
        properties.forEach((key, value) -> arguments.add("--" + key + "=" + value));
        arguments.addAll(List.of(more));
        return arguments.toArray(String[]::new);
    }

    /**
     * A producer of string keys and raw values to the class's broker, with {@code settings} ({@code ProducerConfig}
     * names) over the client's defaults. The caller closes it.
     */
    public KafkaProducer<String, byte[]> producer(Map<String, ?> settings) {
        Map<String, Object> config = new HashMap<String, Object>(settings);
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        return new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
    }

    /** A producer with the client's defaults, as {@link #producer(Map)}. */
    public KafkaProducer<String, byte[]> producer() {
        return producer(Map.of());
    }

    /**
     * A consumer of the class's broker in a consumer group of its own, which reads each topic it is given from its
     * earliest record. The caller subscribes or assigns it, and closes it.
     */
    public KafkaConsumer<String, byte[]> consumer() {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
    }

    /**
     * The first record on {@code topic} with {@code key}, read from the topic's start by a consumer of its own.
     *
     * @throws AssertionError if none is there within {@code within}
     */
    public ConsumerRecord<String, byte[]> firstRecord(String topic, String key, Duration within) {
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + within.toNanos();
            do {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (key.equals(record.key())) {
                        return record;
                    }
                }
            } while (System.nanoTime() < deadline);
        }
        throw new AssertionError("no record with key " + key + " on " + topic + " within " + within);
    }

    /** Leaves the broker to the class's extension store, which closes it once the class and its context are done. */
    @Override
    public void beforeAll(ExtensionContext context) {
        context.getStore(NAMESPACE).put(kafka, kafka);
    }
}
