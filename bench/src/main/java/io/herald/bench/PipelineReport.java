package io.herald.bench;

import java.util.Locale;
import java.util.Map;

/**
 * {@code pipeline-e2e}'s rows in {@code bench/RESULTS.md}: the sustained and the backlog's rate against raw Kafka's
 * (their unit states PostgreSQL's durability, {@link BenchPostgres#DURABLE}), the latencies of each paced phase, the
 * machine's CPU a delivery and the hypervisor's share during the backlog, each service's heap, each service's cores
 * during the backlog, the work a delivery cost ({@link PipelineWork}): Kafka records, PostgreSQL statements, rows
 * written and commits, FCM requests, during the backlog and paced at the sustained rate; and the machine's CPU a
 * delivery at the sustained rate against the floor ({@link PipelineFloor}), with the floor's three parts.
 *
 * <p>A delivery (issue #26): one recipient of an event with one FCM device, in-app too, so one push and one in-app
 * notification; every unit that counts deliveries says so ({@link #DELIVERY}). Until 2026-12-07 the bench's
 * recipients had one to three devices (FCM, Expo, APNs) and a "delivery" was a push, two an event on average.
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
            Map<String, Double> coresAtBacklog,
            PipelineWork.Work workAtBacklog,
            PipelineWork.Work workAtSustained,
            double machineMicrosAtSustained,
            PipelineFloor.Floor floor) {}

    private static final String BENCHMARK = "pipeline-e2e";
    private static final String COMMAND =
            "./mvnw -B -q install -DskipTests && ./mvnw -B -q -f bench/pom.xml compile exec:exec -Dbench=pipeline-e2e";
    private static final String RAW_KAFKA = "raw Kafka records/s";

    /** What the rows count as a delivery. */
    static final String DELIVERY = "a delivery: one recipient with one FCM device, its push and its in-app copy";

    private PipelineReport() {}

    static void write(PipelineSettings settings, Figures figures) {
        var results = new Results(settings.root().resolve("RESULTS.md"), COMMAND);
        results.row(
                BENCHMARK,
                "deliveries-per-s",
                figures.sustained(),
                "deliveries/s (" + DELIVERY + "); " + BenchPostgres.DURABLE,
                RAW_KAFKA,
                figures.rawKafka());
        results.row(
                BENCHMARK,
                "backlog-deliveries-per-s",
                figures.backlog(),
                "deliveries/s (" + DELIVERY + ") draining a backlog (the work behind it included); "
                        + BenchPostgres.DURABLE,
                RAW_KAFKA,
                figures.rawKafka());
        figures.phases().forEach((at, phase) -> {
            String rate = String.format(
                    Locale.ROOT,
                    "ms from publish to the push at the FCM emulator, at %.0f deliveries/s (one push each)",
                    phase.achieved());
            Latencies latencies = phase.paced().latencies();
            results.row(BENCHMARK, "p99-ms-at-" + at + "-rate", latencies.percentileMillis(99), rate, "-", Double.NaN);
            results.row(BENCHMARK, "p50-ms-at-" + at + "-rate", latencies.percentileMillis(50), rate, "-", Double.NaN);
        });
        results.row(
                BENCHMARK,
                "machine-cpu-us-per-delivery",
                figures.machineMicrosPerDelivery(),
                "µs of the machine's CPU a delivery (push and in-app), draining the backlog",
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
        work(results, "", "during the backlog", figures.workAtBacklog());
        work(results, "-at-full-rate", "paced at the sustained rate", figures.workAtSustained());
        floor(results, figures);
    }

    /** The machine's CPU a delivery at the sustained rate against the floor, and the floor's parts. */
    private static void floor(Results results, Figures figures) {
        PipelineFloor.Floor floor = figures.floor();
        PipelineWork.Work work = figures.workAtSustained();
        double floorPerDelivery = floor.microsPerDelivery(work);
        results.row(
                BENCHMARK,
                "machine-us-per-delivery",
                figures.machineMicrosAtSustained(),
                "µs of the machine's CPU (/proc/stat) a delivery (push and in-app), paced at the sustained rate until"
                        + " the work behind it caught up; ratio: to the floor",
                "floor-us-per-delivery",
                floorPerDelivery);
        results.row(
                BENCHMARK,
                "floor-us-per-delivery",
                floorPerDelivery,
                String.format(
                        Locale.ROOT,
                        "µs of the machine's CPU a delivery at least, bare loops in the same run: %.2f Kafka records"
                                + " × floor-kafka-us-per-record + %.2f PostgreSQL rows × floor-pg-us-per-row + %.2f"
                                + " FCM requests × floor-fcm-us-per-request (counts paced at the sustained rate)",
                        work.recordsPerDelivery(),
                        work.rowsPerDelivery(),
                        work.fcmRequestsPerDelivery()),
                "-",
                Double.NaN);
        results.row(
                BENCHMARK,
                "floor-kafka-us-per-record",
                floor.kafkaMicrosPerRecord(),
                "µs of the machine's CPU a record produced (acks=all) and consumed on the same broker, copies of the"
                        + " pipeline's records",
                "-",
                Double.NaN);
        results.row(
                BENCHMARK,
                "floor-pg-us-per-row",
                floor.pgMicrosPerRow(),
                "µs of the machine's CPU a row, dispatch.deliveries and inbox.notifications rows copied in the"
                        + " services' batch sizes, a commit a batch; " + BenchPostgres.DURABLE,
                "-",
                Double.NaN);
        results.row(
                BENCHMARK,
                "floor-fcm-us-per-request",
                floor.fcmMicrosPerRequest(),
                "µs of the machine's CPU a request to the FCM emulator, Herald's HTTP/2 client in a bare loop",
                "-",
                Double.NaN);
    }

    /** The work a delivery cost in a phase, counted ({@link PipelineWork}); {@code suffix} names the phase. */
    private static void work(Results results, String suffix, String during, PipelineWork.Work work) {
        results.row(
                BENCHMARK,
                "kafka-records-per-delivery" + suffix,
                work.recordsPerDelivery(),
                "records written to herald.* topics a delivery (end offsets; " + DELIVERY + "), " + during,
                "-",
                Double.NaN);
        results.row(
                BENCHMARK,
                "pg-statements-per-delivery" + suffix,
                work.statementsPerDelivery(),
                "statements a delivery (pg_stat_statements calls; transaction control, SET, SHOW apart), " + during,
                "-",
                Double.NaN);
        results.row(
                BENCHMARK,
                "pg-rows-per-delivery" + suffix,
                work.rowsPerDelivery(),
                "rows inserted, updated or deleted a delivery (pg_stat_user_tables), " + during,
                "-",
                Double.NaN);
        results.row(
                BENCHMARK,
                "pg-commits-per-delivery" + suffix,
                work.commitsPerDelivery(),
                "transactions committed a delivery (pg_stat_database xact_commit), " + during,
                "-",
                Double.NaN);
        results.row(
                BENCHMARK,
                "fcm-requests-per-delivery" + suffix,
                work.fcmRequestsPerDelivery(),
                "requests the FCM emulator had a delivery, " + during,
                "-",
                Double.NaN);
    }
}
