/**
 * herald-ops, the operator's command line ({@link io.herald.ops.HeraldOps}; docs/herald-ops.md): plain Kafka clients
 * and the event contract, no Spring. It ships as a runnable jar, also in each service's image
 * ({@code /opt/herald/herald-ops.jar}, with a {@code herald-ops} command).
 */
@NullMarked
package io.herald.ops;

import org.jspecify.annotations.NullMarked;
