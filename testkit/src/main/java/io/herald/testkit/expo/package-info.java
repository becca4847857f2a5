@NullMarked
package io.herald.testkit.expo;

import org.jspecify.annotations.NullMarked;
