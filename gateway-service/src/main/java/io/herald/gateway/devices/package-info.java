@NullMarked
package io.herald.gateway.devices;

import org.jspecify.annotations.NullMarked;
