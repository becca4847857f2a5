package io.herald.fanout.ws;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** A real TCP connection whose server side writes WebSocket frames, as a node's channels do (no handshake). */
final class FrameServer {

    private FrameServer() {}

    /**
     * Serves one connection on {@code group}, connects {@code client} to it and returns the server's side of it;
     * {@code options} may set the server's channel options first.
     */
    static Channel accept(EventLoopGroup group, Socket client, Consumer<ServerBootstrap> options) throws Exception {
        var accepted = new CompletableFuture<Channel>();
        var bootstrap = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        channel.pipeline().addLast(new WebSocket13FrameEncoder(false));
                        accepted.complete(channel);
                    }
                });
        options.accept(bootstrap);
        Channel server = bootstrap.bind(0).sync().channel();
        client.connect(new InetSocketAddress("127.0.0.1", ((InetSocketAddress) server.localAddress()).getPort()));
        return accepted.get(10, TimeUnit.SECONDS);
    }
}
