package io.herald.bench;

import io.herald.events.HeraldJson;
import io.herald.events.Topics;
import io.herald.testkit.KafkaBroker;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The {@code ws-fanout} peer: the socket.io 4 server of {@code bench/ws-fanout/peer}, in Node ({@code npm ci} there
 * first), reading the same topic with kafkajs in its own consumer group, from the newest record.
 */
final class SocketIoPeer implements WsFanoutTarget {

    private final Process process;
    private final int port;
    private final InAppFeed feed;

    private SocketIoPeer(Process process, int port, InAppFeed feed) {
        this.process = process;
        this.port = port;
        this.feed = feed;
    }

    /** Starts the peer and waits until its consumer has joined its group; a peer that does not is stopped. */
    static SocketIoPeer start(Path peerDirectory, String secret, KafkaBroker kafka) throws Exception {
        int port = LocalHttp.freePort();
        var builder = new ProcessBuilder("node", "--expose-gc", "server.js")
                .directory(peerDirectory.toFile())
                .redirectErrorStream(true)
                .redirectOutput(Path.of(System.getProperty("java.io.tmpdir"), "herald-bench-peer.log")
                        .toFile());
        builder.environment().put("PORT", Integer.toString(port));
        builder.environment().put("KAFKA", kafka.bootstrapServers());
        builder.environment().put("TOPIC", Topics.INAPP);
        builder.environment().put("SECRET", secret);
        Process process = builder.start();
        try {
            LocalHttp.awaitUp("http://127.0.0.1:" + port + "/stats", process);
            // Its consumer starts from the newest records, as Herald's live path does: wait until it has joined.
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
            while (!LocalHttp.get("http://127.0.0.1:" + port + "/stats").contains("\"ready\":true")) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the socket.io peer's Kafka consumer did not join its group");
                }
                TimeUnit.MILLISECONDS.sleep(200);
            }
        } catch (Exception e) {
            process.destroy();
            throw e;
        }
        return new SocketIoPeer(process, port, new InAppFeed(kafka));
    }

    @Override
    public String name() {
        return "socket.io 4.8";
    }

    @Override
    public long heapAfterGc() throws Exception {
        // Its /stats runs a full collection (node --expose-gc) before it reads the heap.
        return HeraldJson.mapper()
                .readTree(LocalHttp.get("http://127.0.0.1:" + port + "/stats"))
                .path("heapUsed")
                .asLong();
    }

    @Override
    public CompletableFuture<WsClients.Socket> connect(
            WsClients clients, String user, String jwt, SocketDeliveries deliveries) {
        var ready = new CompletableFuture<WsClients.Socket>();
        String url = "ws://127.0.0.1:" + port + "/socket.io/?EIO=4&transport=websocket";
        clients.connect(URI.create(url), Map.of(), (socket, message) -> {
                    // Engine.IO v4 packets: 0 open, 2 ping, 4 message; Socket.IO: 40 connect, 42 event.
                    if (message.startsWith("42")) {
                        deliveries.delivered(message);
                    } else if (message.equals("2")) {
                        socket.sendText("3");
                    } else if (message.startsWith("0{")) {
                        socket.sendText("40{\"token\":\"" + jwt + "\"}");
                    } else if (message.startsWith("40")) {
                        ready.complete(socket);
                    } else if (message.startsWith("44")) {
                        ready.completeExceptionally(new IllegalStateException("refused: " + message));
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
    public void close() {
        feed.close();
        process.destroy();
    }
}
