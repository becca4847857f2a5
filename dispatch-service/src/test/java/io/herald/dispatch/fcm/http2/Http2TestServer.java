package io.herald.dispatch.fcm.http2;

import io.herald.testkit.emulator.LocalCertificates;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * An HTTP/2 server for the client's tests, on Netty, where testkit's FCM emulator (Jetty, h2c) cannot go: cleartext
 * with prior knowledge, or TLS with ALPN {@code h2} and {@link LocalCertificates}; {@code GOAWAY} with a chosen last
 * stream id; requests held unanswered on demand. It answers every other request {@code 200} with an FCM-like
 * {@code {"name": …}}, and records the connections and, for every request, its connection and stream.
 */
public final class Http2TestServer implements AutoCloseable {

    /**
     * A request as it arrived.
     *
     * @param connection the index of its connection, in order of arrival
     */
    public record Seen(int connection, int streamId, String path, String authorization) {}

    private record Held(ChannelHandlerContext context, Http2FrameStream stream) {}

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final @Nullable SslContext tls;
    private final List<Channel> connections = new CopyOnWriteArrayList<>();
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final List<String> protocols = new CopyOnWriteArrayList<>();
    private final List<Held> held = new CopyOnWriteArrayList<>();
    private final AtomicInteger toHold = new AtomicInteger();
    private final Channel listening;

    private Http2TestServer(@Nullable SslContext tls) throws InterruptedException {
        this.tls = tls;
        this.listening = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        int index;
                        synchronized (connections) {
                            index = connections.size();
                            connections.add(ch);
                        }
                        if (tls == null) {
                            addHttp2(ch.pipeline(), index);
                            return;
                        }
                        ch.pipeline().addLast(tls.newHandler(ch.alloc()));
                        ch.pipeline().addLast(new ApplicationProtocolNegotiationHandler("none") {
                            @Override
                            protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
                                protocols.add(protocol);
                                if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
                                    addHttp2(ctx.pipeline(), index);
                                } else {
                                    ctx.close();
                                }
                            }
                        });
                    }
                })
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .sync()
                .channel();
    }

    /** Cleartext HTTP/2 with prior knowledge (h2c). */
    public static Http2TestServer cleartext() throws InterruptedException {
        return new Http2TestServer(null);
    }

    /** TLS with the server certificate of {@code certificates}, offering {@code h2} alone by ALPN. */
    public static Http2TestServer tls(LocalCertificates certificates) throws Exception {
        SslContext tls = SslContextBuilder.forServer(
                        certificates.serverCertificate().toFile(),
                        certificates.serverKey().toFile())
                .applicationProtocolConfig(new ApplicationProtocolConfig(
                        ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        ApplicationProtocolNames.HTTP_2))
                .build();
        return new Http2TestServer(tls);
    }

    /** {@code http://127.0.0.1:<port>} or {@code https://…}. */
    public URI baseUrl() {
        int port = ((InetSocketAddress) listening.localAddress()).getPort();
        return URI.create((tls == null ? "http" : "https") + "://127.0.0.1:" + port);
    }

    /** The next {@code count} requests are held unanswered (until {@link #answerHeld()}). */
    public void hold(int count) {
        toHold.set(count);
    }

    /** How many requests are held. */
    public int heldCount() {
        return held.size();
    }

    /** Answers the held requests whose streams are still open, and forgets them. */
    public void answerHeld() {
        List<Held> answering = new ArrayList<>(held);
        held.clear();
        for (Held h : answering) {
            h.context().executor().execute(() -> {
                if (h.stream().state() != Http2Stream.State.CLOSED) {
                    answer(h.context(), h.stream());
                }
            });
        }
    }

    /**
     * Sends {@code GOAWAY} (no error) on the newest connection, telling the client the streams above {@code
     * lastStreamId} were not processed and will not be.
     */
    public void goAway(int lastStreamId) throws InterruptedException {
        Channel connection = connections.getLast();
        connection
                .eventLoop()
                .submit(() -> {
                    Http2FrameCodec codec = connection.pipeline().get(Http2FrameCodec.class);
                    ChannelHandlerContext ctx = connection.pipeline().context(codec);
                    codec.goAway(
                            ctx, lastStreamId, Http2Error.NO_ERROR.code(), Unpooled.EMPTY_BUFFER, ctx.newPromise());
                    connection.flush();
                })
                .sync();
    }

    /** How many connections were accepted. */
    public int connectionCount() {
        return connections.size();
    }

    /** Whether the {@code index}th connection is still open. */
    public boolean isOpen(int index) {
        return connections.get(index).isActive();
    }

    /** The protocols TLS negotiated by ALPN, one per connection. */
    public List<String> protocols() {
        return List.copyOf(protocols);
    }

    /** Every request that arrived whole, in order. */
    public List<Seen> seen() {
        return List.copyOf(seen);
    }

    @Override
    public void close() {
        listening.close().syncUninterruptibly();
        connections.forEach(Channel::close);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private void addHttp2(ChannelPipeline pipeline, int connection) {
        pipeline.addLast(Http2FrameCodecBuilder.forServer()
                .initialSettings(Http2Settings.defaultSettings().maxConcurrentStreams(100))
                .build());
        pipeline.addLast(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object frame) {
                try {
                    if (frame instanceof Http2HeadersFrame headers) {
                        if (headers.isEndStream()) {
                            request(ctx, connection, headers.stream(), headers.headers());
                        } else {
                            requests.put(headers.stream().id(), headers.headers());
                        }
                    } else if (frame instanceof Http2DataFrame data && data.isEndStream()) {
                        Http2Headers headers = requests.remove(data.stream().id());
                        request(ctx, connection, data.stream(), headers == null ? new DefaultHttp2Headers() : headers);
                    }
                } finally {
                    ReferenceCountUtil.release(frame);
                }
            }

            /** The headers of each request whose body is still to come. */
            private final Map<Integer, Http2Headers> requests = new HashMap<>();
        });
    }

    private void request(ChannelHandlerContext ctx, int connection, Http2FrameStream stream, Http2Headers headers) {
        seen.add(new Seen(
                connection,
                stream.id(),
                String.valueOf(headers.path()),
                String.valueOf(headers.get(HttpHeaderNames.AUTHORIZATION))));
        if (toHold.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            held.add(new Held(ctx, stream));
        } else {
            answer(ctx, stream);
        }
    }

    private static void answer(ChannelHandlerContext ctx, Http2FrameStream stream) {
        String body = "{\"name\":\"projects/test/messages/" + stream.id() + "\"}";
        ctx.write(new DefaultHttp2HeadersFrame(
                        new DefaultHttp2Headers().status("200").set("content-type", "application/json"), false)
                .stream(stream));
        ctx.writeAndFlush(
                new DefaultHttp2DataFrame(Unpooled.copiedBuffer(body, StandardCharsets.UTF_8), true).stream(stream));
    }
}
