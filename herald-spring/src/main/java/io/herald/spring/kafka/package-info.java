/**
 * How Herald's services use Kafka alike: topics created with the same partitions, replicas and retention, one
 * kind of producer and metered consumer, a dead-letter error handler that puts the reason in {@code herald-dlt-*}
 * headers, and listeners that hold their records through an outage and dead-letter a bad record alone.
 */
@NullMarked
package io.herald.spring.kafka;

import org.jspecify.annotations.NullMarked;
