package io.herald.dispatch.fcm.http2;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
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
import io.netty.handler.codec.http2.Http2Flags;
import io.netty.handler.codec.http2.Http2FrameListener;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.util.AsciiString;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The HTTP/2 side of one {@link Connection}: each request one stream (its HEADERS, then one DATA frame ending it),
 * each answer read from the frames into its {@link PendingRequest}. Every method runs on the channel's event loop.
 *
 * <p>Besides its answer, what becomes of a request:
 *
 * <ul>
 *   <li>Nothing is written before the server's first SETTINGS; then its {@code SETTINGS_MAX_CONCURRENT_STREAMS} is
 *       respected: streams beyond it wait in the encoder until others end.
 *   <li>No whole answer by its deadline: the stream is reset ({@code RST_STREAM CANCEL}) and the request fails
 *       ({@code no answer within …}); the connection goes on.
 *   <li>The server resets the stream: the request fails.
 *   <li>The server sends {@code GOAWAY}: the connection is retired (new requests go to a new one). Streams up to
 *       the server's last stream id are still answered; those above it were never processed, Netty closes them and
 *       their requests fail ({@code the stream ended without a whole answer}), as do requests queued and not yet
 *       written. The FCM client counts those as failed sends, which dispatch-service retries. The connection closes
 *       once its streams are done.
 *   <li>The connection reaches stream id {@code retireAfterStreamId} (stream ids end at 2<sup>31</sup> - 1, and a
 *       connection cannot reuse them): it is retired, that request still goes out on it, and it closes once its
 *       streams are done. Should ids run out all the same, the request fails.
 *   <li>The connection is lost: every request it holds fails.
 * </ul>
 *
 * <p>Failures are {@link IOException}s.
 */
final class StreamHandler extends Http2ConnectionHandler implements Http2FrameListener {

    private static final AsciiString RETRY_AFTER = AsciiString.cached("retry-after");

    /** The connection's receive window: answers to hundreds of streams at once, more than the 64 KiB default. */
    private static final int WINDOW = 1 << 20;

    private final Connection owner;
    private final Origin origin;
    private final Map<AsciiString, AsciiString> fixedHeaders;
    private final long timeoutNanos;
    private final int retireAfterStreamId;
    private final IntObjectMap<PendingRequest> inFlight = new IntObjectHashMap<>();
    private @Nullable ChannelHandlerContext context;

    /** Whether the server's first SETTINGS arrived; no request is written before. */
    private boolean settled;

    private @Nullable ScheduledFuture<?> sweeper;

    /**
     * A handler for {@code owner}'s channel.
     *
     * @param fixedHeaders sent with every request, besides content type, length and authorization
     * @param timeout how long a request may wait for its whole answer
     * @param retireAfterStreamId the stream id from which the connection is retired
     */
    static StreamHandler create(
            Connection owner,
            Origin origin,
            Map<AsciiString, AsciiString> fixedHeaders,
            Duration timeout,
            int retireAfterStreamId) {
        return new Builder(owner, origin, fixedHeaders, timeout.toNanos(), retireAfterStreamId).build();
    }

    private StreamHandler(
            Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder, Http2Settings settings, Builder builder) {
        super(decoder, encoder, settings);
        this.owner = builder.owner;
        this.origin = builder.origin;
        this.fixedHeaders = builder.fixedHeaders;
        this.timeoutNanos = builder.timeoutNanos;
        this.retireAfterStreamId = builder.retireAfterStreamId;
        connection().addListener(new Http2ConnectionAdapter() {
            @Override
            public void onStreamClosed(Http2Stream stream) {
                PendingRequest request = inFlight.remove(stream.id());
                if (request != null) {
                    request.fail(new IOException("the stream ended without a whole answer"));
                }
                closeWhenRetiredAndIdle();
            }

            @Override
            public void onGoAwayReceived(int lastStreamId, long errorCode, ByteBuf debugData) {
                owner.retire();
            }
        });
    }

    /** Whether requests can be written: in the pipeline, and the server's settings are in. */
    boolean ready() {
        return context != null && settled;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        super.handlerAdded(ctx);
        this.context = ctx;
        owner.attach(this);
        long period = Math.max(TimeUnit.MILLISECONDS.toNanos(100), Math.min(timeoutNanos / 4, 1_000_000_000L));
        sweeper = ctx.executor().scheduleAtFixedRate(this::sweep, period, period, TimeUnit.NANOSECONDS);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        super.channelActive(ctx); // the connection preface first
        connection().local().flowController().incrementWindowSize(connection().connectionStream(), WINDOW - 65_535);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        owner.retire();
        if (sweeper != null) {
            sweeper.cancel(false);
        }
        IOException why = lost();
        failInFlight(why);
        owner.failQueued(why);
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
        owner.retire();
        super.exceptionCaught(ctx, cause);
    }

