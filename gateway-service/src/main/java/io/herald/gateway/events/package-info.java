@NullMarked
package io.herald.gateway.events;

import org.jspecify.annotations.NullMarked;
