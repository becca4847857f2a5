package io.herald.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.ops.DeadLetterTool.Selection;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HeraldOpsTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return HeraldOps.run(
                args,
                null,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void listAndReplayTakeTheTopicAReasonAndTheBootstrapServers() throws Exception {
        assertThat(HeraldOps.parse(new String[] {"dlt", "list", "--topic", "herald.push.v1-dlt"}, null))
                .isEqualTo(new HeraldOps.Invocation(
                        false, "herald.push.v1-dlt", Selection.ALL, null, false, "localhost:9092"));
        assertThat(HeraldOps.parse(
                        new String[] {
                            "dlt",
                            "replay",
                            "--reason",
                            "retries-exhausted",
                            "--topic=herald.push.v1-dlt",
                            "--bootstrap",
                            "kafka:9092"
                        },
                        "ignored:9092"))
                .isEqualTo(new HeraldOps.Invocation(
                        true,
                        "herald.push.v1-dlt",
                        new Selection("retries-exhausted", null),
                        null,
                        false,
                        "kafka:9092"));
        assertThat(HeraldOps.parse(
                        new String[] {
                            "dlt", "replay", "--topic", "a-dlt", "--key", "ana", "--to", "a-replayed", "--dry-run"
                        },
                        "kafka:9092"))
                .isEqualTo(new HeraldOps.Invocation(
                        true, "a-dlt", new Selection(null, "ana"), "a-replayed", true, "kafka:9092"));
    }

    @Test
    void theBootstrapServersDefaultToTheEnvironmentThenLocalhost() throws Exception {
        String[] args = {"dlt", "list", "--topic", "t-dlt"};
        assertThat(HeraldOps.parse(args, "kafka:9092").bootstrap()).isEqualTo("kafka:9092");
        assertThat(HeraldOps.parse(args, " ").bootstrap()).isEqualTo("localhost:9092");
        assertThat(HeraldOps.parse(args, null).bootstrap()).isEqualTo("localhost:9092");
    }

    @Test
    void aCommandLineNotUnderstoodIsRefusedWithTheUsageAndStatus2() {
        assertThat(run()).isEqualTo(2);
        assertThat(run("dlt", "purge", "--topic", "t-dlt")).isEqualTo(2);
        assertThat(run("dlt", "list")).isEqualTo(2);
        assertThat(run("dlt", "list", "--topic")).isEqualTo(2);
        assertThat(run("dlt", "list", "--topic", "t-dlt", "--to", "t")).isEqualTo(2);
        assertThat(run("list", "herald.push.v1-dlt")).isEqualTo(2);
        assertThat(run("dlt", "replay", "--topic", "herald.push.v1")).isEqualTo(2);
        assertThat(run("dlt", "list", "--topic", "t-dlt", "--dry-run")).isEqualTo(2);
        assertThat(run("dlt", "replay", "--topic", "t-dlt", "--dry-run=yes")).isEqualTo(2);

        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("herald-ops: no command")
                .contains("herald-ops: unknown command: dlt purge")
                .contains("herald-ops: dlt list needs --topic")
                .contains("herald-ops: --topic needs a value")
                .contains("herald-ops: unknown option for dlt list: --to")
                .contains("herald-ops: --topic herald.push.v1 is not a dead-letter topic (its name ends in -dlt)")
                .contains("herald-ops: unknown option: --dry-run")
                .contains("herald-ops: --dry-run takes no value")
                .contains("usage: herald-ops dlt list");
    }

    @Test
    void anOptionWithoutItsValueIsNotTakenForTheNextOption() {
        assertThatThrownBy(() -> HeraldOps.parse(new String[] {"dlt", "list", "--reason", "--topic", "t-dlt"}, null))
                .isInstanceOf(HeraldOps.UsageException.class)
                .hasMessage("--reason needs a value");
    }

    @Test
    void helpPrintsTheUsage() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("herald-ops dlt list   --topic DLT [--reason CODE] [--key KEY] [--bootstrap HOST:PORT]")
                .contains("herald-ops dlt replay --topic DLT [--reason CODE] [--key KEY] [--to TOPIC] [--dry-run]");
    }
}
