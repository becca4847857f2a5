@NullMarked
package io.herald.token.routing;

import org.jspecify.annotations.NullMarked;
