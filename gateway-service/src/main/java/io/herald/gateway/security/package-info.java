@NullMarked
package io.herald.gateway.security;

import org.jspecify.annotations.NullMarked;
