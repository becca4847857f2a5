@NullMarked
package io.herald.fanout.inbox;

import org.jspecify.annotations.NullMarked;
