/** How Herald's topics are created: partitions, replicas and retention, the same in every service. */
@NullMarked
package io.herald.events.kafka;

import org.jspecify.annotations.NullMarked;
