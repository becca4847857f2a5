@NullMarked
package io.herald.dispatch;

import org.jspecify.annotations.NullMarked;
