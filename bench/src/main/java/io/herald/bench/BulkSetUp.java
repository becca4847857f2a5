package io.herald.bench;

import io.herald.testkit.PostgresServer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import java.util.function.IntFunction;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Issue #25's benchmarks' users, set up in bulk with PostgreSQL's {@code COPY} straight into token-service's tables
 * (registering a million devices over HTTP would take longer than the benchmark): once the services have migrated the
 * schema and before any event is routed, so that no token-service instance has a device list cached for these users
 * ({@link io.herald.token.devices.DeviceCache} loads a user's devices at the first event for the user). Each table is
 * analysed afterwards, as autovacuum would soon do, so that routing's queries are planned for its size.
 */
final class BulkSetUp {

    private static final int CHUNK = 10_000;

    private BulkSetUp() {}

    /**
     * One active FCM device for each user {@code user.apply(0)} ... {@code user.apply(count - 1)}: token {@code
     * fcm-token-<user>}, Android, locale {@code en}, time zone UTC.
     */
    static void fcmDevices(PostgresServer.Database db, int count, IntFunction<String> user) throws SQLException {
        long began = System.nanoTime();
        copy(
                db,
                "copy token.devices (device_id, user_id, provider, token, platform, app_id, locale, time_zone, active,"
                        + " registered_at, last_seen_at) from stdin",
                count,
                i -> {
                    String u = user.apply(i);
                    return new UUID(0x6265_6e63_6800_0000L, i) + "\t" + u + "\tfcm\tfcm-token-" + u
                            + "\tandroid\tdev.herald.app\ten\tUTC\tt\tnow\tnow\n";
                });
        analyze(db, "token.devices");
        System.out.printf("set up: %d FCM devices copied in %.1f s%n", count, (System.nanoTime() - began) / 1e9);
    }

    /** Users {@code user.apply(0)} ... {@code user.apply(count - 1)} subscribed to {@code topic}. */
    static void subscriptions(PostgresServer.Database db, String topic, int count, IntFunction<String> user)
            throws SQLException {
        long began = System.nanoTime();
        copy(
                db,
                "copy token.topic_subscriptions (topic, user_id) from stdin",
                count,
                i -> topic + "\t" + user.apply(i) + "\n");
        analyze(db, "token.topic_subscriptions");
        System.out.printf(
                "set up: %d subscribers of %s copied in %.1f s%n", count, topic, (System.nanoTime() - began) / 1e9);
    }

    private static void copy(PostgresServer.Database db, String sql, int count, IntFunction<String> row)
            throws SQLException {
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.username(), db.password())) {
            CopyIn in = c.unwrap(PGConnection.class).getCopyAPI().copyIn(sql);
            try {
                var chunk = new StringBuilder();
                for (int i = 0; i < count; i++) {
                    chunk.append(row.apply(i));
                    if ((i + 1) % CHUNK == 0 || i == count - 1) {
                        byte[] bytes = chunk.toString().getBytes(StandardCharsets.UTF_8);
                        in.writeToCopy(bytes, 0, bytes.length);
                        chunk.setLength(0);
                    }
                }
                in.endCopy();
            } finally {
                if (in.isActive()) {
                    in.cancelCopy();
                }
            }
        }
    }

    private static void analyze(PostgresServer.Database db, String table) throws SQLException {
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.username(), db.password());
                Statement s = c.createStatement()) {
            s.execute("analyze " + table);
        }
    }
}
