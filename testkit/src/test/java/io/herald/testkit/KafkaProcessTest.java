package io.herald.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(120)
class KafkaProcessTest {

    @Test
    void aBrokerThatDoesNotListenInTimeIsKilledNotLeftRunning() {
        Set<Long> before = liveChildren().stream().map(ProcessHandle::pid).collect(Collectors.toSet());

        assertThatThrownBy(() -> KafkaProcess.start(Duration.ZERO))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("did not listen within");

        assertThat(liveChildren())
                .as("the broker JVM started for the test")
                .filteredOn(child -> !before.contains(child.pid()))
                .isEmpty();
    }

    private static List<ProcessHandle> liveChildren() {
        return ProcessHandle.current().children().filter(ProcessHandle::isAlive).toList();
    }
}
