package io.herald.fanout.ws;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.stereotype.Component;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.server.HandshakeInterceptor;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * Refuses the WebSocket handshake (401) unless it carries a valid JWT, taken from, in order: the {@code
 * Authorization: Bearer} header, a {@code bearer.<jwt>} entry of {@code Sec-WebSocket-Protocol} (browsers
 * cannot set headers), or a {@code token} query parameter. The token is never logged.
 */
@Component
class SocketAuthenticator implements HandshakeInterceptor {

    /** The handshake attribute holding the authenticated user id (the JWT subject). */
    static final String USER_ID = "herald.userId";

    static final String SUBPROTOCOL = "herald.v1";
    static final String BEARER_SUBPROTOCOL_PREFIX = "bearer.";

    private static final Logger log = LoggerFactory.getLogger(SocketAuthenticator.class);

    private final JwtDecoder decoder;

    SocketAuthenticator(JwtDecoder decoder) {
        this.decoder = decoder;
    }

    @Override
    public boolean beforeHandshake(
            ServerHttpRequest request,
            ServerHttpResponse response,
            WebSocketHandler handler,
            Map<String, Object> attributes) {
        Optional<String> user = tokenOf(request).flatMap(this::subject);
        if (user.isEmpty()) {
            response.setStatusCode(HttpStatus.UNAUTHORIZED);
            response.getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
            return false;
        }
        attributes.put(USER_ID, user.get());
        return true;
    }

    @Override
    public void afterHandshake(
            ServerHttpRequest request,
            ServerHttpResponse response,
            WebSocketHandler handler,
            @Nullable Exception exception) {}

    private Optional<String> subject(String token) {
        try {
            String subject = decoder.decode(token).getSubject();
            return subject == null || subject.isBlank() ? Optional.empty() : Optional.of(subject);
        } catch (JwtException e) {
            log.debug("socket handshake refused: {}", e.getClass().getSimpleName());
            return Optional.empty();
        }
    }

    static Optional<String> tokenOf(ServerHttpRequest request) {
        String authorization = request.getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.of(authorization.substring(7).trim());
        }
        List<String> protocols = request.getHeaders().get("Sec-WebSocket-Protocol");
        if (protocols != null) {
            for (String header : protocols) {
                for (String protocol : header.split(",")) {
                    String trimmed = protocol.trim();
                    if (trimmed.startsWith(BEARER_SUBPROTOCOL_PREFIX)) {
                        return Optional.of(trimmed.substring(BEARER_SUBPROTOCOL_PREFIX.length()));
                    }
                }
            }
        }
        String query = UriComponentsBuilder.fromUri(request.getURI())
                .build()
                .getQueryParams()
                .getFirst("token");
        return Optional.ofNullable(query).filter(t -> !t.isBlank());
    }
}
