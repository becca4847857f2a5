package io.herald.fanout.ws;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.timeout.WriteTimeoutException;
import io.netty.handler.timeout.WriteTimeoutHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.stereotype.Component;
import org.springframework.web.cors.CorsConfiguration;

/**
 * The WebSocket endpoint, {@code ws://<node>:<herald.fanout.ws.port>/ws/notifications} (and the other dialects'
 * paths, {@link SocketDialect}), on Netty.
 *
 * <p>A node holds many mostly idle sockets, so what an idle one costs matters most: Netty keeps no buffer
 * per connection between reads and writes (they come from a shared pool), where the servlet container kept
 * about 70 KB of buffers per socket. The handshake is refused with 401 unless it carries a valid JWT
 * ({@link SocketAuthenticator}), with 403 from an origin not allowed, 404 on any other path. Authentication
 * and the answers to client messages run on virtual threads, never on the I/O threads, since both may wait
 * (a JWK set fetched, the inbox queried).
 *
 * <p>What one client may take: a connection not upgraded within {@code handshake-timeout} is closed; a socket
 * beyond {@code max-sockets} (1013) or {@code max-sockets-per-user} (4030) is closed as soon as it opens; a
 * socket's messages are limited to {@code max-messages-per-second} ({@link MessageRate}: {@code error
 * rate_limited}, then 4029) and to {@code max-queued-messages} waiting for their answer (then it is not read);
 * a socket is closed with 4001 when its JWT expires.
 *
 * <p>The port actually bound is {@link #port()}, also published as {@code local.herald.fanout.ws.port}.
 */
@Component
public class SocketServer implements SmartLifecycle {

    /** The endpoint's path in Herald's own dialect; {@link SocketDialect} has the others'. */
    public static final String PATH = "/ws/notifications";

    /** The environment property holding the bound port, as {@code local.server.port} does for HTTP. */
    public static final String LOCAL_PORT_PROPERTY = "local.herald.fanout.ws.port";

    private static final Logger log = LoggerFactory.getLogger(SocketServer.class);
    private static final int MAX_HANDSHAKE_BYTES = 16 * 1024;
    /** The longest a socket's token may have left for the socket to get a timer closing it when it expires. */
    private static final Duration MAX_LIFETIME = Duration.ofDays(365);

    private final SocketProperties properties;
    private final SocketAuthenticator authenticator;
    private final NotificationSocketHandler handler;
    private final SessionRegistry registry;
    private final Clock clock;
    private final MeterRegistry meters;
    private final ConfigurableEnvironment environment;
    private final @Nullable CorsConfiguration origins;
    private final WebSocketServerProtocolConfig protocol;

    private @Nullable ExecutorService worker;
    private @Nullable EventLoopGroup acceptor;
    private @Nullable EventLoopGroup io;
    private @Nullable Channel server;
    private volatile int port = -1;

    SocketServer(
            SocketProperties properties,
            SocketAuthenticator authenticator,
            NotificationSocketHandler handler,
            SessionRegistry registry,
            Clock clock,
            MeterRegistry meters,
            ConfigurableEnvironment environment) {
        this.properties = properties;
        this.authenticator = authenticator;
        this.handler = handler;
        this.registry = registry;
        this.clock = clock;
        this.meters = meters;
        this.environment = environment;
        this.origins = originsOf(properties.allowedOrigins());
        int maxMessage =
                (int) Math.min(Integer.MAX_VALUE, properties.maxMessageSize().toBytes());
        this.protocol = WebSocketServerProtocolConfig.newBuilder()
                // Every socket path is under /ws/ and may carry a query (?token=…); HandshakeGate has already
                // checked it exactly (SocketDialect's paths).
                .websocketPath("/ws")
                .checkStartsWith(true)
                // A browser passing its JWT as "bearer.<jwt>" must get a subprotocol back: the one it asks for.
                .subprotocols(SocketDialect.SUBPROTOCOLS)
                .handshakeTimeoutMillis(properties.handshakeTimeout().toMillis())
                .dropPongFrames(true)
                .decoderConfig(WebSocketDecoderConfig.newBuilder()
                        .maxFramePayloadLength(maxMessage)
                        .allowExtensions(false)
                        .closeOnProtocolViolation(true)
                        .build())
                .build();
    }

    private static @Nullable CorsConfiguration originsOf(List<String> allowed) {
        if (allowed.contains("*")) {
            return null;
        }
        var cors = new CorsConfiguration();
        cors.setAllowedOriginPatterns(allowed);
        return cors;
    }

    /** The port the WebSocket listens on; -1 until started. */
    public int port() {
        return port;
    }

