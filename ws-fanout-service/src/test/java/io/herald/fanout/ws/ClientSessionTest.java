package io.herald.fanout.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;
import org.springframework.web.socket.WebSocketSession;

class ClientSessionTest {

    @Test
    void aClientWhoseQueueFillsIsClosedWithTheSlowClientCode() throws Exception {
        WebSocketSession raw = mock(WebSocketSession.class);
        when(raw.isOpen()).thenReturn(true);
        when(raw.getId()).thenReturn("s1");
        var writing = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        doAnswer(invocation -> {
                    writing.countDown();
                    release.await(10, TimeUnit.SECONDS);
                    return null;
                })
                .when(raw)
                .sendMessage(any());
        var session = new ClientSession("alice", raw, Duration.ofMinutes(1), DataSize.ofBytes(100));

        // The first write blocks inside the socket, as a client that stopped reading makes it.
        Thread.ofVirtual().start(() -> session.send("{\"type\":\"notification\"}"));
        assertThat(writing.await(10, TimeUnit.SECONDS)).isTrue();

        boolean queued = true;
        for (int i = 0; i < 20 && queued; i++) {
            queued = session.send("{\"type\":\"notification\",\"padding\":\"" + "x".repeat(20) + "\"}");
        }
        release.countDown();

        assertThat(queued).as("a write past the queue limit is refused").isFalse();
        verify(raw).close(ClientSession.SLOW_CLIENT);
        assertThat(ClientSession.SLOW_CLIENT.getCode()).isEqualTo(4008);
    }

    @Test
    void removingAnOldSessionKeepsTheUsersNewerOne() {
        var meters = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        var registry = new SessionRegistry(meters);
        var old = session("alice", "old");
        var newer = session("alice", "new");
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

    private static ClientSession session(String user, String id) {
        WebSocketSession raw = mock(WebSocketSession.class);
        when(raw.getId()).thenReturn(id);
        return new ClientSession(user, raw, Duration.ofSeconds(1), DataSize.ofKilobytes(1));
    }
}
