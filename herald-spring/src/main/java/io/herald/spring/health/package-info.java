/** {@code kafka} in every service's {@code /actuator/health} and readiness group. */
@NullMarked
package io.herald.spring.health;

import org.jspecify.annotations.NullMarked;
