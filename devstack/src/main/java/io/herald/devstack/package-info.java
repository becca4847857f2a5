@NullMarked
package io.herald.devstack;

import org.jspecify.annotations.NullMarked;
