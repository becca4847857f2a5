package io.herald.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What {@code pipeline-e2e}'s service JVMs used: CPU between two readings, heap at the end. */
final class ServiceUsage {

    private ServiceUsage() {}

    /** Each service's CPU time so far, in ns. */
    static Map<String, Long> cpuNanos(List<PipelineStack.Service> services) {
        Map<String, Long> cpu = new LinkedHashMap<>();
        for (PipelineStack.Service service : services) {
            cpu.put(
                    service.name(),
                    service.process()
                            .info()
                            .totalCpuDuration()
                            .orElse(Duration.ZERO)
                            .toNanos());
        }
        return cpu;
    }

    /**
     * Each service's share of the two cores between two readings, and {@code rest}: the broker, the emulators,
     * PostgreSQL and the bench's producer (and, paced, its probe).
     */
    static Map<String, Double> cores(
            MachineCpu machineBefore,
            Map<String, Long> servicesBefore,
            MachineCpu machineAfter,
            Map<String, Long> servicesAfter) {
        double seconds = (machineAfter.nanos() - machineBefore.nanos()) / 1e9;
        Map<String, Double> cores = new LinkedHashMap<>();
        servicesBefore.forEach(
                (service, before) -> cores.put(service, (servicesAfter.get(service) - before) / 1e9 / seconds));
        cores.put(
                "rest",
                machineAfter.busyCoresSince(machineBefore)
                        - cores.values().stream()
                                .mapToDouble(Double::doubleValue)
                                .sum());
        return cores;
    }

    /**
     * Per service: heap in use (MB, from its Prometheus endpoint). Each one's Prometheus text is kept in {@code
     * $TMPDIR/herald-bench-<service>.prom} for a closer look (listener and provider timers, lag): where the time
     * went.
     */
    static Map<String, Double> heapMegabytes(List<PipelineStack.Service> services)
            throws IOException, InterruptedException {
        Map<String, Double> usage = new LinkedHashMap<>();
        for (PipelineStack.Service service : services) {
            String metrics = LocalHttp.get("http://127.0.0.1:" + service.port() + "/actuator/prometheus");
            Files.writeString(
                    Path.of(System.getProperty("java.io.tmpdir"), "herald-bench-" + service.name() + ".prom"), metrics);
            usage.put(service.name(), sum(metrics, "jvm_memory_used_bytes{", "area=\"heap\"") / 1e6);
        }
        return usage;
    }

    /** The sum of a Prometheus text's samples whose line starts with {@code metric} and contains {@code label}. */
    private static double sum(String metrics, String metric, String label) {
        return metrics.lines()
                .filter(l -> l.startsWith(metric) && l.contains(label))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }
}
