@NullMarked
package io.herald.token.devices;

import org.jspecify.annotations.NullMarked;
