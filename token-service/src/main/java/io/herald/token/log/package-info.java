@NullMarked
package io.herald.token.log;

import org.jspecify.annotations.NullMarked;
