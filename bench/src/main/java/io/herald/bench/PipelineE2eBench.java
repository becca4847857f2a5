package io.herald.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Benchmark {@code pipeline-e2e}: the whole of Herald on this machine ({@link PipelineStack}). Each recipient has
 * one FCM device. Events go straight onto {@code herald.events.v1}, as an upstream app would publish them, each
 * carrying its publish time in its data ({@link PipelineEvents}); the emulator records when each push arrives, so
 * the latency is publish to provider.
 *
 * <p>First the pipeline is warmed, then loaded with a backlog (timed to the end of the work the deliveries leave
 * behind them, notifications stored and any statuses logged, not only to the last push). A backlog is drained in
 * large polls, cheaper a delivery than paced traffic, so its rate is an upper bound: the sustained rate is the
 * highest pace, from the backlog's rate down in tenths, that the pipeline keeps up with ({@link Phase#keptUp()};
 * that phase gives the full-rate latencies); then paced at 25% and 50% of it. In the same run, raw Kafka on the same
 * broker ({@link RawKafkaRoundTrip}): as many records as the backlog wrote, each of an event's size, produced and
 * consumed, the ceiling the machine sets. Rows: {@link PipelineReport}.
 *
 * <p>A delivery is one as issue #26 defines it: one recipient of an event, with one FCM device, in-app too (a push
 * and an in-app notification); every recipient here has one FCM device, so an event makes one delivery. After the
 * pipeline's phases, with the services stopped, the floor ({@link PipelineFloor}): what the sustained phase's
 * records, rows and FCM requests a delivery cost at least on this machine, each measured by a bare loop, against
 * the machine's CPU a delivery at the sustained rate.
 *
 * <p>PostgreSQL runs with production durability ({@link BenchPostgres}), checked with {@code SHOW} before anything
 * is measured and again before any row is written. The records, statements, rows and commits a delivery costs are
 * counted during the backlog and during each phase looking for the sustained rate ({@link PipelineWork}).
 */
final class PipelineE2eBench {

    private PipelineE2eBench() {}

    static void run(PipelineSettings settings) throws Exception {
        try (var stack = PipelineStack.start(settings)) {
            stack.registerDevices(settings.users());
            BenchPostgres.checkDurable(stack.db(), "at the start");
            var props = new Properties();
            props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
            props.put(ProducerConfig.LINGER_MS_CONFIG, 2);
            try (var producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
                    var bookkeeping = new Bookkeeping(stack.bootstrapServers());
                    var work = new PipelineWork(
                            stack.bootstrapServers(),
                            stack.db(),
                            () -> stack.emulators().fcm().requestCount())) {
                var events = new PipelineEvents(settings.users());
                var pacer = new PipelinePacer(producer, stack.emulators(), events, stack.bootstrapServers());
                PipelineReport.Figures figures = measure(settings, stack, pacer, events, bookkeeping, work);
                // A run that did not keep production durability to its end writes no rows.
                BenchPostgres.checkDurable(stack.db(), "at the end");
                PipelineReport.write(settings, figures);
            }
        }
    }

