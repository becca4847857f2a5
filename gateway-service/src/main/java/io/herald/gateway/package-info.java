@NullMarked
package io.herald.gateway;

import org.jspecify.annotations.NullMarked;
