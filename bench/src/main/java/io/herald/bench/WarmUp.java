package io.herald.bench;

import java.util.function.LongSupplier;

/**
 * Warms what is measured before it is measured: on two shared cores the JIT needs a minute or more of load, and
 * a cold JVM runs at a fraction of its speed. Rounds of load run until two in a row are no more than 5% faster
 * than the best before (and at least {@code minRounds} have run): one slow round on a noisy machine is no sign
 * that the JIT is done.
 */
final class WarmUp {

    /** One round of load; its rate. */
    interface Round {
        double run() throws Exception;
    }

    private WarmUp() {}

    static void rounds(String what, String unit, int minRounds, int maxRounds, Round round) throws Exception {
        rounds(what, unit, minRounds, maxRounds, round, null, 0);
    }

    /**
     * As {@link #rounds(String, String, int, int, Round)}, and also until the JIT compiler threads of the JVMs
     * measured took less than {@code jitCoresLimit} cores during the last round ({@code jitNanos}: their CPU time
     * so far; null for none): the rate of a round can level off for a while with the compilers still taking a
     * share of the two cores that the measured phases would lose.
     */
    static void rounds(
            String what,
            String unit,
            int minRounds,
            int maxRounds,
            Round round,
            LongSupplier jitNanos,
            double jitCoresLimit)
            throws Exception {
        double best = 0;
        int flat = 0;
        for (int n = 1; n <= maxRounds; n++) {
            long jitBefore = jitNanos == null ? 0 : jitNanos.getAsLong();
            long began = System.nanoTime();
            double rate = round.run();
            boolean jitQuiet = true;
            if (jitNanos == null) {
                System.out.printf("warm-up %s round %d: %.0f %s%n", what, n, rate, unit);
            } else {
                double jitCores = (jitNanos.getAsLong() - jitBefore) / (double) (System.nanoTime() - began);
                System.out.printf(
                        "warm-up %s round %d: %.0f %s, JIT compilers %.2f cores%n", what, n, rate, unit, jitCores);
                jitQuiet = jitCores < jitCoresLimit;
            }
            flat = rate < best * 1.05 ? flat + 1 : 0;
            if (n >= minRounds && flat >= 2 && jitQuiet) {
                return;
            }
            best = Math.max(best, rate);
        }
    }
}
