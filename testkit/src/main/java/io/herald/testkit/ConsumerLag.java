package io.herald.testkit;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * How far a consumer group's commits are behind the end of a topic, read with the admin client, as {@code
 * kafka-consumer-groups.sh --describe} shows it: what tests and benchmarks wait on to know the work was done.
 */
public final class ConsumerLag {

    private ConsumerLag() {}

    /** Records of {@code topic} that {@code group} has not committed yet, over all its partitions. */
    public static long of(Admin admin, String group, String topic)
            throws InterruptedException, ExecutionException, TimeoutException {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata()
                .get(1, TimeUnit.MINUTES);
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        Objects.requireNonNull(admin.describeTopics(List.of(topic))
                        .allTopicNames()
                        .get(1, TimeUnit.MINUTES)
                        .get(topic))
                .partitions()
                .forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
        long behind = 0;
        for (var end : admin.listOffsets(latest).all().get(1, TimeUnit.MINUTES).entrySet()) {
            OffsetAndMetadata at = committed.get(end.getKey());
            behind += end.getValue().offset() - (at == null ? 0 : at.offset());
        }
        return behind;
    }
}
