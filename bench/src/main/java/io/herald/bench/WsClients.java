package io.herald.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * The benchmark's WebSocket clients: many sockets on a few Netty I/O threads, the same for every server under
 * test. The JDK's {@code HttpClient} serves all of its WebSockets' reads from one selector thread and costs
 * more per message; with 10,000 sockets it took as much CPU as the servers measured.
 */
final class WsClients implements AutoCloseable {

    /** One client socket. */
    static final class Socket {
        private final Channel channel;

        private Socket(Channel channel) {
            this.channel = channel;
        }

        void sendText(String text) {
            channel.writeAndFlush(new TextWebSocketFrame(text));
        }

        void abort() {
            channel.close();
        }
    }

    private final EventLoopGroup group;

    WsClients(int threads) {
        this.group = new MultiThreadIoEventLoopGroup(threads, NioIoHandler.newFactory());
    }

    /**
     * Opens a socket to {@code uri} with {@code headers} on the handshake; every text message it gets is handed
     * to {@code onMessage} on an I/O thread. Completes when the handshake has.
     */
    CompletableFuture<Socket> connect(URI uri, Map<String, String> headers, BiConsumer<Socket, String> onMessage) {
        var opened = new CompletableFuture<Socket>();
        var httpHeaders = new DefaultHttpHeaders();
        headers.forEach(httpHeaders::add);
        var handshaker = WebSocketClientHandshakerFactory.newHandshaker(
                uri, WebSocketVersion.V13, null, false, httpHeaders, 1 << 20);
        new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        var socket = new Socket(channel);
                        channel.pipeline()
                                .addLast(new HttpClientCodec())
                                .addLast(new HttpObjectAggregator(1 << 16))
                                .addLast(new WebSocketClientProtocolHandler(handshaker))
                                .addLast(new WebSocketFrameAggregator(1 << 20))
                                .addLast(new SimpleChannelInboundHandler<TextWebSocketFrame>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) {
                                        onMessage.accept(socket, frame.text());
                                    }

                                    @Override
                                    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
                                        if (event
                                                == WebSocketClientProtocolHandler.ClientHandshakeStateEvent
                                                        .HANDSHAKE_COMPLETE) {
                                            opened.complete(socket);
                                        }
                                        ctx.fireUserEventTriggered(event);
                                    }

                                    @Override
                                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                        opened.completeExceptionally(cause);
                                        ctx.close();
                                    }

                                    @Override
                                    public void channelInactive(ChannelHandlerContext ctx) {
                                        opened.completeExceptionally(new IllegalStateException("closed before open"));
                                        ctx.fireChannelInactive();
                                    }
                                });
                    }
                })
                .connect(uri.getHost(), uri.getPort())
                .addListener(connected -> {
                    if (!connected.isSuccess()) {
                        opened.completeExceptionally(connected.cause());
                    }
                });
        return opened;
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
