package io.herald.bench;

import io.herald.testkit.PostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * With {@code BENCH_PG_STATEMENTS=true}: what PostgreSQL spent its time on during {@code pipeline-e2e}, the 25
 * statements that took longest and the rows of each table, into {@code $TMPDIR/herald-bench-postgres.txt}. (The
 * run's figures per delivery are {@link PipelineWork}'s.)
 */
final class PostgresStatements {

    private PostgresStatements() {}

    static void report(PostgresServer.Database db) throws Exception {
        var report = new StringBuilder();
        try (var c = DriverManager.getConnection(db.jdbcUrl(), db.username(), db.password());
                var s = c.createStatement()) {
            s.execute("create extension if not exists pg_stat_statements");
            report.append("total ms | calls | rows | statement\n");
            appendRows(
                    report,
                    s.executeQuery("select round(total_exec_time)::bigint, calls, rows,"
                            + " left(regexp_replace(query, '\\s+', ' ', 'g'), 160) from pg_stat_statements"
                            + " order by total_exec_time desc limit 25"));
            report.append("\ntable | inserted | updated | hot updated | index scans | live rows | dead rows\n");
            appendRows(
                    report,
                    s.executeQuery("select schemaname || '.' || relname, n_tup_ins, n_tup_upd, n_tup_hot_upd,"
                            + " idx_scan, n_live_tup, n_dead_tup from pg_stat_user_tables"
                            + " order by n_tup_ins + n_tup_upd desc"));
        }
        Files.writeString(Path.of(System.getProperty("java.io.tmpdir"), "herald-bench-postgres.txt"), report);
    }

    /** Each row of {@code rows} as a line, its columns separated by {@code |}; closes {@code rows}. */
    private static void appendRows(StringBuilder report, ResultSet rows) throws SQLException {
        try (rows) {
            int columns = rows.getMetaData().getColumnCount();
            while (rows.next()) {
                for (int i = 1; i <= columns; i++) {
                    report.append(i == 1 ? "" : " | ").append(rows.getString(i));
                }
                report.append('\n');
            }
        }
    }
}
