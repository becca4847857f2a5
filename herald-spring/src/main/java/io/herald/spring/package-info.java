/**
 * Herald's shared Spring plumbing: what every service wires the same way, so each service's own configuration
 * holds only its own choices. Spring Boot switches most of it on by auto-configuration where a service's
 * classpath has what it needs ({@code META-INF/spring/*.imports}): a UTC {@link java.time.Clock} unless the
 * service declares one, topic settings ({@link io.herald.spring.kafka.TopicSettings}), the Kafka health
 * indicator, the request body limit and the internal API credential. What a service chooses to use it calls
 * itself: the Kafka template, consumer factory and dead-letter error handler, the outage handling of its
 * listeners, the user JWT policy and the user-id paths of an internal API.
 *
 * <p>The event contract itself — records, topic names, JSON, the schema — is {@code io.herald.events}, a plain
 * jar with no Spring.
 */
@NullMarked
package io.herald.spring;

import org.jspecify.annotations.NullMarked;
