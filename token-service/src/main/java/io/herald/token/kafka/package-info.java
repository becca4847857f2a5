@NullMarked
package io.herald.token.kafka;

import org.jspecify.annotations.NullMarked;
