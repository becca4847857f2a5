package io.herald.fanout.ws;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What a socket's frames look like: the client chooses at the handshake, by (first match wins) a {@code dialect}
 * query parameter, a subprotocol, or the path. docs/websocket.md documents each.
 *
 * <ul>
 *   <li>{@link #HERALD} ({@code herald.v1}): Herald's own, on {@code /ws/notifications}.
 *   <li>{@link #CHANNELS} ({@code herald.channels.v1}): the Django Channels inbox's protocol, on {@code
 *       /ws/notifications/} (with the trailing slash, as that frontend connects).
 *   <li>{@link #WORK} ({@code herald.work.v1}): the work-assignment app's, on {@code /ws/work/provider/} and {@code
 *       /ws/work/seeker/}: frames typed by event type with the data's keys at the top level.
 * </ul>
 */
enum SocketDialect {
    HERALD("herald.v1", "herald"),
    CHANNELS("herald.channels.v1", "channels"),
    WORK("herald.work.v1", "work");

    /** The query parameter that names a dialect, which wins over the subprotocol and the path. */
    static final String QUERY_PARAMETER = "dialect";

    /** Every subprotocol the server answers with, the one the client asked for (Netty's list). */
    static final String SUBPROTOCOLS = "herald.v1,herald.channels.v1,herald.work.v1";

    private final String subprotocol;
    private final String shortName;

    SocketDialect(String subprotocol, String shortName) {
        this.subprotocol = subprotocol;
        this.shortName = shortName;
    }

    /** The subprotocol that chooses it, and the server's answer to a client that asked for it. */
    String subprotocol() {
        return subprotocol;
    }

    /** The dialect of a path; empty when the path is none of the socket's. */
    static Optional<SocketDialect> ofPath(String path) {
        return Optional.ofNullable(
                switch (path) {
                    case "/ws/notifications" -> HERALD;
                    case "/ws/notifications/" -> CHANNELS;
                    case "/ws/work/provider/", "/ws/work/seeker/", "/ws/work/provider", "/ws/work/seeker" -> WORK;
                    default -> null;
                });
    }

    /** The dialect a {@code dialect} parameter or a subprotocol names ({@code channels} or {@code herald.channels.v1}). */
    static @Nullable SocketDialect named(String name) {
        String wanted = name.trim().toLowerCase(Locale.ROOT);
        for (SocketDialect dialect : values()) {
            if (dialect.subprotocol.equals(wanted) || dialect.shortName.equals(wanted)) {
                return dialect;
            }
        }
        return null;
    }

    /** The outcome of choosing: the dialect, or why the handshake is refused. */
    sealed interface Choice {
        /** The handshake goes on in this dialect. */
        record Chosen(SocketDialect dialect) implements Choice {}

        /** No socket at this path: 404. */
        record NoSuchPath() implements Choice {}

        /** A {@code dialect} parameter that names none: 400. */
        record UnknownDialect() implements Choice {}
    }

    /**
     * The dialect a handshake asks for: its {@code dialect} query parameter, else the first of its subprotocols that
     * names one (the one the server answers with), else its path's. The path must be one of the socket's whatever
     * chooses the dialect.
     */
    static Choice of(HttpRequest request) {
        var uri = new QueryStringDecoder(request.uri());
        Optional<SocketDialect> byPath = ofPath(uri.path());
        if (byPath.isEmpty()) {
            return new Choice.NoSuchPath();
        }
        List<String> parameter = uri.parameters().get(QUERY_PARAMETER);
        if (parameter != null && !parameter.isEmpty()) {
            SocketDialect named = named(parameter.getFirst());
            return named == null ? new Choice.UnknownDialect() : new Choice.Chosen(named);
        }
        for (String header : request.headers().getAll(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL)) {
            for (String protocol : header.split(",", -1)) {
                String trimmed = protocol.trim();
                for (SocketDialect dialect : values()) {
                    if (dialect.subprotocol.equals(trimmed)) {
                        return new Choice.Chosen(dialect);
                    }
                }
            }
        }
        return new Choice.Chosen(byPath.get());
    }
}
