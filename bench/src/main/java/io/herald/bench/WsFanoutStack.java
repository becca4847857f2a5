package io.herald.bench;

import io.herald.events.Topics;
import io.herald.testkit.KafkaBroker;
import io.herald.testkit.PostgresServer;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * What every {@code ws-fanout} target shares, in the bench's JVM: a Kafka broker with {@code herald.inapp.v1} made
 * as Herald's services make it (three partitions), PostgreSQL with a database for the node's inbox, and the JWT
 * secret; and the targets, started one at a time on them.
 */
final class WsFanoutStack implements AutoCloseable {

    /** Partitions of the in-app topic, as Herald's services create it. */
    private static final int PARTITIONS = 3;

    private final KafkaBroker kafka;
    private final PostgresServer postgres;
    private final WsFanoutSettings settings;
    private final String secret = UUID.randomUUID() + "-" + UUID.randomUUID();

    private WsFanoutStack(KafkaBroker kafka, PostgresServer postgres, WsFanoutSettings settings) {
        this.kafka = kafka;
        this.postgres = postgres;
        this.settings = settings;
    }

    static WsFanoutStack start(WsFanoutSettings settings) throws Exception {
        KafkaBroker kafka = KafkaBroker.start();
        PostgresServer postgres = null;
        try {
            postgres = BenchPostgres.start(Map.of());
            postgres.createDatabase("bench");
            BenchPostgres.checkDurable(postgres.database("bench"), "at the start");
            // As Herald's services create it, before any target reads it.
            try (var admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic(Topics.INAPP, PARTITIONS, (short) 1)))
                        .all()
                        .get(1, TimeUnit.MINUTES);
            }
            return new WsFanoutStack(kafka, postgres, settings);
        } catch (Exception e) {
            if (postgres != null) {
                postgres.close();
            }
            kafka.close();
            throw e;
        }
    }

    /** The secret the targets check the clients' JWTs with. */
    String secret() {
        return secret;
    }

    /**
     * A ws-fanout-service node: as deployed ({@code inboxWriter}: it stores every notification in its inbox too,
     * in PostgreSQL on the same cores), or with its inbox writer off (the inbox written elsewhere: by other nodes of
     * the shared group, or dedicated writers), the same work as the peer's.
     */
    WsFanoutTarget node(boolean inboxWriter) throws Exception {
        return WsFanoutNode.start(kafka, postgres.database("bench"), secret, inboxWriter, settings.nodeJvmOptions());
    }

    /** The socket.io peer. */
    WsFanoutTarget peer() throws Exception {
        return SocketIoPeer.start(settings.root().resolve("ws-fanout/peer"), secret, kafka);
    }

    @Override
    public void close() {
        try {
            postgres.close();
        } finally {
            kafka.close();
        }
    }
}
