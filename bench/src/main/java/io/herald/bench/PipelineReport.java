package io.herald.bench;

import java.util.Locale;
import java.util.Map;

/**
 * {@code pipeline-e2e}'s rows in {@code bench/RESULTS.md}: the sustained and the backlog's rate against raw Kafka's,
 * the latencies of each paced phase, the machine's CPU a delivery and the hypervisor's share during the backlog,
 * each service's heap, and each service's cores during the backlog.
 */
final class PipelineReport {

    /** What a run measured. */
    record Figures(
            double sustained,
            double backlog,
            double rawKafka,
            Map<String, Phase> phases,
            double machineMicrosPerDelivery,
            double stolenCores,
            Map<String, Double> heapMegabytes,
            Map<String, Double> coresAtBacklog) {}

    private static final String BENCHMARK = "pipeline-e2e";
    private static final String COMMAND =
            "./mvnw -B -q install -DskipTests && ./mvnw -B -q -f bench/pom.xml compile exec:exec -Dbench=pipeline-e2e";
    private static final String RAW_KAFKA = "raw Kafka records/s";

    private PipelineReport() {}

    static void write(PipelineSettings settings, Figures figures) {
        var results = new Results(settings.root().resolve("RESULTS.md"), COMMAND);
        results.row(BENCHMARK, "deliveries-per-s", figures.sustained(), "deliveries/s", RAW_KAFKA, figures.rawKafka());
        results.row(
                BENCHMARK,
                "backlog-deliveries-per-s",
                figures.backlog(),
                "deliveries/s draining a backlog (the work behind it included)",
                RAW_KAFKA,
                figures.rawKafka());
        figures.phases().forEach((at, phase) -> {
            String rate = String.format(Locale.ROOT, "ms at %.0f deliveries/s", phase.achieved());
            Latencies latencies = phase.paced().latencies();
            results.row(BENCHMARK, "p99-ms-at-" + at + "-rate", latencies.percentileMillis(99), rate, "-", Double.NaN);
            results.row(BENCHMARK, "p50-ms-at-" + at + "-rate", latencies.percentileMillis(50), rate, "-", Double.NaN);
        });
        results.row(
                BENCHMARK,
                "machine-cpu-us-per-delivery",
                figures.machineMicrosPerDelivery(),
                "µs of the machine's CPU a delivery, at the maximum",
                "-",
                Double.NaN);
        // On a shared host the hypervisor may take some of the two cores: a run with a large figure here measured
        // less than the machine could give.
        results.row(
                BENCHMARK,
                "machine-cpu-stolen-cores-at-max",
                figures.stolenCores(),
                "cores taken by the hypervisor during the maximum",
                "-",
                Double.NaN);
        figures.heapMegabytes()
                .forEach((service, heapMb) ->
                        results.row(BENCHMARK, "heap-mb-" + service, heapMb, "MB heap in use", "-", Double.NaN));
        figures.coresAtBacklog()
                .forEach((service, cores) -> results.row(
                        BENCHMARK,
                        "cpu-cores-at-max-" + service,
                        cores,
                        service.equals("rest")
                                ? "cores at the maximum: broker, emulators, PostgreSQL, bench producer"
                                : "cores at the maximum",
                        "-",
                        Double.NaN));
    }
}
