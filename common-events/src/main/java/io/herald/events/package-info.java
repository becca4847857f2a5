/**
 * Herald's event contract: the records that travel on Herald's Kafka topics, the topic names, JSON
 * (de)serialisation without Java type headers, the {@code DomainEvent} JSON Schema and the derivation of
 * downstream ids. A plain library with no Spring context, so any JVM producer or consumer can use it.
 */
@NullMarked
package io.herald.events;

import org.jspecify.annotations.NullMarked;
