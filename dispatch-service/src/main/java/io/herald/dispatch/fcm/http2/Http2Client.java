package io.herald.dispatch.fcm.http2;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;

/**
 * A lean HTTP/2 client for one origin, for sending many small POSTs concurrently: a few long-lived connections
 * (TLS with ALPN {@code h2} for {@code https}, cleartext HTTP/2 with prior knowledge for {@code http}) in a {@link
 * ConnectionPool}, each on a Netty event loop, requests spread over them in turn. A caller's thread only queues a
 * request; the connection's event loop writes everything queued since its last turn and flushes once, and
 * completes each request's future from the frames as they arrive. No thread waits for an answer.
 *
 * <p>Thread-safe; long-lived (one for the service). What becomes of a request besides its answer (the server's
 * stream limit, deadlines, resets, {@code GOAWAY}, stream-id exhaustion, a lost connection) is told in {@link
 * StreamHandler}: in short, it fails with an {@link IOException} and a later request goes on a connection that
 * works. Nothing is retried here: the caller decides.
 */
public final class Http2Client implements AutoCloseable {

    /** After this stream id a connection is retired (stream ids end at 2^31 - 1). */
    static final int RETIRE_AFTER_STREAM_ID = Integer.MAX_VALUE - 1_000_000;

    private final Origin origin;
    private final long timeoutNanos;
    private final EventLoopGroup group;
    private final Bootstrap bootstrap;
    private final @Nullable SslContext tls;
    private final Map<AsciiString, AsciiString> fixedHeaders;
    private final int retireAfterStreamId;
    private final ConnectionPool pool;
    private volatile boolean closed;

    /**
     * A client; it connects on the first request.
     *
     * @param origin {@code http(s)://host[:port]}
     * @param connections how many connections to open (lazily), at least one
     * @param timeout how long a request may wait for its whole answer
     * @param fixedHeaders headers sent with every request, besides content type, length and authorization
     * @param trustedCertificates for {@code https}: a PEM file of the CA certificates to trust instead of the
     *     system's (a private CA, an emulator's, a TLS-intercepting proxy's); {@code null} for the system's
     * @throws IllegalArgumentException when {@code origin} is not {@code http} or {@code https}
     * @throws IllegalStateException when TLS cannot be set up (an unreadable certificate file)
     */
    public Http2Client(
            URI origin,
            int connections,
            Duration timeout,
            Map<AsciiString, AsciiString> fixedHeaders,
            @Nullable Path trustedCertificates) {
        this(origin, connections, timeout, fixedHeaders, trustedCertificates, RETIRE_AFTER_STREAM_ID);
    }

    /** With the stream id after which a connection is retired (for tests: a connection out of ids). */
    Http2Client(
            URI origin,
            int connections,
            Duration timeout,
            Map<AsciiString, AsciiString> fixedHeaders,
            @Nullable Path trustedCertificates,
            int retireAfterStreamId) {
        this.origin = Origin.of(origin);
        this.timeoutNanos = timeout.toNanos();
        this.fixedHeaders = Map.copyOf(fixedHeaders);
        this.retireAfterStreamId = retireAfterStreamId;
        this.tls = this.origin.secure() ? tls(origin, trustedCertificates) : null;
        this.pool = new ConnectionPool(connections, this.origin.authority().toString(), this::connect);
        this.group = new MultiThreadIoEventLoopGroup(
                Math.min(pool.size(), Runtime.getRuntime().availableProcessors()),
                new DefaultThreadFactory("herald-http2-" + this.origin.host(), true),
                NioIoHandler.newFactory());
        this.bootstrap = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000);
    }

    private static SslContext tls(URI origin, @Nullable Path trustedCertificates) {
        try {
            var builder = SslContextBuilder.forClient()
                    .applicationProtocolConfig(new ApplicationProtocolConfig(
                            ApplicationProtocolConfig.Protocol.ALPN,
                            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                            ApplicationProtocolConfig.SelectedListenerFailureBehavior.FATAL_ALERT,
                            ApplicationProtocolNames.HTTP_2));
            if (trustedCertificates != null) {
                builder.trustManager(trustedCertificates.toFile());
            }
            return builder.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalStateException("no TLS for " + origin + ": " + e.getMessage(), e);
        }
    }

    /**
     * Sends {@code POST path} with a JSON body. Never blocks. The future completes with the whole answer, whatever
     * its status, or exceptionally with an {@link IOException} when there is none (see the class comment).
     */
    public CompletableFuture<Http2Response> postJson(AsciiString path, CharSequence authorization, byte[] body) {
        var request = new PendingRequest(path, authorization, body, System.nanoTime() + timeoutNanos);
        if (closed) {
            request.fail(new IOException("the HTTP/2 client is closed"));
            return request.future;
        }
        pool.next().enqueue(request);
        return request.future;
    }

    /** Opens {@code connection}'s channel, in the background. */
    private void connect(Connection connection) {
        connection.connecting(bootstrap
                .clone()
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (tls != null) {
                            ch.pipeline().addLast(tls.newHandler(ch.alloc(), origin.host(), origin.port()));
                        }
                        ch.pipeline()
                                .addLast(StreamHandler.create(
                                        connection,
                                        origin,
                                        fixedHeaders,
                                        Duration.ofNanos(timeoutNanos),
                                        retireAfterStreamId));
                    }
                })
                .connect(origin.host(), origin.port()));
    }

    /** Closes every connection: requests in flight fail. Idempotent. */
    @Override
    public void close() {
        closed = true;
        pool.close();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    }
}
