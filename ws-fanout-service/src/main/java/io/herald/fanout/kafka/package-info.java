@NullMarked
package io.herald.fanout.kafka;

import org.jspecify.annotations.NullMarked;
