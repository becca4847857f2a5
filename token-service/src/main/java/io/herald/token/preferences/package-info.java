@NullMarked
package io.herald.token.preferences;

import org.jspecify.annotations.NullMarked;
