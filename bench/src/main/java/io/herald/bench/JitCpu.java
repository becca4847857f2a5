package io.herald.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The CPU time the JIT compiler threads of some processes have used, from {@code /proc/<pid>/task/*}/stat}: on
 * two shared cores the compilers of five JVMs take a large share of the machine for minutes (a third of it in
 * the first two minutes of pipeline-e2e), so a benchmark waits for them to go quiet before it measures. Zero
 * where {@code /proc} cannot be read.
 */
final class JitCpu {

    private static final double NANOS_PER_TICK = 1e9 / MachineCpu.TICKS_PER_SECOND;

    private JitCpu() {}

    /** CPU time of the C1 and C2 compiler threads of {@code pids} so far, in ns. */
    static long nanos(List<Long> pids) {
        long ticks = 0;
        for (long pid : pids) {
            try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
                for (Path task : tasks.toList()) {
                    ticks += compilerTicks(task.resolve("stat"));
                }
            } catch (IOException | RuntimeException e) {
                // the process is gone, or this is not Linux: nothing to add
            }
        }
        return (long) (ticks * NANOS_PER_TICK);
    }

    private static long compilerTicks(Path stat) {
        try {
            String line = Files.readString(stat);
            String name = line.substring(line.indexOf('(') + 1, line.lastIndexOf(')'));
            if (!name.startsWith("C1 CompilerThre") && !name.startsWith("C2 CompilerThre")) {
                return 0;
            }
            // After the name: state, ppid, ... utime is the 14th field of the line, stime the 15th.
            String[] fields = line.substring(line.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        } catch (IOException | RuntimeException e) {
            return 0; // the thread ended meanwhile
        }
    }
}
