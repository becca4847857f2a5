package io.herald.dispatch.fcm.http2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.util.AsciiString;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** The pool alone: its opener records the connections instead of connecting them. */
class ConnectionPoolTest {

    private final List<Connection> opened = new ArrayList<>();
    private final ConnectionPool pool = new ConnectionPool(2, "fcm.test", opened::add);

    @Test
    void connectionsAreOpenedLazilyOnePerSlotAndUsedInTurn() {
        Connection first = pool.next();
        Connection second = pool.next();

        assertThat(opened).containsExactly(first, second);
        assertThat(second).isNotSameAs(first);
        assertThat(pool.next()).isSameAs(first);
        assertThat(pool.next()).isSameAs(second);
        assertThat(opened).hasSize(2);
    }

    @Test
    void aRetiredConnectionIsReplacedInItsSlotAndTheOtherSlotKeepsItsOwn() {
        Connection first = pool.next();
        Connection second = pool.next();

        first.retire(); // told to go away, out of stream ids, or lost

        Connection replacement = pool.next();
        assertThat(replacement).isNotSameAs(first).isNotSameAs(second);
        assertThat(replacement.usable()).isTrue();
        assertThat(pool.next()).isSameAs(second);
        assertThat(opened).containsExactly(first, second, replacement);
    }

    @Test
    void atLeastOneSlot() {
        var single = new ConnectionPool(0, "fcm.test", opened::add);

        assertThat(single.size()).isEqualTo(1);
        assertThat(single.next()).isSameAs(single.next());
    }

    @Test
    void closingFailsWhatIsQueuedOnEveryConnection() {
        var request = new PendingRequest(AsciiString.of("/send"), "Bearer t", new byte[0], 0);
        Connection connection = pool.next();
        connection.enqueue(request); // not connected: it waits in the queue

        pool.close();

        assertThat(connection.usable()).isFalse();
        assertThatThrownBy(request.future::get)
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(IOException.class)
                .hasMessage("the HTTP/2 client is closed");
    }
}
