package io.herald.bench;

/**
 * {@code ws-fanout}'s rows in {@code bench/RESULTS.md}: Herald as deployed and without its inbox writer, each
 * against the socket.io peer measured in the same run.
 */
final class WsFanoutReport {

    /** One target's figures. */
    record Figures(double heapPerConnection, double sustainedPerSecond, double p99AtLatencyRate) {}

    private static final String BENCHMARK = "ws-fanout";
    private static final String PEER = "socket.io 4.8";
    private static final String COMMAND =
            "./mvnw -B -q install -DskipTests && ./mvnw -B -q -f bench/pom.xml compile exec:exec -Dbench=ws-fanout";

    private WsFanoutReport() {}

    static void write(WsFanoutSettings settings, Figures herald, Figures heraldLive, Figures peer) {
        var results = new Results(settings.root().resolve("RESULTS.md"), COMMAND);
        String atLatencyRate = "ms at " + settings.latencyRate() + " msg/s";
        results.row(
                BENCHMARK,
                "heap-bytes-per-connection",
                herald.heapPerConnection(),
                "bytes",
                PEER,
                peer.heapPerConnection());
        results.row(
                BENCHMARK, "delivered-per-s", herald.sustainedPerSecond(), "msg/s", PEER, peer.sustainedPerSecond());
        results.row(BENCHMARK, "p99-ms", herald.p99AtLatencyRate(), atLatencyRate, PEER, peer.p99AtLatencyRate());
        results.row(
                BENCHMARK,
                "delivered-per-s-without-inbox-writer",
                heraldLive.sustainedPerSecond(),
                "msg/s",
                PEER,
                peer.sustainedPerSecond());
        results.row(
                BENCHMARK,
                "p99-ms-without-inbox-writer",
                heraldLive.p99AtLatencyRate(),
                atLatencyRate,
                PEER,
                peer.p99AtLatencyRate());
    }
}
