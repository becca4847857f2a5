package io.herald.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Benchmark {@code ws-fanout}: one ws-fanout-service node (its own JVM, fed by a real Kafka broker, writing its
 * inbox to a real PostgreSQL) against a socket.io 4 server (Node, reading the same topic), with the same clients:
 * {@link WsFanoutSettings#connections()} authenticated WebSockets opened by this JVM ({@link WsClients}).
 *
 * <p>Three targets one after the other ({@link WsFanoutStack}): {@code herald} (a node as deployed), {@code
 * herald-live} (its inbox writer off) and {@code socket.io}. For each: heap per idle connection (after a full GC,
 * with and without the sockets); a warm-up at the latency rate; then paced steps of rising rate ({@link
 * WsFanoutPacer}) until one is not kept. Figures ({@link WsFanoutReport}): the highest rate each sustains and the
 * p99 publish-to-socket latency at the latency rate.
 */
final class WsFanoutBench {

    private WsFanoutBench() {}

    static void run(WsFanoutSettings settings) throws Exception {
        try (var stack = WsFanoutStack.start(settings)) {
            WsFanoutReport.Figures herald = null;
            if (settings.targets().contains("herald")) {
                try (var target = stack.node(true)) {
                    herald = measure(target, settings, stack.secret());
                }
            }
            WsFanoutReport.Figures heraldLive = null;
            if (settings.targets().contains("herald-live")) {
                try (var target = stack.node(false)) {
                    heraldLive = measure(target, settings, stack.secret());
                }
            }
            WsFanoutReport.Figures peer = null;
            if (settings.targets().contains("socket.io")) {
                try (var target = stack.peer()) {
                    peer = measure(target, settings, stack.secret());
                }
            }
            // Fewer targets: an experiment, no rows.
            if (herald != null && heraldLive != null && peer != null) {
                WsFanoutReport.write(settings, herald, heraldLive, peer);
            }
        }
    }

    private static WsFanoutReport.Figures measure(WsFanoutTarget target, WsFanoutSettings settings, String secret)
            throws Exception {
        System.out.printf("%n== %s: %d sockets ==%n", target.name(), settings.connections());
        long heapBefore = target.heapAfterGc();
        var deliveries = new SocketDeliveries();
        // Two I/O threads, one per core: the clients are the same for every target.
        var clients = new WsClients(2);
        List<WsClients.Socket> sockets = open(target, clients, deliveries, settings.connections(), secret);
        long heapAfter = target.heapAfterGc();
        double perConnection = (heapAfter - heapBefore) / (double) settings.connections();
        System.out.printf(
                "%s: heap %d -> %d bytes, %.0f bytes per connection%n",
                target.name(), heapBefore, heapAfter, perConnection);

        var pacer = new WsFanoutPacer(target, deliveries, settings);
        // Warm-up, the same for both, not recorded: a JVM compiles its hot paths for tens of seconds (at first,
        // Herald's node takes twice the CPU per notification it takes a minute later), and producer metadata and
        // fetch sessions settle. Steps at the latency rate until warmUpSeconds have passed.
        for (int i = 0; i < settings.warmUpSteps(); i++) {
            pacer.step(settings.latencyRate(), true);
        }
        double sustained = 0;
        double p99AtLatencyRate = Double.NaN;
        for (int rate : settings.rates()) {
            WsFanoutPacer.Step step = pacer.step(rate, false);
            if (rate == settings.latencyRate()) {
                p99AtLatencyRate = step.p99();
            }
            if (!step.kept()) {
                // Not halving the gap back down: a step after an overloaded one fails for every target here.
                break;
            }
            sustained = Math.max(sustained, step.sustained());
        }
        awaitStored(target);
        for (WsClients.Socket socket : sockets) {
            socket.abort();
        }
        clients.close();
        return new WsFanoutReport.Figures(perConnection, sustained, p99AtLatencyRate);
    }

    /** Opens {@code connections} sockets, 256 handshakes at a time; throws if any fails or five minutes pass. */
    private static List<WsClients.Socket> open(
            WsFanoutTarget target, WsClients clients, SocketDeliveries deliveries, int connections, String secret)
            throws InterruptedException {
        List<WsClients.Socket> sockets = new ArrayList<>(connections);
        var inFlight = new Semaphore(256);
        var opened = new CountDownLatch(connections);
        var failures = new AtomicInteger();
        for (int i = 0; i < connections; i++) {
            inFlight.acquire();
            String user = "user-" + i;
            target.connect(clients, user, HmacJwt.sign(user, secret), deliveries)
                    .whenComplete((socket, error) -> {
                        inFlight.release();
                        if (error != null) {
                            failures.incrementAndGet();
                        } else {
                            synchronized (sockets) {
                                sockets.add(socket);
                            }
                        }
                        opened.countDown();
                    });
        }
        if (!opened.await(5, TimeUnit.MINUTES) || failures.get() > 0) {
            throw new IllegalStateException(target.name() + ": " + failures.get() + " sockets failed to open");
        }
        return sockets;
    }

    /**
     * The live figures do not wait for the inbox: says how far behind it was after the last step and how long it
     * took to catch up (ten minutes at most).
     */
    private static void awaitStored(WsFanoutTarget target) throws Exception {
        long behind = target.storeBacklog();
        if (behind <= 0) {
            return;
        }
        long since = System.nanoTime();
        long until = since + TimeUnit.MINUTES.toNanos(10);
        long left = behind;
        while (left > 0 && System.nanoTime() < until) {
            TimeUnit.SECONDS.sleep(1);
            left = target.storeBacklog();
        }
        System.out.printf(
                "%s: inbox writer %d behind after the last step, %s%n",
                target.name(),
                behind,
                left == 0
                        ? String.format("caught up %.0f s later", (System.nanoTime() - since) / 1e9)
                        : "not caught up 10 minutes later");
    }
}
