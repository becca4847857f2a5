package io.herald.ops;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * {@code herald-ops}, the operator's command line ({@code java -jar herald-ops.jar ...}; in each service's image,
 * {@code /opt/herald/herald-ops.jar} and the command {@code herald-ops}; docs/herald-ops.md):
 *
 * <pre>
 * herald-ops dlt list   --topic DLT [--reason CODE] [--key KEY] [--bootstrap HOST:PORT]
 * herald-ops dlt replay --topic DLT [--reason CODE] [--key KEY] [--to TOPIC] [--dry-run] [--bootstrap HOST:PORT]
 * </pre>
 *
 * DLT is a dead-letter topic: its name ends in {@code -dlt}.
 *
 * {@code --bootstrap} defaults to {@code $HERALD_KAFKA_BOOTSTRAP_SERVERS}, else {@code localhost:9092}. Exit status:
 * 0 done, 1 failed (the broker or the topic not there, say; the reason on stderr), 2 not understood (the usage on
 * stderr). See {@link DeadLetterTool} for what the commands do.
 */
public final class HeraldOps {

    static final String USAGE = """
            usage: herald-ops dlt list   --topic DLT [--reason CODE] [--key KEY] [--bootstrap HOST:PORT]
                   herald-ops dlt replay --topic DLT [--reason CODE] [--key KEY] [--to TOPIC] [--dry-run]
                                         [--bootstrap HOST:PORT]

              dlt list     prints each record of the dead-letter topic DLT (a name ending in -dlt): partition/offset,
                           time, reason code, key, reason, original topic, service (never the value)
              dlt replay   publishes those records again onto their original topic (or onto TOPIC): same key and
                           value, with a herald-replayed-from header; replaying a record twice is harmless
              --reason     only the records with this reason code (herald-dlt-reason-code)
              --key        only the records with this key
              --dry-run    prints what replay would publish, and where, without publishing

              Both read DLT from its beginning to its end as it is when they start.
              --bootstrap  the Kafka cluster; default $HERALD_KAFKA_BOOTSTRAP_SERVERS, else localhost:9092
            """;

    /** A command of the line: what to do on which topic. */
    record Invocation(
            boolean replay,
            String topic,
            DeadLetterTool.Selection selection,
            @Nullable String to,
            boolean dryRun,
            String bootstrap) {}

    /** The command line was not understood. */
    static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }

    private HeraldOps() {}

    public static void main(String[] args) {
        int status = run(args, System.getenv("HERALD_KAFKA_BOOTSTRAP_SERVERS"), System.out, System.err);
        System.exit(status);
    }

    /**
     * Runs the command of {@code args}, with {@code environmentBootstrap} as {@code $HERALD_KAFKA_BOOTSTRAP_SERVERS};
     * returns the exit status.
     */
    static int run(String[] args, @Nullable String environmentBootstrap, PrintStream out, PrintStream err) {
        if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
            out.print(USAGE);
            return 0;
        }
        Invocation invocation;
        try {
            invocation = parse(args, environmentBootstrap);
        } catch (UsageException e) {
            err.println("herald-ops: " + e.getMessage());
            err.print(USAGE);
            return 2;
        }
        var tool = new DeadLetterTool(invocation.bootstrap(), out);
        try {
            if (invocation.replay()) {
                tool.replay(invocation.topic(), invocation.selection(), invocation.to(), invocation.dryRun());
            } else {
                tool.list(invocation.topic(), invocation.selection());
            }
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("herald-ops: interrupted");
            return 1;
        } catch (Exception e) {
            err.println("herald-ops: " + (e.getCause() != null ? e.getCause() : e));
            return 1;
        }
    }

    /** The command of {@code args} ({@code --name value} or {@code --name=value}; {@code --dry-run} alone). */
    static Invocation parse(String[] args, @Nullable String environmentBootstrap) throws UsageException {
        if (args.length < 2 || !args[0].equals("dlt")) {
            throw new UsageException(args.length == 0 ? "no command" : "unknown command: " + String.join(" ", args));
        }
        boolean replay = switch (args[1]) {
            case "list" -> false;
            case "replay" -> true;
            default -> throw new UsageException("unknown command: dlt " + args[1]);
        };
        Set<String> known = replay
                ? Set.of("--topic", "--reason", "--key", "--to", "--dry-run", "--bootstrap")
                : Set.of("--topic", "--reason", "--key", "--bootstrap");
        String topic = null;
        String reason = null;
        String key = null;
        String to = null;
        boolean dryRun = false;
        String bootstrap = null;
        List<String> rest = new ArrayList<>(List.of(args).subList(2, args.length));
        while (!rest.isEmpty()) {
            String name = rest.removeFirst();
            if (name.equals("--dry-run") && known.contains(name)) {
                dryRun = true;
                continue;
            }
            String value;
            int equals = name.indexOf('=');
            if (equals > 0) {
                value = name.substring(equals + 1);
                name = name.substring(0, equals);
            } else if (!rest.isEmpty() && !rest.getFirst().startsWith("--")) {
                value = rest.removeFirst();
            } else {
                throw new UsageException(known.contains(name) ? name + " needs a value" : "unknown option: " + name);
            }
            if (!known.contains(name)) {
                throw new UsageException("unknown option for dlt " + args[1] + ": " + name);
            }
            if (value.isBlank()) {
                throw new UsageException(name + " needs a value");
            }
            switch (name) {
                case "--topic" -> topic = value;
                case "--reason" -> reason = value;
                case "--key" -> key = value;
                case "--to" -> to = value;
                case "--bootstrap" -> bootstrap = value;
                default -> throw new UsageException(name + " takes no value");
            }
        }
        if (topic == null) {
            throw new UsageException("dlt " + args[1] + " needs --topic");
        }
        if (!topic.endsWith("-dlt")) {
            throw new UsageException("--topic " + topic + " is not a dead-letter topic (its name ends in -dlt)");
        }
        if (bootstrap == null) {
            bootstrap = environmentBootstrap == null || environmentBootstrap.isBlank()
                    ? "localhost:9092"
                    : environmentBootstrap;
        }
        return new Invocation(replay, topic, new DeadLetterTool.Selection(reason, key), to, dryRun, bootstrap);
    }
}
