package io.herald.bench;

/** {@code ./mvnw -f bench/pom.xml exec:exec -Dbench=<benchmark>}: runs one benchmark, appends its rows. */
public final class Bench {

    private Bench() {}

    public static void main(String[] args) throws Exception {
        String which = args.length == 0 ? "ws-fanout" : args[0];
        switch (which) {
            case "ws-fanout" -> WsFanoutBench.run(WsFanoutBench.Settings.fromSystemProperties());
            default -> throw new IllegalArgumentException("unknown benchmark " + which + "; known: ws-fanout");
        }
        System.exit(0);
    }
}
