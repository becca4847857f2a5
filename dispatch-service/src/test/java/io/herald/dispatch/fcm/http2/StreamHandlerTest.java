package io.herald.dispatch.fcm.http2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One connection's handler on an {@link EmbeddedChannel}, its bytes carried by hand to and from a Netty HTTP/2
 * server codec on another: every frame is under the test's control, and nothing runs on another thread. (A lost
 * connection is {@link Http2ClientTest}'s: closing an embedded channel is a graceful HTTP/2 close.)
 */
class StreamHandlerTest {

    private static final Origin ORIGIN = Origin.of(URI.create("http://fcm.test:8080"));

    private final Connection connection = new Connection("fcm.test:8080");
    private final EmbeddedChannel server = new EmbeddedChannel();
    private final Map<Integer, Http2FrameStream> requests = new LinkedHashMap<>();
    private final List<String> requestPaths = new ArrayList<>();
    private EmbeddedChannel client = new EmbeddedChannel();

    private void start(int retireAfterStreamId) {
        server.pipeline()
                .addLast(Http2FrameCodecBuilder.forServer()
                        .initialSettings(Http2Settings.defaultSettings().maxConcurrentStreams(100))
                        .build());
        server.pipeline().addLast(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object frame) {
                if (frame instanceof Http2HeadersFrame headers) {
                    requestPaths.add(String.valueOf(headers.headers().path()));
                } else if (frame instanceof Http2DataFrame data && data.isEndStream()) {
                    requests.put(data.stream().id(), data.stream());
                }
                ReferenceCountUtil.release(frame);
            }
        });
        client = new EmbeddedChannel(
                StreamHandler.create(connection, ORIGIN, Map.of(), Duration.ofSeconds(30), retireAfterStreamId));
        connection.connecting(client.newSucceededFuture());
    }

    @AfterEach
    void close() {
        client.finishAndReleaseAll();
        server.finishAndReleaseAll();
    }

    /** Carries the bytes both ways until neither side has more to say. */
    private void exchange() {
        boolean moved;
        do {
            moved = false;
            client.runPendingTasks();
            ByteBuf bytes;
            while ((bytes = client.readOutbound()) != null) {
                server.writeInbound(bytes);
                moved = true;
            }
            server.runPendingTasks();
            while ((bytes = server.readOutbound()) != null) {
                if (client.isOpen()) {
                    client.writeInbound(bytes);
                } else {
                    bytes.release();
                }
                moved = true;
            }
        } while (moved);
    }

    private PendingRequest send(String path) {
        var request = new PendingRequest(
                AsciiString.of(path), "Bearer t", "{}".getBytes(StandardCharsets.UTF_8), Long.MAX_VALUE);
        connection.enqueue(request);
        return request;
    }

    private void answer(int streamId) {
        Http2FrameStream stream = requests.get(streamId);
        server.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200"), false).stream(stream));
        server.writeAndFlush(
                new DefaultHttp2DataFrame(Unpooled.copiedBuffer("{\"name\":\"n\"}", StandardCharsets.UTF_8), true)
                        .stream(stream));
        exchange();
    }

    private void goAway(int lastStreamId) {
        Http2FrameCodec codec = server.pipeline().get(Http2FrameCodec.class);
        ChannelHandlerContext ctx = server.pipeline().context(codec);
        codec.goAway(ctx, lastStreamId, Http2Error.NO_ERROR.code(), Unpooled.EMPTY_BUFFER, ctx.newPromise());
        server.flush();
        exchange();
    }

    /** Its answer, which has arrived. */
    private static Http2Response answered(PendingRequest request) {
        assertThat(request.future).isDone();
        return request.future.join();
    }

    private static void assertFailed(PendingRequest request, String message) {
        assertThat(request.future).isCompletedExceptionally();
        assertThatThrownBy(request.future::get)
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(IOException.class)
                .hasMessage(message);
    }

    @Test
    void nothingIsWrittenBeforeTheServersSettingsThenEachRequestIsOneStream() throws Exception {
        start(Http2Client.RETIRE_AFTER_STREAM_ID);
        var first = send("/first");
        client.runPendingTasks();
        assertThat(connection.retired()).isFalse();
        // Only the preface and the client's settings so far: the server has said nothing yet.
        ByteBuf preface;
        while ((preface = client.readOutbound()) != null) {
            server.writeInbound(preface);
        }
        assertThat(requests).isEmpty();

        exchange(); // the server's settings arrive; the queued request goes out
        var second = send("/second");
        exchange();

        assertThat(requests).containsOnlyKeys(3, 5);
        assertThat(requestPaths).containsExactly("/first", "/second");
        answer(5);
        answer(3);
        assertThat(answered(first).status()).isEqualTo(200);
        assertThat(answered(second).body()).isEqualTo("{\"name\":\"n\"}");
        assertThat(connection.usable()).isTrue();
    }

    @Test
    void aGoAwayFailsTheStreamsAboveItsLastStreamIdAndTheOthersAreStillAnswered() throws Exception {
        start(Http2Client.RETIRE_AFTER_STREAM_ID);
        exchange();
        var processed = send("/a");
        var notProcessed = send("/b");
        exchange();
        assertThat(requests).containsOnlyKeys(3, 5);

        goAway(3);

        assertThat(connection.usable())
                .as("retired: new requests go to a new connection")
                .isFalse();
        assertFailed(notProcessed, "the stream ended without a whole answer");
        assertThat(processed.future).isNotDone();
        assertThat(client.isOpen()).as("open while stream 3 is unanswered").isTrue();

        answer(3);

        assertThat(answered(processed).status()).isEqualTo(200);
        assertThat(client.isOpen()).as("closed once its streams are done").isFalse();
    }

    @Test
    void aConnectionAtItsLastStreamIdIsRetiredAndClosesOnceItsStreamsAreDone() throws Exception {
        start(5);
        exchange();
        var third = send("/3");
        exchange();
        assertThat(connection.usable()).isTrue();

        var fifth = send("/5");
        exchange();

        assertThat(requests).containsOnlyKeys(3, 5);
        assertThat(connection.usable()).as("stream 5 was its last").isFalse();
        answer(3);
        assertThat(client.isOpen()).isTrue();
        answer(5);
        assertThat(answered(third).status()).isEqualTo(200);
        assertThat(answered(fifth).status()).isEqualTo(200);
        assertThat(client.isOpen()).isFalse();
    }

    @Test
    void aStreamResetByTheServerFailsItsRequestAlone() throws Exception {
        start(Http2Client.RETIRE_AFTER_STREAM_ID);
        exchange();
        var reset = send("/reset");
        var fine = send("/fine");
        exchange();

        server.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.REFUSED_STREAM).stream(requests.get(3)));
        exchange();
        answer(5);

        assertFailed(reset, "the server reset the stream (HTTP/2 error 7)");
        assertThat(answered(fine).status()).isEqualTo(200);
        assertThat(connection.usable()).isTrue();
    }
}
