/**
 * Real infrastructure for Herald's tests and dev stack, from Maven Central jars only: a Kafka broker in
 * process (KRaft), an embedded PostgreSQL server, and emulators of the push providers. Nothing here needs
 * Docker.
 */
@NullMarked
package io.herald.testkit;

import org.jspecify.annotations.NullMarked;
