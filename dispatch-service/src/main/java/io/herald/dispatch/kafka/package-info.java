@NullMarked
package io.herald.dispatch.kafka;

import org.jspecify.annotations.NullMarked;
