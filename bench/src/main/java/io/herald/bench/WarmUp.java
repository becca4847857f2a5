package io.herald.bench;

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
        double best = 0;
        int flat = 0;
        for (int n = 1; n <= maxRounds; n++) {
            double rate = round.run();
            System.out.printf("warm-up %s round %d: %.0f %s%n", what, n, rate, unit);
            flat = rate < best * 1.05 ? flat + 1 : 0;
            if (n >= minRounds && flat >= 2) {
                return;
            }
            best = Math.max(best, rate);
        }
    }
}
