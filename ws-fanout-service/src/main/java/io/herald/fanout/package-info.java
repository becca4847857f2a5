@NullMarked
package io.herald.fanout;

import org.jspecify.annotations.NullMarked;
