@NullMarked
package io.herald.dispatch.delivery;

import org.jspecify.annotations.NullMarked;
