package io.herald.dispatch.fcm;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http2.AbstractHttp2ConnectionHandlerBuilder;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.AsciiString;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;

/**
 * A lean HTTP/2 client for one origin, for sending many small POSTs concurrently: a few long-lived connections
 * (TLS with ALPN {@code h2} for {@code https}, cleartext HTTP/2 with prior knowledge for {@code http}), each on
 * a Netty event loop, requests spread over them in turn. A caller's thread only queues a request; the event
 * loop writes everything queued since its last turn and flushes once, and completes each request's future from
 * the frames as they arrive. No thread waits for an answer.
 *
 * <p>The server's {@code SETTINGS_MAX_CONCURRENT_STREAMS} is respected: streams beyond it wait in the
 * connection until others end. A request without an answer after {@code timeout} is reset ({@code
 * RST_STREAM CANCEL}) and fails. A lost connection fails its requests and the next request opens a new one; so
 * does a server's {@code GOAWAY}, or a connection whose stream ids run low. Failures are {@link IOException}s.
 */
final class Http2Origin implements AutoCloseable {

    /** A whole answer. */
    record Response(
            int status, @Nullable String body, @Nullable String retryAfter) {}

    /** After this many streams a connection is retired (stream ids end at 2^31 - 1). */
    static final int RETIRE_AFTER_STREAM_ID = Integer.MAX_VALUE - 1_000_000;

    private static final AsciiString RETRY_AFTER = AsciiString.cached("retry-after");

    private final EventLoopGroup group;
    private final Bootstrap bootstrap;
    private final @Nullable SslContext tls;
    private final String host;
    private final int port;
    private final AsciiString scheme;
    private final AsciiString authority;
    private final long timeoutNanos;
    private final Map<AsciiString, AsciiString> fixedHeaders;
    private final AtomicReferenceArray<@Nullable Connection> connections;
    private final AtomicInteger turn = new AtomicInteger();
    private volatile boolean closed;