    @Override
    public void start() {
        worker = Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("ws-worker-", 0).factory());
        acceptor = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        io = new MultiThreadIoEventLoopGroup(properties.ioThreads(), NioIoHandler.newFactory());
        long bufferLimit = Math.max(2, properties.sendBufferLimit().toBytes());
        var bootstrap = new ServerBootstrap()
                .group(acceptor, io)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(
                        ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark((int) Math.min(Integer.MAX_VALUE / 2, bufferLimit / 2), (int)
                                Math.min(Integer.MAX_VALUE, bufferLimit)))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        var socket = new SocketHandler();
                        // A connection that has not become a socket in time is cut: half-open handshakes (a request
                        // line and then nothing, or one byte a second) would otherwise hold it for ever.
                        socket.handshakeTimeout = channel.eventLoop()
                                .schedule(
                                        () -> {
                                            if (socket.session == null) {
                                                log.debug("closing connection {}: no handshake in time", channel.id());
                                                cut("handshake_timeout");
                                                channel.close();
                                            }
                                        },
                                        properties.handshakeTimeout().toMillis(),
                                        TimeUnit.MILLISECONDS);
                        channel.pipeline()
                                .addLast(new HttpServerCodec(8192, MAX_HANDSHAKE_BYTES, 8192))
                                .addLast(new HttpObjectAggregator(MAX_HANDSHAKE_BYTES))
                                .addLast(new HandshakeGate(socket))
                                .addLast(new WebSocketServerProtocolHandler(protocol))
                                .addLast(new WebSocketFrameAggregator(
                                        protocol.decoderConfig().maxFramePayloadLength()))
                                .addLast(new WriteTimeoutHandler(
                                        properties.sendTimeLimit().toMillis(), TimeUnit.MILLISECONDS))
                                .addLast(socket);
                    }
                });
        // server.address, when set, is where this service listens: Tomcat's port and the WebSocket's alike.
        String address = environment.getProperty("server.address");
        Channel bound = (address == null || address.isBlank()
                        ? bootstrap.bind(properties.port())
                        : bootstrap.bind(address, properties.port()))
                .syncUninterruptibly()
                .channel();
        server = bound;
        port = ((InetSocketAddress) bound.localAddress()).getPort();
        environment
                .getPropertySources()
                .addFirst(new MapPropertySource("herald-fanout-ws-server", Map.of(LOCAL_PORT_PROPERTY, port)));
        log.info("WebSocket listening on port {} at {} (and the other dialects' paths)", port, PATH);
    }

    @Override
    public void stop() {
        Channel bound = server;
        if (bound != null) {
            bound.close().syncUninterruptibly();
        }
        // Clients reconnect to another node and resume from the inbox.
        registry.all().forEach(session -> session.close(WebSocketCloseStatus.ENDPOINT_UNAVAILABLE));
        if (io != null) {
            io.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (acceptor != null) {
            acceptor.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (worker != null) {
            worker.shutdown();
        }
        server = null;
        port = -1;
    }

    @Override
    public boolean isRunning() {
        return server != null;
    }

    /**
     * Lets only a handshake on one of the socket's paths ({@link SocketDialect}: 404 otherwise, 400 for a {@code
     * dialect} parameter naming none) from an allowed origin with a valid JWT through to Netty's WebSocket
     * handshake, then leaves the pipeline.
     */
    private final class HandshakeGate extends ChannelInboundHandlerAdapter {
        private final SocketHandler socket;

        HandshakeGate(SocketHandler socket) {
            this.socket = socket;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object message) {
            if (!(message instanceof FullHttpRequest request)) {
                ctx.fireChannelRead(message);
                return;
            }
            SocketDialect dialect;
            switch (SocketDialect.of(request)) {
                case SocketDialect.Choice.Chosen chosen -> dialect = chosen.dialect();
                case SocketDialect.Choice.NoSuchPath none -> {
                    refuse(ctx, request, HttpResponseStatus.NOT_FOUND);
                    return;
                }
                case SocketDialect.Choice.UnknownDialect unknown -> {
                    refuse(ctx, request, HttpResponseStatus.BAD_REQUEST);
                    return;
                }
            }
            String origin = request.headers().get(HttpHeaderNames.ORIGIN);
            if (origins != null && origin != null && origins.checkOrigin(origin) == null) {
                refuse(ctx, request, HttpResponseStatus.FORBIDDEN);
                return;
            }
            ctx.channel().config().setAutoRead(false);
            worker().execute(() -> {
                Optional<SocketAuthenticator.SocketUser> user;
                try {
                    user = authenticator.userOf(request);
                } catch (RuntimeException e) {
                    log.warn("socket handshake refused, its token could not be checked: {}", e.toString());
                    user = Optional.empty();
                }
                Optional<SocketAuthenticator.SocketUser> authenticated = user;
                ctx.executor().execute(() -> {
                    if (authenticated.isEmpty()) {
                        refuse(ctx, request, HttpResponseStatus.UNAUTHORIZED);
                        return;
                    }
                    socket.user = authenticated.get();
                    socket.dialect = dialect;
                    ctx.fireChannelRead(request);
                    ctx.pipeline().remove(this);
                    ctx.channel().config().setAutoRead(true);
                });
            });
        }

        private void refuse(ChannelHandlerContext ctx, FullHttpRequest request, HttpResponseStatus status) {
            request.release();
            var response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.EMPTY_BUFFER);
            response.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            if (status.equals(HttpResponseStatus.UNAUTHORIZED)) {
                response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer");
            }
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /**
     * One connection's life: a handshake in time, then a socket registered (within the node's and the user's
     * limits), read (within the message rate), closed when its token expires, and forgotten.
     */
    private final class SocketHandler extends ChannelInboundHandlerAdapter {
        volatile SocketAuthenticator.@Nullable SocketUser user;
        volatile SocketDialect dialect = SocketDialect.HERALD;
        private @Nullable ClientSession session;
        private @Nullable ScheduledFuture<?> handshakeTimeout;
        private @Nullable ScheduledFuture<?> expiry;
        private final MessageRate rate = new MessageRate(properties.maxMessagesPerSecond(), System::nanoTime);

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            SocketAuthenticator.SocketUser authenticated = user;
            if (event instanceof WebSocketServerProtocolHandler.HandshakeComplete && authenticated != null) {
                cancel(handshakeTimeout);
                handshakeTimeout = null;
                var opened = new ClientSession(
                        authenticated.id(),
                        dialect,
                        ctx.channel(),
                        worker(),
                        properties.resumeLimit(),
                        !properties.resumeWindow().isZero(),
                        properties.maxQueuedMessages());
                session = opened;
                switch (registry.add(opened)) {
                    case NODE_FULL -> {
                        log.debug("socket {} refused: the node holds max-sockets", opened.id());
                        cut("node_full");
                        opened.close(ClientSession.NODE_FULL);
                        return;
                    }
                    case USER_FULL -> {
                        log.debug("socket {} refused: its user holds max-sockets-per-user", opened.id());
                        cut("user_full");
                        opened.close(ClientSession.TOO_MANY_SOCKETS);
                        return;
                    }
                    case ADDED -> {}
                }
                Instant expiresAt = authenticated.expiresAt();
                Duration left = expiresAt == null ? MAX_LIFETIME : Duration.between(clock.instant(), expiresAt);
                // A token without exp (refused by a strict decoder) or valid for more than a year gets no timer.
                if (left.compareTo(MAX_LIFETIME) < 0) {
                    expiry = ctx.executor()
                            .schedule(
                                    () -> {
                                        cut("token_expired");
                                        opened.close(ClientSession.TOKEN_EXPIRED);
                                    },
                                    Math.max(0, left.toMillis()),
                                    TimeUnit.MILLISECONDS);
                }
                if (!properties.resumeWindow().isZero()) {
                    ctx.executor()
                            .schedule(opened::opened, properties.resumeWindow().toMillis(), TimeUnit.MILLISECONDS);
                }
                opened.run(() -> handler.opened(opened));
            } else {
                ctx.fireUserEventTriggered(event);
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object message) {
            ClientSession current = session;
            try {
                if (current == null || !current.isOpen()) {
                    return;
                }
                if (message instanceof TextWebSocketFrame text) {
                    switch (rate.next()) {
                        case ACCEPT -> {
                            String payload = text.text();
                            current.request(() -> handler.onText(current, payload));
                        }
                        case WARN ->
                            current.send(SocketMessages.error(
                                    "rate_limited",
                                    "more than " + properties.maxMessagesPerSecond()
                                            + " messages a second: this one was dropped",
                                    null,
                                    null));
                        case DROP -> {}
                        case CLOSE -> {
                            log.debug("closing socket {}: far over the message rate", current.id());
                            cut("too_many_messages");
                            current.close(ClientSession.TOO_MANY_MESSAGES);
                        }
                    }
                } else if (message instanceof BinaryWebSocketFrame) {
                    current.close(WebSocketCloseStatus.INVALID_MESSAGE_TYPE);
                }
            } finally {
                ReferenceCountUtil.release(message);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            cancel(handshakeTimeout);
            cancel(expiry);
            ClientSession current = session;
            if (current != null) {
                registry.remove(current);
            }
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ClientSession current = session;
            if (cause instanceof CorruptedWebSocketFrameException) {
                // The frame decoder has already sent the close frame (1002, or 1009 for a frame too big).
                log.debug("bad frame on socket {}: {}", ctx.channel().id(), cause.getMessage());
            } else if (current == null) {
                ctx.close();
            } else if (cause instanceof TooLongFrameException) {
                current.close(WebSocketCloseStatus.MESSAGE_TOO_BIG);
            } else if (cause instanceof WriteTimeoutException) {
                log.debug("closing slow socket {}: a write took longer than the send time limit", current.id());
                current.close(ClientSession.SLOW_CLIENT);
            } else if (cause instanceof IOException) {
                log.trace("socket {} failed: {}", current.id(), cause.toString());
                ctx.close();
            } else {
                log.debug("socket {} failed: {}", current.id(), cause.toString());
                current.close(WebSocketCloseStatus.INTERNAL_SERVER_ERROR);
            }
        }
    }

    /** Counts a connection or socket this node cut for one of its limits. */
    private void cut(String reason) {
        meters.counter("herald.fanout.sockets.closed", "reason", reason).increment();
    }

    private static void cancel(@Nullable ScheduledFuture<?> task) {
        if (task != null) {
            task.cancel(false);
        }
    }

    private ExecutorService worker() {
        ExecutorService current = worker;
        if (current == null) {
            throw new IllegalStateException("the socket server is not running");
        }
        return current;
    }
}
