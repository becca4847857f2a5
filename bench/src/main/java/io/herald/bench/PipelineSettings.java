package io.herald.bench;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@code pipeline-e2e} runs with, from the environment ({@link Env}).
 *
 * @param users {@code BENCH_USERS}: recipients, {@code user-0} on, each with one FCM device (default 3,000)
 * @param events {@code BENCH_EVENTS}: events in the measured backlog, one delivery each (default 40,000); the
 *     raw-Kafka peer moves as many records as the backlog wrote to {@code herald.*} topics
 * @param seconds {@code BENCH_SECONDS}: how long each paced phase publishes (default 20)
 * @param warmUpRounds {@code BENCH_WARMUP_ROUNDS}: the most warm-up backlogs of 10,000 events (default 40; fewer
 *     when the rate levels off and the JIT compilers go quiet)
 * @param pacedWarmUpRounds {@code BENCH_PACED_WARMUP_ROUNDS}: the most 10-second paced warm-up rounds at a quarter
 *     of the backlog's rate (default 20)
 * @param pgStatements {@code BENCH_PG_STATEMENTS}: {@code true} writes the 25 statements that took longest ({@code
 *     pg_stat_statements}, which every run loads to count the statements a delivery costs) and per-table row counts
 *     to {@code $TMPDIR/herald-bench-postgres.txt} at the end (default {@code false})
 * @param serviceArgs {@code BENCH_SERVICE_ARGS}: settings added to every service's command line, for experiments
 *     (e.g. {@code --spring.kafka.producer.properties.linger.ms=0}; default none)
 * @param serviceJvmOptions {@code BENCH_SERVICE_JVM_OPTIONS}: JVM options added to every service (e.g. {@code
 *     -XX:+UseSerialGC}, which then replaces the collector of its image; default none)
 * @param publishDeliveryStatus {@code BENCH_DELIVERY_STATUS_PUBLISH}: dispatch- and ws-fanout-service's {@code
 *     herald.delivery-status.publish} (default {@code false}, production's default)
 * @param floorSeconds {@code BENCH_FLOOR_SECONDS}: how long each of the floor's three measurements runs, after a
 *     warm-up of a third of it ({@link PipelineFloor}; default 5)
 * @param root the {@code bench/} directory ({@code bench.root})
 */
record PipelineSettings(
        int users,
        int events,
        int seconds,
        int warmUpRounds,
        int pacedWarmUpRounds,
        boolean pgStatements,
        List<String> serviceArgs,
        List<String> serviceJvmOptions,
        boolean publishDeliveryStatus,
        int floorSeconds,
        Path root) {

    static PipelineSettings fromEnvironment() {
        return new PipelineSettings(
                Env.integer("BENCH_USERS", 3_000),
                Env.integer("BENCH_EVENTS", 40_000),
                Env.integer("BENCH_SECONDS", 20),
                Env.integer("BENCH_WARMUP_ROUNDS", 40),
                Env.integer("BENCH_PACED_WARMUP_ROUNDS", 20),
                Env.flag("BENCH_PG_STATEMENTS", false),
                Env.words("BENCH_SERVICE_ARGS"),
                Env.words("BENCH_SERVICE_JVM_OPTIONS"),
                Env.flag("BENCH_DELIVERY_STATUS_PUBLISH", false),
                Env.integer("BENCH_FLOOR_SECONDS", 5),
                Env.root());
    }
}
