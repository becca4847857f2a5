@NullMarked
package io.herald.dispatch.ops;

import org.jspecify.annotations.NullMarked;
