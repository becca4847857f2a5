package io.herald.dispatch.fcm.http2;

import io.netty.util.AsciiString;
import java.net.URI;

/**
 * Where an {@link Http2Client} sends, and how its requests name it.
 *
 * @param secure TLS with ALPN {@code h2} ({@code https}), or cleartext HTTP/2 with prior knowledge ({@code http})
 * @param scheme the {@code :scheme} of every request
 * @param authority the {@code :authority} of every request: the host, and the port when the address names one
 */
record Origin(boolean secure, String host, int port, AsciiString scheme, AsciiString authority) {

    /**
     * @param origin {@code http(s)://host[:port]}; any path is ignored
     * @throws IllegalArgumentException for any other scheme
     */
    static Origin of(URI origin) {
        boolean secure = "https".equalsIgnoreCase(origin.getScheme());
        if (!secure && !"http".equalsIgnoreCase(origin.getScheme())) {
            throw new IllegalArgumentException("not an http or https address: " + origin);
        }
        String host = origin.getHost();
        int port = origin.getPort() < 0 ? (secure ? 443 : 80) : origin.getPort();
        return new Origin(
                secure,
                host,
                port,
                AsciiString.cached(secure ? "https" : "http"),
                AsciiString.cached(origin.getPort() < 0 ? host : host + ":" + port));
    }
}
