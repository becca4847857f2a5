@NullMarked
package io.herald.gateway.problems;

import org.jspecify.annotations.NullMarked;
