package io.herald.bench;

import io.herald.events.Topics;
import io.herald.testkit.ConsumerLag;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.GroupState;

/**
 * The work a delivery leaves off its path in {@code pipeline-e2e}, which a backlog's rate must include to be one the
 * pipeline can keep up: dispatch-service's statuses (its group commits once they are published), token-service's
 * delivery log of them, ws-fanout's inbox. Caught up when these groups have committed to the end of their topics.
 * ws-fanout commits once a second (and within 1.5 s when idle), so the figure may count up to that much too many.
 */
final class Bookkeeping implements AutoCloseable {

    private static final Map<String, String> GROUPS = Map.of(
            "herald-dispatcher", Topics.PUSH,
            "herald-token-delivery-log", Topics.DELIVERY_STATUS,
            "herald-ws-fanout-service", Topics.INAPP);

    private final Admin admin;

    Bookkeeping(String bootstrapServers) {
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
    }

    /** Records of {@code topic} that {@code group} has not committed yet. */
    long lagOf(String group, String topic) {
        try {
            return ConsumerLag.of(admin, group, topic);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not read the lag of " + group, e);
        }
    }

    /** Records still to be committed, by group. */
    Map<String, Long> lag() {
        Map<String, Long> lag = new LinkedHashMap<>();
        GROUPS.forEach((group, topic) -> lag.put(group, lagOf(group, topic)));
        return lag;
    }

    /**
     * Waits until every group has committed to the end of its topic (five minutes at most); returns, by group, when
     * ({@code System.nanoTime()}) it was first seen caught up, so that the slowest of them shows.
     */
    Map<String, Long> awaitCaughtUp() throws InterruptedException {
        return awaitCaughtUp(Duration.ofMinutes(5));
    }

    /** As {@link #awaitCaughtUp()}, waiting {@code within} at most. */
    Map<String, Long> awaitCaughtUp(Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        Map<String, Long> caughtUp = new TreeMap<>();
        while (true) {
            long now = System.nanoTime();
            lag().forEach((group, behind) -> {
                if (behind > 0) {
                    caughtUp.remove(group);
                } else {
                    caughtUp.putIfAbsent(group, now);
                }
            });
            if (caughtUp.size() == GROUPS.size()) {
                return caughtUp;
            }
            if (now > deadline) {
                throw new IllegalStateException("the statuses and inbox did not catch up within " + within);
            }
            TimeUnit.MILLISECONDS.sleep(50);
        }
    }

    /**
     * Waits until {@code group} is stable with a member (a minute at most): a consumer that just started has joined
     * and been given its partitions, so that a timed phase does not include the join.
     */
    void awaitStable(String group) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (true) {
            try {
                var description = admin.describeConsumerGroups(List.of(group))
                        .describedGroups()
                        .get(group)
                        .get(10, TimeUnit.SECONDS);
                if (description.groupState() == GroupState.STABLE
                        && !description.members().isEmpty()
                        && description.members().stream()
                                .allMatch(m -> !m.assignment().topicPartitions().isEmpty())) {
                    return;
                }
            } catch (ExecutionException | TimeoutException e) {
                // not there yet
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(group + " not stable within a minute");
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
    }

    @Override
    public void close() {
        admin.close();
    }
}
