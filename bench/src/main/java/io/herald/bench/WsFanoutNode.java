package io.herald.bench;

import io.herald.devstack.HeraldService;
import io.herald.devstack.StackWiring;
import io.herald.events.HeraldJson;
import io.herald.events.Topics;
import io.herald.testkit.ConsumerLag;
import io.herald.testkit.KafkaBroker;
import io.herald.testkit.PostgresServer;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.admin.Admin;

/**
 * A {@code ws-fanout} target: one ws-fanout-service node in its own JVM, run with its image's JVM options and a 2 GB
 * heap, reading {@code herald.inapp.v1} in a live consumer group of its own that starts at the newest record; with
 * its inbox writer on (as deployed: every notification stored in PostgreSQL too) or off.
 */
final class WsFanoutNode implements WsFanoutTarget {

    private final Process process;
    private final int port;
    private final int socketPort;
    private final InAppFeed feed;
    private final boolean inboxWriter;
    private final Admin admin;

    private WsFanoutNode(Process process, int port, int socketPort, InAppFeed feed, boolean inboxWriter, Admin admin) {
        this.process = process;
        this.port = port;
        this.socketPort = socketPort;
        this.feed = feed;
        this.inboxWriter = inboxWriter;
        this.admin = admin;
    }

    /** Starts a node and waits until it is healthy (two minutes at most); a node that does not come up is stopped. */
    static WsFanoutNode start(
            KafkaBroker kafka,
            PostgresServer.Database db,
            String secret,
            boolean inboxWriter,
            List<String> extraJvmOptions)
            throws Exception {
        int port = LocalHttp.freePort();
        int socketPort = LocalHttp.freePort();
        // The options its image runs it with (the collector among them), and any for experiments.
        List<String> jvmOptions = new ArrayList<>(ServiceProcess.imageJvmOptions("ws-fanout-service"));
        jvmOptions.addAll(extraJvmOptions);
        Process process = ServiceProcess.start(
                "node",
                "io.herald.fanout.FanoutApplication",
                "2g",
                jvmOptions,
                WiredArgs.of(
                        StackWiring.of(kafka.bootstrapServers(), db)
                                .withSecrets("bench-internal-secret-of-at-least-32-bytes", secret),
                        HeraldService.WS_FANOUT,
                        Map.of(
                                "server.port", Integer.toString(port),
                                "herald.fanout.ws.port", Integer.toString(socketPort),
                                // Its own live consumer group per node, starting at the newest record.
                                "herald.fanout.ws.node-id", "bench-" + (inboxWriter ? "with-inbox" : "live-only"),
                                "herald.fanout.inbox.writer-enabled", Boolean.toString(inboxWriter),
                                "management.endpoints.web.exposure.include", "health,metrics")));
        try {
            LocalHttp.awaitUp("http://127.0.0.1:" + port + "/actuator/health", process);
        } catch (RuntimeException | InterruptedException e) {
            process.destroy();
            throw e;
        }
        return new WsFanoutNode(
                process,
                port,
                socketPort,
                new InAppFeed(kafka),
                inboxWriter,
                Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers())));
    }

    @Override
    public String name() {
        return inboxWriter ? "herald ws-fanout" : "herald ws-fanout without inbox writer";
    }

    @Override
    public long heapAfterGc() throws Exception {
        for (int i = 0; i < 2; i++) {
            new ProcessBuilder(
                            Path.of(System.getProperty("java.home"), "bin", "jcmd")
                                    .toString(),
                            Long.toString(process.pid()),
                            "GC.run")
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start()
                    .waitFor();
        }
        String body = LocalHttp.get("http://127.0.0.1:" + port + "/actuator/metrics/jvm.memory.used?tag=area:heap");
        var value =
                HeraldJson.mapper().readTree(body).path("measurements").get(0).path("value");
        return (long) value.asDouble();
    }

    @Override
    public CompletableFuture<WsClients.Socket> connect(
            WsClients clients, String user, String jwt, SocketDeliveries deliveries) {
        var ready = new CompletableFuture<WsClients.Socket>();
        clients.connect(
                        URI.create("ws://127.0.0.1:" + socketPort + "/ws/notifications"),
                        Map.of("Authorization", "Bearer " + jwt),
                        (socket, message) -> {
                            if (message.contains("\"sent_us\"")) {
                                deliveries.delivered(message);
                            } else if (message.startsWith("{\"type\":\"unread_count\"")) {
                                // The node's first message on a socket: it is registered for live delivery.
                                ready.complete(socket);
                            }
                        })
                .whenComplete((socket, error) -> {
                    if (error != null) {
                        ready.completeExceptionally(error);
                    }
                });
        return ready;
    }

    @Override
    public void publish(String user, long sentMicros) {
        feed.publish(user, sentMicros);
    }

    @Override
    public void flush() {
        feed.flush();
    }

    @Override
    public long storeBacklog() throws Exception {
        if (!inboxWriter) {
            return -1;
        }
        // The inbox writers' shared group (it commits about once a second, so this is within a second's worth).
        return ConsumerLag.of(admin, "herald-ws-fanout-service", Topics.INAPP);
    }

    @Override
    public void close() {
        admin.close();
        feed.close();
        process.destroy();
    }
}
