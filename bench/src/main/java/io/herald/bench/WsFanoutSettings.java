package io.herald.bench;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * What {@code ws-fanout} runs with, from the environment ({@link Env}).
 *
 * @param connections {@code BENCH_CONNECTIONS}: the authenticated WebSockets opened to each target (default 10,000)
 * @param rates {@code BENCH_RATES}: the notification rates of the measured steps, per second, in order, comma
 *     separated (default 1,000, 2,000, 5,000, 7,500, then every 1,000 from 10,000 to 20,000, 25,000, 30,000,
 *     40,000); the steps stop at the first one a target does not keep
 * @param stepSeconds {@code BENCH_STEP_SECONDS}: how long each step publishes (default 5)
 * @param latencyRate {@code BENCH_LATENCY_RATE}: the rate of the warm-up and of the {@code p99-ms} rows; one of
 *     {@code rates} (default 2,000)
 * @param warmUpSeconds {@code BENCH_WARMUP_SECONDS}: how long each target is warmed at {@code latencyRate} before
 *     the steps, not recorded (default 60)
 * @param targets {@code BENCH_TARGETS}: which targets to measure, of {@code herald}, {@code herald-live} and {@code
 *     socket.io} (default all three); naming fewer measures those alone and writes no rows
 * @param maxP99Millis {@code BENCH_MAX_P99_MS}: a step whose p99 is this or more is not kept (default 1,000)
 * @param nodeJvmOptions {@code BENCH_NODE_JVM_OPTIONS}: options added to the ws-fanout node's JVM, for experiments
 *     (e.g. {@code -XX:StartFlightRecording=...}; default none)
 * @param root the {@code bench/} directory ({@code bench.root})
 */
record WsFanoutSettings(
        int connections,
        int[] rates,
        int stepSeconds,
        int latencyRate,
        int warmUpSeconds,
        List<String> targets,
        double maxP99Millis,
        List<String> nodeJvmOptions,
        Path root) {

    static WsFanoutSettings fromEnvironment() {
        return new WsFanoutSettings(
                Env.integer("BENCH_CONNECTIONS", 10_000),
                Arrays.stream(Env.setting(
                                        "BENCH_RATES",
                                        "1000,2000,5000,7500,10000,11000,12000,13000,14000,15000,16000,17000,18000,"
                                                + "19000,20000,25000,30000,40000")
                                .split(","))
                        .mapToInt(Integer::parseInt)
                        .toArray(),
                Env.integer("BENCH_STEP_SECONDS", 5),
                Env.integer("BENCH_LATENCY_RATE", 2_000),
                Env.integer("BENCH_WARMUP_SECONDS", 60),
                List.of(Env.setting("BENCH_TARGETS", "herald,herald-live,socket.io")
                        .split(",")),
                Double.parseDouble(Env.setting("BENCH_MAX_P99_MS", "1000")),
                Env.words("BENCH_NODE_JVM_OPTIONS"),
                Env.root());
    }

    /** Warm-up steps at the latency rate: enough to fill {@link #warmUpSeconds}, at least one. */
    int warmUpSteps() {
        return Math.max(1, (warmUpSeconds + stepSeconds - 1) / stepSeconds);
    }
}
