@NullMarked
package io.herald.token;

import org.jspecify.annotations.NullMarked;
