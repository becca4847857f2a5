@NullMarked
package io.herald.gateway.dev;

import org.jspecify.annotations.NullMarked;
