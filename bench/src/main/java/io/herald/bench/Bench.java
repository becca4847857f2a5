package io.herald.bench;

import java.nio.file.Path;

/** {@code ./mvnw -f bench/pom.xml compile exec:exec -Dbench=<benchmark>}: runs one benchmark, appends its rows. */
public final class Bench {

    private Bench() {}

    public static void main(String[] args) throws Exception {
        String which = args.length == 0 ? "ws-fanout" : args[0];
        switch (which) {
            case "ws-fanout" -> WsFanoutBench.run(WsFanoutSettings.fromEnvironment());
            case "token-routing" -> TokenRoutingBench.run(Path.of(System.getProperty("bench.root", "bench")));
            case "dispatch-fcm" -> DispatchFcmBench.run(Path.of(System.getProperty("bench.root", "bench")));
            case "gateway-ingest" -> GatewayIngestBench.run(Path.of(System.getProperty("bench.root", "bench")));
            case "pipeline-e2e" -> PipelineE2eBench.run(PipelineSettings.fromEnvironment());
            case "scheduled-burst" -> ScheduledBurstBench.run();
            case "topic-fanout" -> TopicFanoutBench.run();
            case "digest" -> DigestBench.run();
            default ->
                throw new IllegalArgumentException("unknown benchmark " + which
                        + "; known: ws-fanout, token-routing, gateway-ingest, dispatch-fcm, pipeline-e2e,"
                        + " scheduled-burst, topic-fanout, digest");
        }
        System.exit(0);
    }
}