    /** Writes {@code request} as a new stream (not flushed: see {@link #flushAll()}). */
    void write(PendingRequest request) {
        ChannelHandlerContext ctx = Objects.requireNonNull(context);
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
        if (id >= retireAfterStreamId) {
            owner.retire();
        }
        Http2Headers headers = new DefaultHttp2Headers(false, 7 + fixedHeaders.size())
                .method(HttpMethod.POST.asciiName())
                .scheme(origin.scheme())
                .authority(origin.authority())
                .path(request.path)
                .add(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .add(HttpHeaderNames.AUTHORIZATION, request.authorization)
                .addInt(HttpHeaderNames.CONTENT_LENGTH, request.body.length);
        fixedHeaders.forEach(headers::add);
        inFlight.put(id, request);
        encoder().writeHeaders(ctx, id, headers, 0, false, ctx.newPromise()).addListener(written -> {
            if (!written.isSuccess()) {
                PendingRequest failed = inFlight.remove(id);
                if (failed != null) {
                    failed.fail(new IOException("the request could not be sent", written.cause()));
                }
            }
        });
        encoder().writeData(ctx, id, Unpooled.wrappedBuffer(request.body), 0, true, ctx.newPromise());
    }

    /** Writes what the flow controller holds (the requests' DATA frames), then flushes the channel. */
    void flushAll() {
        ChannelHandlerContext ctx = Objects.requireNonNull(context);
        try {
            flush(ctx);
        } catch (Exception e) {
            ctx.fireExceptionCaught(e);
        }
    }

    private IOException lost() {
        return new IOException("the connection to " + origin.authority() + " was lost");
    }

    /** Resets and fails every request past its deadline. */
    private void sweep() {
        ChannelHandlerContext ctx = context;
        if (ctx == null) {
            return;
        }
        long now = System.nanoTime();
        var late = new ArrayList<Integer>();
        for (IntObjectMap.PrimitiveEntry<PendingRequest> entry : inFlight.entries()) {
            if (now - entry.value().deadline > 0) {
                late.add(entry.key());
            }
        }
        for (int id : late) {
            PendingRequest request = inFlight.remove(id);
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
        for (PendingRequest request : inFlight.values()) {
            request.fail(why);
        }
        inFlight.clear();
    }

    private void closeWhenRetiredAndIdle() {
        ChannelHandlerContext ctx = context;
        if (owner.retired() && inFlight.isEmpty() && ctx != null && connection().numActiveStreams() == 0) {
            ctx.close();
        }
    }

    // The frames of the answers.

    @Override
    public void onHeadersRead(
            ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding, boolean endOfStream) {
        PendingRequest request = inFlight.get(streamId);
        if (request == null) {
            return;
        }
        if (headers.status() != null) {
            request.headers(AsciiString.of(headers.status()).parseInt(), headers.get(RETRY_AFTER));
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
    public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding, boolean endOfStream) {
        int processed = data.readableBytes() + padding;
        PendingRequest request = inFlight.get(streamId);
        if (request == null) {
            return processed;
        }
        request.data(data, ctx.alloc());
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
        PendingRequest request = inFlight.remove(streamId);
        if (request != null) {
            request.fail(new IOException("the server reset the stream (HTTP/2 error " + errorCode + ")"));
        }
    }

    @Override
    public void onPriorityRead(
            ChannelHandlerContext ctx, int streamId, int streamDependency, short weight, boolean exclusive) {}

    @Override
    public void onSettingsAckRead(ChannelHandlerContext ctx) {}

    @Override
    public void onPingRead(ChannelHandlerContext ctx, long data) {}

    @Override
    public void onPingAckRead(ChannelHandlerContext ctx, long data) {}

    @Override
    public void onPushPromiseRead(
            ChannelHandlerContext ctx, int streamId, int promisedStreamId, Http2Headers headers, int padding) {}

    @Override
    public void onGoAwayRead(ChannelHandlerContext ctx, int lastStreamId, long errorCode, ByteBuf debugData) {
        // Netty's connection already told onGoAwayReceived.
    }

    @Override
    public void onWindowUpdateRead(ChannelHandlerContext ctx, int streamId, int windowSizeIncrement) {}

    @Override
    public void onUnknownFrame(
            ChannelHandlerContext ctx, byte frameType, int streamId, Http2Flags flags, ByteBuf payload) {}

    /** Netty's way to assemble the handler with its encoder and decoder: a client, no server push. */
    private static final class Builder extends AbstractHttp2ConnectionHandlerBuilder<StreamHandler, Builder> {
        private final Connection owner;
        private final Origin origin;
        private final Map<AsciiString, AsciiString> fixedHeaders;
        private final long timeoutNanos;
        private final int retireAfterStreamId;

        Builder(
                Connection owner,
                Origin origin,
                Map<AsciiString, AsciiString> fixedHeaders,
                long timeoutNanos,
                int retireAfterStreamId) {
            this.owner = owner;
            this.origin = origin;
            this.fixedHeaders = fixedHeaders;
            this.timeoutNanos = timeoutNanos;
            this.retireAfterStreamId = retireAfterStreamId;
            server(false);
            // Streams beyond the server's SETTINGS_MAX_CONCURRENT_STREAMS wait in the connection.
            encoderEnforceMaxConcurrentStreams(true);
            validateHeaders(false);
            initialSettings(Http2Settings.defaultSettings().pushEnabled(false).initialWindowSize(WINDOW));
        }

        @Override
        public StreamHandler build() {
            return super.build();
        }

        @Override
        protected StreamHandler build(
                Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder, Http2Settings settings) {
            var handler = new StreamHandler(decoder, encoder, settings, this);
            decoder.frameListener(handler);
            return handler;
        }
    }
}
