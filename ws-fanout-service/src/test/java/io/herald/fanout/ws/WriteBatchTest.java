package io.herald.fanout.ws;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import java.io.DataInputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class WriteBatchTest {

    @Test
    void writesReachTheirSocketsAndOnlyTheWritesHandedOverAreReceipted() throws Exception {
        EventLoopGroup running = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        EventLoopGroup stopping = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try (ExecutorService worker = Executors.newVirtualThreadPerTaskExecutor();
                var aliceSocket = new Socket();
                var bobSocket = new Socket()) {
            var alice = session("alice", running, aliceSocket, worker);
            var bob = session("bob", stopping, bobSocket, worker);

            var batch = new WriteBatch<String>();
            assertThat(batch.add(alice, frame(1, "{\"n\":1}"), "alice-1")).isTrue();
            assertThat(batch.add(bob, frame(2, "{\"n\":2}"), "bob-2")).isTrue();
            assertThat(batch.add(alice, frame(3, "{\"n\":3}"), "alice-3")).isTrue();
            // Bob's I/O thread shuts down (the node is stopping) between the poll and the flush.
            stopping.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();

            List<String> receipts = batch.flush();

            assertThat(receipts).containsExactly("alice-1", "alice-3");
            aliceSocket.setSoTimeout(10_000);
            var in = new DataInputStream(aliceSocket.getInputStream());
            assertThat(readText(in)).isEqualTo("{\"n\":1}");
            assertThat(readText(in)).isEqualTo("{\"n\":3}");
            // Nothing is left over for the next poll.
            assertThat(batch.flush()).isEmpty();
        } finally {
            running.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
        }
    }

    @Test
    void aClosedSocketTakesNoWrite() throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try (ExecutorService worker = Executors.newVirtualThreadPerTaskExecutor();
                var socket = new Socket()) {
            var session = session("carol", group, socket, worker);
            session.close(WebSocketCloseStatus.NORMAL_CLOSURE);

            var batch = new WriteBatch<String>();
            assertThat(batch.add(session, frame(1, "{}"), "carol")).isFalse();
            assertThat(batch.flush()).isEmpty();
        } finally {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
        }
    }

    private static StreamGate.Frame frame(long offset, String json) {
        return new StreamGate.Frame(0, offset, json.getBytes(StandardCharsets.UTF_8));
    }

    /** A real TCP connection served on {@code group}, seen from the server as a session. */
    private static ClientSession session(String user, EventLoopGroup group, Socket client, ExecutorService worker)
            throws Exception {
        return new ClientSession(user, FrameServer.accept(group, client, bootstrap -> {}), worker);
    }

    /** One unmasked text frame of under 126 bytes, as the server writes it. */
    private static String readText(DataInputStream in) throws Exception {
        int opcode = in.readUnsignedByte() & 0x0F;
        assertThat(opcode).as("a text frame").isEqualTo(1);
        int length = in.readUnsignedByte() & 0x7F;
        byte[] payload = in.readNBytes(length);
        return new String(payload, StandardCharsets.UTF_8);
    }
}