    private static PipelineReport.Figures measure(
            PipelineSettings settings,
            PipelineStack stack,
            PipelinePacer pacer,
            PipelineEvents events,
            Bookkeeping bookkeeping,
            PipelineWork work)
            throws Exception {
        List<PipelineStack.Service> services = stack.services();
        // Warm-up: backlogs of 10,000 events, until the rate levels off and the JIT compilers of the five JVMs (the
        // bench's holds the broker and the emulators) take under a tenth of a core.
        List<Long> jvms = stack.jvms();
        WarmUp.rounds(
                "pipeline",
                "deliveries/s",
                2,
                settings.warmUpRounds(),
                () -> {
                    PipelinePacer.Backlog round = pacer.backlog(10_000, bookkeeping);
                    System.out.println("  " + round.describe());
                    return round.rate();
                },
                () -> JitCpu.nanos(jvms),
                0.1);

        // The maximum: one backlog, with what each service and the machine spent on it, and the records, statements
        // and rows its deliveries cost (counted outside the CPU's window: a count waits a second first).
        PipelineWork.Count workBefore = work.count();
        MachineCpu machineBefore = MachineCpu.now();
        Map<String, Long> servicesBefore = ServiceUsage.cpuNanos(services);
        long firstEvent = events.position();
        PipelinePacer.Backlog backlog = pacer.backlog(settings.events(), bookkeeping);
        double max = backlog.rate();
        MachineCpu machineAfter = MachineCpu.now();
        Map<String, Long> servicesAfter = ServiceUsage.cpuNanos(services);
        long maxDeliveries = events.deliveries(firstEvent, events.position() - firstEvent);
        PipelineWork.Work workAtMax = work.count().since(workBefore, maxDeliveries, events.position() - firstEvent);
        System.out.printf(
                "maximum: %.0f deliveries/s (%d events as one backlog; %s); %s%n",
                max,
                settings.events(),
                backlog.describe(),
                machineAfter.describeSince(machineBefore, maxDeliveries, "delivery"));
        Map<String, Double> coresAtMax = ServiceUsage.cores(machineBefore, servicesBefore, machineAfter, servicesAfter);
        System.out.println("cores during the backlog: " + coresAtMax);
        System.out.println("work during the backlog: " + workAtMax.describe());

        // The paced path warmed before it is measured: the probe reading herald.push.v1 is new code to the bench's
        // JIT (cold, the bench's compiler threads took half a core during the first paced phase). After the maximum,
        // which it would disturb in the same way. Not a figure. Paced traffic takes other paths (small polls,
        // timers) and the five JVMs compile again, still 0.2-0.3 cores after a minute of it: so until they are
        // quiet, as above, or BENCH_PACED_WARMUP_ROUNDS rounds.
        WarmUp.rounds(
                "paced",
                "deliveries/s",
                1,
                settings.pacedWarmUpRounds(),
                () -> {
                    long began = System.nanoTime();
                    long count = pacer.paced(max / 4, 10).count();
                    return count / ((System.nanoTime() - began) / 1e9);
                },
                () -> JitCpu.nanos(jvms),
                0.1);
        Latencies idle = pacer.oneAtATime(50);
        System.out.printf(
                "one event at a time: p50 %.1f ms, p99 %.1f ms%n",
                idle.percentileMillis(50), idle.percentileMillis(99));

        // The sustainable rate: a backlog is drained in large polls, and paced traffic (smaller polls, each paying
        // for its statements and acknowledgements) costs more a delivery, so the backlog's rate is not one the
        // pipeline keeps up with. Paced from it down in tenths until a phase keeps up: delivered at 95% of the pace
        // or better (the drain after it included) with p99 under a second.
        // Each phase's work counted from the end of the last one's (caught up) to the end of its own.
        // The machine's CPU a delivery over the same window, the phase and the work behind it (inbox, statuses),
        // until caught up: machine-us-per-delivery, against the floor.
        Phase full = null;
        PipelineWork.Work workAtFull = null;
        double machineAtFull = Double.NaN;
        bookkeeping.awaitCaughtUp();
        PipelineWork.Count workFrom = work.count();
        for (int tenths = 10; tenths >= 5; tenths--) {
            long phaseFirstEvent = events.position();
            String label = tenths * 10 + "% of the backlog's rate";
            MachineCpu cpuFrom = MachineCpu.now();
            full = phase(label, max * tenths / 10.0, pacer, settings, services);
            bookkeeping.awaitCaughtUp();
            MachineCpu cpuTo = MachineCpu.now();
            long phaseEvents = events.position() - phaseFirstEvent;
            long phaseDeliveries = events.deliveries(phaseFirstEvent, phaseEvents);
            machineAtFull = cpuTo.microsPerUnitSince(cpuFrom, phaseDeliveries);
            PipelineWork.Count workTo = work.count();
            workAtFull = workTo.since(workFrom, phaseDeliveries, phaseEvents);
            workFrom = workTo;
            System.out.printf(
                    "%s, caught up: %s%n",
                    label, cpuTo.describeSince(cpuFrom, phaseDeliveries, "delivery (push and in-app)"));
            System.out.println(label + ", work: " + workAtFull.describe());
            if (full.keptUp()) {
                break;
            }
        }
        double sustained = full.achieved();
        System.out.printf(
                "sustained: %.0f deliveries/s (%.2f of the backlog's %.0f)%s%n",
                sustained,
                sustained / max,
                max,
                full.keptUp() ? "" : "; no phase down to half the backlog's rate kept up");
        Map<String, Phase> phases = new LinkedHashMap<>();
        for (int percent : new int[] {25, 50}) {
            phases.put(
                    percent == 25 ? "quarter" : "half",
                    phase(percent + "% of the sustained rate", sustained * percent / 100.0, pacer, settings, services));
        }
        phases.put("full", full);
        Map<String, Double> heap = ServiceUsage.heapMegabytes(services);
        if (settings.pgStatements()) {
            PostgresStatements.report(stack.db());
        }
        // As many records as the backlog wrote to herald.* topics (at least as many as its deliveries), each the
        // size of an event.
        double raw = RawKafkaRoundTrip.recordsPerSecond(
                stack.kafka(), Math.max(workAtMax.records(), maxDeliveries), events.size());
        System.out.printf("raw Kafka produce and consume: %.0f records/s%n", raw);
        // The floor, with the services stopped: what the sustained phase's records, rows and FCM requests cost at
        // least, each measured by a bare loop on the same broker, database and emulator.
        stack.stopServices();
        PipelineFloor.Floor floor = PipelineFloor.measure(stack, workAtFull, settings.floorSeconds());
        System.out.printf(
                "machine CPU a delivery at the sustained rate: %.0f µs, %.2f of the floor's %.0f µs%n",
                machineAtFull,
                machineAtFull / floor.microsPerDelivery(workAtFull),
                floor.microsPerDelivery(workAtFull));
        return new PipelineReport.Figures(
                sustained,
                max,
                raw,
                phases,
                machineAfter.microsPerUnitSince(machineBefore, maxDeliveries),
                machineAfter.stolenCoresSince(machineBefore),
                heap,
                coresAtMax,
                workAtMax,
                workAtFull,
                machineAtFull,
                floor);
    }

