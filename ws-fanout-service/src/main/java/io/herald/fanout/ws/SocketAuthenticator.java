package io.herald.fanout.ws;

import io.herald.events.TextRules;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.stereotype.Component;

/**
 * Tells who opens a socket: the subject of a valid JWT taken from, in order, the {@code Authorization: Bearer}
 * header, a {@code bearer.<jwt>} entry of {@code Sec-WebSocket-Protocol} (browsers cannot set headers), or a
 * {@code token} query parameter. The token is never logged. A subject that breaks Herald's rule for text ({@link
 * TextRules}: a control character) authenticates no one.
 */
@Component
class SocketAuthenticator {

    static final String SUBPROTOCOL = "herald.v1";
    static final String BEARER_SUBPROTOCOL_PREFIX = "bearer.";

    private static final Logger log = LoggerFactory.getLogger(SocketAuthenticator.class);

    private final JwtDecoder decoder;

    SocketAuthenticator(JwtDecoder decoder) {
        this.decoder = decoder;
    }

    /** Who a valid token names, and when it expires (a socket is closed then). */
    record SocketUser(String id, @Nullable Instant expiresAt) {}

    /** The user the handshake request authenticates, if any. May block (a JWK set fetched over HTTP). */
    Optional<SocketUser> userOf(HttpRequest request) {
        return tokenOf(request).flatMap(this::subject);
    }

    private Optional<SocketUser> subject(String token) {
        try {
            Jwt jwt = decoder.decode(token);
            String subject = jwt.getSubject();
            if (subject != null && !TextRules.isAllowed(subject)) {
                // Herald's rule for text: no user id holds a control character (the gateway refuses it too).
                log.debug("socket handshake refused: the subject breaks the text rule");
                return Optional.empty();
            }
            return subject == null || subject.isBlank()
                    ? Optional.empty()
                    : Optional.of(new SocketUser(subject, jwt.getExpiresAt()));
        } catch (JwtException e) {
            log.debug("socket handshake refused: {}", e.getClass().getSimpleName());
            return Optional.empty();
        }
    }

    static Optional<String> tokenOf(HttpRequest request) {
        String authorization = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.of(authorization.substring(7).trim());
        }
        for (String header : request.headers().getAll(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL)) {
            for (String protocol : header.split(",", -1)) {
                String trimmed = protocol.trim();
                if (trimmed.startsWith(BEARER_SUBPROTOCOL_PREFIX)) {
                    return Optional.of(trimmed.substring(BEARER_SUBPROTOCOL_PREFIX.length()));
                }
            }
        }
        List<String> query = new QueryStringDecoder(request.uri()).parameters().get("token");
        return query == null || query.isEmpty() || query.getFirst().isBlank()
                ? Optional.empty()
                : Optional.of(query.getFirst());
    }
}
