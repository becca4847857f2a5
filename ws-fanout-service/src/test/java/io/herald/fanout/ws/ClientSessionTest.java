package io.herald.fanout.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.nio.NioIoHandler;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ClientSessionTest {

    @Test
    void aClientWhoseQueueFillsIsClosedWithTheSlowClientCode() throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try (var worker = Executors.newVirtualThreadPerTaskExecutor()) {
            // A client that stops reading: its receive buffer and the server's send buffer fill, then the
            // server's queue.
            try (var client = new Socket()) {
                client.setReceiveBufferSize(4096);
                Channel accepted = FrameServer.accept(
                        group,
                        client,
                        bootstrap -> bootstrap
                                .childOption(ChannelOption.SO_SNDBUF, 4096)
                                .childOption(
                                        ChannelOption.WRITE_BUFFER_WATER_MARK,
                                        new WriteBufferWaterMark(8 * 1024, 16 * 1024)));
                var session = new ClientSession("alice", accepted, worker);

                String message = "{\"type\":\"notification\",\"padding\":\"" + "x".repeat(1000) + "\"}";
                int sent = 0;
                while (sent < 100_000 && session.send(message)) {
                    sent++;
                }
                assertThat(sent).as("a write past the queue limit is refused").isLessThan(100_000);
                assertThat(session.isOpen()).isFalse();
                assertThat(session.send(message)).isFalse();

                // Reading again, the client gets what was queued, then the close frame with the slow-client code.
                client.setSoTimeout(10_000);
                var in = new DataInputStream(client.getInputStream());
                int texts = 0;
                int closeCode = -1;
                try {
                    while (closeCode < 0) {
                        int opcode = in.readUnsignedByte() & 0x0F;
                        long length = in.readUnsignedByte() & 0x7F;
                        if (length == 126) {
                            length = in.readUnsignedShort();
                        } else if (length == 127) {
                            length = in.readLong();
                        }
                        byte[] payload = in.readNBytes((int) length);
                        if (opcode == 0x1) {
                            texts++;
                        } else if (opcode == 0x8) {
                            closeCode = ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
                        }
                    }
                } catch (EOFException e) {
                    // closed before the close frame arrived: closeCode stays -1 and the assertion says so
                }
                assertThat(closeCode)
                        .isEqualTo(ClientSession.SLOW_CLIENT.code())
                        .isEqualTo(4008);
                assertThat(texts).isEqualTo(sent);
                await().atMost(Duration.ofSeconds(10)).until(() -> !accepted.isOpen());
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    @Test
    void tasksOfOneSessionRunOneAtATimeInOrder() throws Exception {
        try (var worker = Executors.newVirtualThreadPerTaskExecutor()) {
            var session = new ClientSession("alice", new EmbeddedChannel(), worker);
            var order = new ConcurrentLinkedQueue<Integer>();
            var running = new AtomicInteger();
            var overlapped = new AtomicBoolean();
            var done = new CountDownLatch(200);
            for (int i = 0; i < 200; i++) {
                int n = i;
                session.run(() -> {
                    if (running.incrementAndGet() > 1) {
                        overlapped.set(true);
                    }
                    order.add(n);
                    Thread.yield();
                    running.decrementAndGet();
                    done.countDown();
                    if (n == 10) {
                        throw new IllegalStateException("a failing task does not stop the ones after it");
                    }
                });
            }
            assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(overlapped).isFalse();
            assertThat(order)
                    .containsExactlyElementsOf(IntStream.range(0, 200).boxed().toList());
        }
    }

    @Test
    void removingAnOldSessionKeepsTheUsersNewerOne() {
        var meters = new SimpleMeterRegistry();
        var registry = new SessionRegistry(meters, TestProperties.socket(Map.of()));
        var old = session("alice");
        var newer = session("alice");
        registry.add(old);
        registry.add(newer);
        assertThat(registry.size()).isEqualTo(2);

        registry.remove(old);
        registry.remove(old);

        assertThat(registry.sessionsOf("alice")).containsExactly(newer);
        assertThat(registry.size()).isEqualTo(1);
        assertThat(meters.get("herald.fanout.sockets.open").gauge().value()).isEqualTo(1.0);
        registry.remove(newer);
        assertThat(registry.sessionsOf("alice")).isEmpty();
        assertThat(registry.size()).isZero();
    }

    @Test
    void theNodeAndEachUserHoldNoMoreSocketsThanTheirLimitsEvenWhenManyOpenAtOnce() throws Exception {
        var registry = new SessionRegistry(
                new SimpleMeterRegistry(),
                TestProperties.socket(Map.of("max-sockets", "50", "max-sockets-per-user", "3")));
        var admissions = new ConcurrentLinkedQueue<SessionRegistry.Admission>();
        try (var threads = Executors.newFixedThreadPool(8)) {
            for (int i = 0; i < 400; i++) {
                String user = "user-" + (i % 40);
                threads.execute(() -> admissions.add(registry.add(session(user))));
            }
        }
        // 40 users could hold 120 sockets, the node only 50: every one of them is used, none more.
        assertThat(registry.size()).isEqualTo(50);
        assertThat(registry.all()).hasSize(50);
        assertThat(admissions)
                .filteredOn(a -> a == SessionRegistry.Admission.ADDED)
                .hasSize(50);
        for (int i = 0; i < 40; i++) {
            assertThat(registry.sessionsOf("user-" + i).size()).isLessThanOrEqualTo(3);
        }

        var roomy = new SessionRegistry(
                new SimpleMeterRegistry(), TestProperties.socket(Map.of("max-sockets-per-user", "2")));
        var first = session("dave");
        assertThat(roomy.add(first)).isEqualTo(SessionRegistry.Admission.ADDED);
        assertThat(roomy.add(session("dave"))).isEqualTo(SessionRegistry.Admission.ADDED);
        assertThat(roomy.add(session("dave"))).isEqualTo(SessionRegistry.Admission.USER_FULL);
        assertThat(roomy.size()).isEqualTo(2);
        // A socket closing makes room for the next.
        roomy.remove(first);
        assertThat(roomy.add(session("dave"))).isEqualTo(SessionRegistry.Admission.ADDED);
    }

    private static ClientSession session(String user) {
        return new ClientSession(user, new EmbeddedChannel(), Runnable::run);
    }
}