    /**
     * @param origin {@code http(s)://host[:port]}
     * @param connections how many connections to open (lazily), at least one
     * @param timeout how long a request may wait for its answer
     * @param fixedHeaders headers sent with every request, besides content type, length and authorization
     */
    Http2Origin(URI origin, int connections, Duration timeout, Map<AsciiString, AsciiString> fixedHeaders) {
        boolean secure = "https".equalsIgnoreCase(origin.getScheme());
        if (!secure && !"http".equalsIgnoreCase(origin.getScheme())) {
            throw new IllegalArgumentException("not an http or https address: " + origin);
        }
        this.host = origin.getHost();
        this.port = origin.getPort() < 0 ? (secure ? 443 : 80) : origin.getPort();
        this.scheme = AsciiString.cached(secure ? "https" : "http");
        this.authority = AsciiString.cached(origin.getPort() < 0 ? host : host + ":" + port);
        this.timeoutNanos = timeout.toNanos();
        this.fixedHeaders = Map.copyOf(fixedHeaders);
        try {
            this.tls = secure
                    ? SslContextBuilder.forClient()
                            .applicationProtocolConfig(new ApplicationProtocolConfig(
                                    ApplicationProtocolConfig.Protocol.ALPN,
                                    ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                                    ApplicationProtocolConfig.SelectedListenerFailureBehavior.FATAL_ALERT,
                                    ApplicationProtocolNames.HTTP_2))
                            .build()
                    : null;
        } catch (SSLException e) {
            throw new IllegalStateException("no TLS for " + origin, e);
        }
        this.connections = new AtomicReferenceArray<>(Math.max(1, connections));
        this.group = new MultiThreadIoEventLoopGroup(
                Math.min(this.connections.length(), Runtime.getRuntime().availableProcessors()),
                new DefaultThreadFactory("herald-http2-" + host, true),
                NioIoHandler.newFactory());
        this.bootstrap = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000);
    }

    /** Sends {@code POST path} with a JSON body; the future completes with the answer or an IOException. */
    CompletableFuture<Response> postJson(AsciiString path, CharSequence authorization, byte[] body) {
        var request = new Request(path, authorization, body, System.nanoTime() + timeoutNanos);
        if (closed) {
            request.fail(new IOException("the HTTP/2 client is closed"));
            return request.future;
        }
        int slot = Math.floorMod(turn.getAndIncrement(), connections.length());
        Connection connection = connections.get(slot);
        if (connection == null || !connection.usable()) {
            var fresh = new Connection();
            if (connections.compareAndSet(slot, connection, fresh)) {
                fresh.open();
                connection = fresh;
            } else {
                connection = java.util.Objects.requireNonNull(connections.get(slot));
            }
        }
        connection.enqueue(request);
        return request.future;
    }

    @Override
    public void close() {
        closed = true;
        for (int i = 0; i < connections.length(); i++) {
            Connection connection = connections.getAndSet(i, null);
            if (connection != null) {
                connection.close();
            }
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    }

    /** One request and what has arrived of its answer. */
    private static final class Request {
        final AsciiString path;
        final CharSequence authorization;
        final byte[] body;
        final long deadline;
        final CompletableFuture<Response> future = new CompletableFuture<>();
        int status;

        @Nullable
        String retryAfter;

        @Nullable
        ByteBuf answer;

        Request(AsciiString path, CharSequence authorization, byte[] body, long deadline) {
            this.path = path;
            this.authorization = authorization;
            this.body = body;
            this.deadline = deadline;
        }

        void complete() {
            String text = null;
            if (answer != null) {
                text = answer.toString(StandardCharsets.UTF_8);
                answer.release();
                answer = null;
            }
            future.complete(new Response(status, text, retryAfter));
        }

        void fail(IOException why) {
            if (answer != null) {
                answer.release();
                answer = null;
            }
            future.completeExceptionally(why);
        }
    }

    /** One connection: requests queued by callers, written and answered on its event loop. */
    private final class Connection {
        private final Queue<Request> queued = new ConcurrentLinkedQueue<>();
        private final AtomicBoolean writeScheduled = new AtomicBoolean();
        private volatile @Nullable Channel channel;
        private volatile @Nullable Handler handler;
        private volatile boolean retired;

        /** Why it could not be opened, told to requests queued on it afterwards too. */
        private volatile @Nullable String connectFailure;

        /** Until it is lost, closed, told to go away or out of stream ids (connecting counts as usable). */
        boolean usable() {
            return !retired;
        }

        void open() {
            ChannelFuture connect = bootstrap
                    .clone()
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            if (tls != null) {
                                ch.pipeline().addLast(tls.newHandler(ch.alloc(), host, port));
                            }
                            Handler h = new Builder(Connection.this).build();
                            handler = h;
                            ch.pipeline().addLast(h);
                        }
                    })
                    .connect(host, port);
            channel = connect.channel();
            connect.addListener(done -> {
                if (done.isSuccess()) {
                    scheduleWrite();
                } else {
                    connectFailure = "could not connect to " + authority + ": " + done.cause();
                    retired = true;
                    failAll(new IOException(connectFailure, done.cause()));
                }
            });
        }

        void enqueue(Request request) {
            queued.add(request);
            Channel c = channel;
            if (c != null && c.isActive()) {
                scheduleWrite();
            } else if (retired) {
                // A refused connection may fail before its first request is queued: that request is told why.
                String failure = connectFailure;
                failAll(new IOException(failure != null ? failure : "the connection to " + authority + " is closed"));
            }
        }

        private void scheduleWrite() {
            Channel c = channel;
            if (c != null && writeScheduled.compareAndSet(false, true)) {
                c.eventLoop().execute(this::writeQueued);
            }
        }

        /** On the event loop: everything queued, one flush. */
        void writeQueued() {
            writeScheduled.set(false);
            Handler h = handler;
            if (h == null || h.context == null || !h.settled) {
                return; // written once the server's settings are in (its limit on concurrent streams)
            }
            Request request;
            int written = 0;
            while ((request = queued.poll()) != null) {
                h.write(request);
                written++;
            }
            if (written > 0) {
                h.flushAll();
            }
        }

        /** Fails whatever is queued and not yet written (on any thread). */
        void failAll(IOException why) {
            Request request;
            while ((request = queued.poll()) != null) {
                request.fail(why);
            }
        }

        void retire() {
            retired = true;
        }

        void close() {
            retired = true;
            Channel c = channel;
            if (c != null) {
                c.close();
            }
            failAll(new IOException("the HTTP/2 client is closed"));
        }
    }

    private final class Builder extends AbstractHttp2ConnectionHandlerBuilder<Handler, Builder> {
        private final Connection owner;

        Builder(Connection owner) {
            this.owner = owner;
            server(false);
            // Streams beyond the server's SETTINGS_MAX_CONCURRENT_STREAMS wait in the connection.
            encoderEnforceMaxConcurrentStreams(true);
            validateHeaders(false);
            initialSettings(Http2Settings.defaultSettings().pushEnabled(false).initialWindowSize(1 << 20));
        }

        @Override
        public Handler build() {
            return super.build();
        }

        @Override
        protected Handler build(
                Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder, Http2Settings settings) {
            var handler = new Handler(decoder, encoder, settings, owner);
            decoder.frameListener(handler.frames);
            return handler;
        }
    }

    /** The connection's HTTP/2 handler; every method runs on its event loop. */
    private final class Handler extends Http2ConnectionHandler {
        private final Connection owner;
        private final IntObjectMap<Request> inFlight = new IntObjectHashMap<>();
        final Frames frames = new Frames();

        @Nullable
        ChannelHandlerContext context;

        /** Whether the server's first SETTINGS arrived; no request is written before. */
        boolean settled;

        private @Nullable ScheduledFuture<?> sweeper;

        Handler(
                Http2ConnectionDecoder decoder,
                Http2ConnectionEncoder encoder,
                Http2Settings settings,
                Connection owner) {
            super(decoder, encoder, settings);
            this.owner = owner;
            connection().addListener(new Http2ConnectionAdapter() {
                @Override
                public void onStreamClosed(Http2Stream stream) {
                    Request request = inFlight.remove(stream.id());
                    if (request != null) {
                        request.fail(new IOException("the stream ended without a whole answer"));
                    }
                    retireWhenIdle();
                }

                @Override
                public void onGoAwayReceived(int lastStreamId, long errorCode, ByteBuf debugData) {
                    owner.retire();
                }
            });
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
            super.handlerAdded(ctx);
            this.context = ctx;
            long period = Math.max(TimeUnit.MILLISECONDS.toNanos(100), Math.min(timeoutNanos / 4, 1_000_000_000L));
            sweeper = ctx.executor().scheduleAtFixedRate(this::sweep, period, period, TimeUnit.NANOSECONDS);
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            super.channelActive(ctx); // the connection preface first
            // A larger connection window than the 64 KiB default, for answers to hundreds of streams at once.
            connection()
                    .local()
                    .flowController()
                    .incrementWindowSize(connection().connectionStream(), (1 << 20) - 65_535);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            owner.retire();
            if (sweeper != null) {
                sweeper.cancel(false);
            }
            IOException why = lost();
            failInFlight(why);
            owner.failAll(why);
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
            owner.retire();
            super.exceptionCaught(ctx, cause);
        }

        void write(Request request) {
            ChannelHandlerContext ctx = java.util.Objects.requireNonNull(context);
            if (!ctx.channel().isActive()) {
                request.fail(lost());
                return;
            }
            int id = connection().local().incrementAndGetNextStreamId();
            if (id < 0) {
                owner.retire();
                request.fail(new IOException("the connection ran out of stream ids"));
                return;
            }
            if (id >= RETIRE_AFTER_STREAM_ID) {
                owner.retire();
            }
            Http2Headers headers = new DefaultHttp2Headers(false, 7 + fixedHeaders.size())
                    .method(HttpMethod.POST.asciiName())
                    .scheme(scheme)
                    .authority(authority)
                    .path(request.path)
                    .add(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                    .add(HttpHeaderNames.AUTHORIZATION, request.authorization)
                    .addInt(HttpHeaderNames.CONTENT_LENGTH, request.body.length);
            fixedHeaders.forEach(headers::add);
            inFlight.put(id, request);
            encoder().writeHeaders(ctx, id, headers, 0, false, ctx.newPromise()).addListener(written -> {
                if (!written.isSuccess()) {
                    Request failed = inFlight.remove(id);
                    if (failed != null) {
                        failed.fail(new IOException("the request could not be sent", written.cause()));
                    }
                }
            });
            encoder().writeData(ctx, id, Unpooled.wrappedBuffer(request.body), 0, true, ctx.newPromise());
        }

        private IOException lost() {
            return new IOException("the connection to " + authority + " was lost");
        }

        /** Writes what the flow controller holds (the requests' DATA frames), then flushes the channel. */
        void flushAll() {
            ChannelHandlerContext ctx = java.util.Objects.requireNonNull(context);
            try {
                flush(ctx);
            } catch (Exception e) {
                ctx.fireExceptionCaught(e);
            }
        }

        /** Resets and fails every request past its deadline. */
        private void sweep() {
            long now = System.nanoTime();
            ChannelHandlerContext ctx = context;
            if (ctx == null) {
                return;
            }
            var late = new ArrayList<Integer>();
            for (IntObjectMap.PrimitiveEntry<Request> entry : inFlight.entries()) {
                if (now - entry.value().deadline > 0) {
                    late.add(entry.key());
                }
            }
            for (int id : late) {
                Request request = inFlight.remove(id);
                if (request != null) {
                    request.fail(new IOException("no answer within " + Duration.ofNanos(timeoutNanos)));
                    encoder().writeRstStream(ctx, id, Http2Error.CANCEL.code(), ctx.newPromise());
                }
            }
            if (!late.isEmpty()) {
                flushAll();
            }
        }

        private void failInFlight(IOException why) {
            for (Request request : inFlight.values()) {
                request.fail(why);
            }
            inFlight.clear();
        }

        private void retireWhenIdle() {
            ChannelHandlerContext ctx = context;
            if (owner.retired
                    && inFlight.isEmpty()
                    && ctx != null
                    && connection().numActiveStreams() == 0) {
                ctx.close();
            }
        }

        /** The frames of the answers. */
        private final class Frames extends Http2FrameAdapter {
            @Override
            public void onHeadersRead(
                    ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding, boolean endOfStream) {
                Request request = inFlight.get(streamId);
                if (request == null) {
                    return;
                }
                if (request.status == 0 && headers.status() != null) {
                    request.status = AsciiString.of(headers.status()).parseInt();
                    CharSequence retryAfter = headers.get(RETRY_AFTER);
                    request.retryAfter = retryAfter == null ? null : retryAfter.toString();
                }
                if (endOfStream) {
                    inFlight.remove(streamId);
                    request.complete();
                }
            }

            @Override
            public void onHeadersRead(
                    ChannelHandlerContext ctx,
                    int streamId,
                    Http2Headers headers,
                    int streamDependency,
                    short weight,
                    boolean exclusive,
                    int padding,
                    boolean endOfStream) {
                onHeadersRead(ctx, streamId, headers, padding, endOfStream);
            }

            @Override
            public int onDataRead(
                    ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding, boolean endOfStream) {
                int processed = data.readableBytes() + padding;
                Request request = inFlight.get(streamId);
                if (request == null) {
                    return processed;
                }
                if (data.isReadable()) {
                    if (request.answer == null) {
                        request.answer = ctx.alloc().heapBuffer(data.readableBytes());
                    }
                    request.answer.writeBytes(data);
                }
                if (endOfStream) {
                    inFlight.remove(streamId);
                    request.complete();
                }
                return processed;
            }

            @Override
            public void onSettingsRead(ChannelHandlerContext ctx, Http2Settings settings) {
                if (!settled) {
                    settled = true;
                    owner.writeQueued();
                }
            }

            @Override
            public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode) {
                Request request = inFlight.remove(streamId);
                if (request != null) {
                    request.fail(new IOException("the server reset the stream (HTTP/2 error " + errorCode + ")"));
                }
            }
        }
    }
}
