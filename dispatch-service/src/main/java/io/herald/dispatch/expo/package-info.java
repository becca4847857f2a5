@NullMarked
package io.herald.dispatch.expo;

import org.jspecify.annotations.NullMarked;