    /** Publishes at {@code target} deliveries a second for the phase's seconds, waits for every push, prints it. */
    private static Phase phase(
            String label,
            double target,
            PipelinePacer pacer,
            PipelineSettings settings,
            List<PipelineStack.Service> services)
            throws Exception {
        long began = System.nanoTime();
        MachineCpu machineFrom = MachineCpu.now();
        Map<String, Long> servicesFrom = ServiceUsage.cpuNanos(services);
        PipelinePacer.Paced paced = pacer.paced(target, settings.seconds());
        MachineCpu machineTo = MachineCpu.now();
        var phase = new Phase(target, paced.count() / ((System.nanoTime() - began) / 1e9), paced);
        // What the same deliveries cost paced, against the backlog's figures.
        System.out.printf(
                "%s: %s; cores: %s%n",
                label,
                machineTo.describeSince(machineFrom, paced.count(), "delivery"),
                ServiceUsage.cores(machineFrom, servicesFrom, machineTo, ServiceUsage.cpuNanos(services)));
        System.out.printf(
                "%s (%.0f deliveries/s offered, %.0f delivered): p50 %.1f ms, p99 %.1f ms; p50 by provider %s;"
                        + " publish to token-service's push record p50 %.1f ms, p99 %.1f ms%s%n",
                label,
                target,
                phase.achieved(),
                paced.latencies().percentileMillis(50),
                paced.latencies().percentileMillis(99),
                paced.medianMsByProvider(),
                paced.routed().percentileMillis(50),
                paced.routed().percentileMillis(99),
                phase.keptUp() ? "" : "; not kept up");
        return phase;
    }
}
