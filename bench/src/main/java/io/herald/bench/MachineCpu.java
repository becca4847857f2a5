package io.herald.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The whole machine's CPU time from {@code /proc/stat}: what every process on it used between two readings (the
 * bench's JVM, PostgreSQL's processes, service JVMs), and the time stolen by the hypervisor. On a saturated
 * machine a rate moves with whatever else the host runs; the CPU time a unit of work costs moves much less, so
 * benchmarks print both. Zeros where {@code /proc/stat} cannot be read.
 */
record MachineCpu(long busyTicks, long stealTicks, long nanos) {

    /** The clock ticks of {@code /proc}'s CPU times (USER_HZ on Linux); {@link JitCpu} reads them too. */
    static final double TICKS_PER_SECOND = 100;

    static MachineCpu now() {
        long nanos = System.nanoTime();
        try {
            String[] f =
                    Files.readAllLines(Path.of("/proc/stat")).getFirst().trim().split("\\s+");
            // cpu user nice system idle iowait irq softirq steal ...
            long busy = Long.parseLong(f[1])
                    + Long.parseLong(f[2])
                    + Long.parseLong(f[3])
                    + Long.parseLong(f[6])
                    + Long.parseLong(f[7]);
            return new MachineCpu(busy, f.length > 8 ? Long.parseLong(f[8]) : 0, nanos);
        } catch (IOException | RuntimeException e) {
            return new MachineCpu(0, 0, nanos);
        }
    }

    /** Busy cores on average since {@code before}. */
    double busyCoresSince(MachineCpu before) {
        return (busyTicks - before.busyTicks) / TICKS_PER_SECOND / ((nanos - before.nanos) / 1e9);
    }

    /** Cores stolen by the hypervisor on average since {@code before}. */
    double stolenCoresSince(MachineCpu before) {
        return (stealTicks - before.stealTicks) / TICKS_PER_SECOND / ((nanos - before.nanos) / 1e9);
    }

    /** Microseconds of the machine's CPU per unit of work done since {@code before}. */
    double microsPerUnitSince(MachineCpu before, long units) {
        return (busyTicks - before.busyTicks) / TICKS_PER_SECOND * 1e6 / units;
    }

    /** One line for the bench's output. */
    String describeSince(MachineCpu before, long units, String unit) {
        return String.format(
                "machine CPU: %.2f cores busy, %.2f stolen, %.0f µs a %s",
                busyCoresSince(before), stolenCoresSince(before), microsPerUnitSince(before, units), unit);
    }
}
