@NullMarked
package io.herald.fanout.ws;

import org.jspecify.annotations.NullMarked;
