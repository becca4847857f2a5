/** Users' subscriptions to topics, and the internal API the gateway manages them through. */
@NullMarked
package io.herald.token.topics;

import org.jspecify.annotations.NullMarked;
