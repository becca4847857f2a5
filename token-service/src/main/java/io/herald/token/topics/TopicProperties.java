package io.herald.token.topics;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Topics, {@code herald.token.topics.*}: subscriptions and the fan-out of events naming topics.
 *
 * @param maxPerUser {@code max-per-user}: topics one user may be subscribed to; a subscription over it is refused
 *     (409 {@code too-many-subscriptions})
 * @param chunkSize {@code chunk-size}: subscribers per chunk record of the fan-out: one chunk is read and routed as
 *     one batch (a few statements), so this bounds the memory one chunk takes
 * @param planChunks {@code plan-chunks}: chunks one plan record lays out before it hands the rest of the topic to a
 *     continuation record, so that planning a topic of any size takes bounded memory and time per record
 * @param partitions {@code partitions}: partitions of {@code herald.topic-fanout.v1} when token-service creates it;
 *     chunks spread over them, so this bounds how many consumers (over all instances) share one fan-out
 * @param consumers {@code consumers}: consumers of {@code herald.topic-fanout.v1} per instance
 * @param maxPollRecords {@code max-poll-records}: fan-out records one consumer takes per poll (chunks of one poll are
 *     routed together: their device and preference lookups are one statement each)
 */
@ConfigurationProperties("herald.token.topics")
public record TopicProperties(
        @DefaultValue("200") int maxPerUser,
        @DefaultValue("1000") int chunkSize,
        @DefaultValue("100") int planChunks,
        @DefaultValue("6") int partitions,
        @DefaultValue("2") int consumers,
        @DefaultValue("4") int maxPollRecords) {

    public TopicProperties {
        if (maxPerUser < 1 || maxPerUser > 100_000) {
            throw new IllegalArgumentException("herald.token.topics.max-per-user must be between 1 and 100000");
        }
        if (chunkSize < 1 || chunkSize > 10_000) {
            throw new IllegalArgumentException("herald.token.topics.chunk-size must be between 1 and 10000");
        }
        if (planChunks < 1 || planChunks > 10_000) {
            throw new IllegalArgumentException("herald.token.topics.plan-chunks must be between 1 and 10000");
        }
        if (partitions < 1 || consumers < 1) {
            throw new IllegalArgumentException("herald.token.topics.partitions and consumers must be at least 1");
        }
        if (maxPollRecords < 1 || maxPollRecords > 100) {
            throw new IllegalArgumentException("herald.token.topics.max-poll-records must be between 1 and 100");
        }
    }
}
