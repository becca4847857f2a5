/** How Herald checks users' JWTs, the same on the gateway's HTTP API and on ws-fanout's WebSocket. */
@NullMarked
package io.herald.spring.jwt;

import org.jspecify.annotations.NullMarked;
