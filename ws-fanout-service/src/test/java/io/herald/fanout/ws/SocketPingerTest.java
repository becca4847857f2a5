package io.herald.fanout.ws;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SocketPingerTest {

    @Test
    void everySocketIsPingedOncePerIntervalAndThePingsAreSpreadOverIt() {
        var properties = TestProperties.socket(Map.of("ping-interval", "10s"));
        var registry = new SessionRegistry(new SimpleMeterRegistry(), properties);
        List<EmbeddedChannel> channels = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            var channel = new EmbeddedChannel();
            channels.add(channel);
            registry.add(new ClientSession("user-" + i, channel, Runnable::run));
        }
        var pinger = new SocketPinger(registry, properties);

        int busiestSecond = 0;
        for (int second = 0; second < 10; second++) {
            int before = pings(channels);
            pinger.pingSlice();
            busiestSecond = Math.max(busiestSecond, pings(channels) - before);
        }

        assertThat(channels)
                .allSatisfy(channel -> assertThat(channel.outboundMessages())
                        .hasSize(1)
                        .first()
                        .isInstanceOf(PingWebSocketFrame.class));
        // About a tenth each second, not all at once.
        assertThat(busiestSecond).isLessThan(200);
    }

    private static int pings(List<EmbeddedChannel> channels) {
        return channels.stream().mapToInt(c -> c.outboundMessages().size()).sum();
    }
}
