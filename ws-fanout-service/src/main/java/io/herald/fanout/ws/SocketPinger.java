package io.herald.fanout.ws;

import java.util.concurrent.TimeUnit;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Pings every open socket once per {@code herald.fanout.ws.ping-interval}, so idle sockets and the proxies in
 * front of them stay open. The pings are spread over the interval, a slice of the sockets each second, not
 * sent to all at once: ten thousand pings (and their pongs) in one burst held up the notifications queued
 * behind them for a second or more.
 */
@Component
class SocketPinger {

    private final SessionRegistry registry;
    private final int slices;
    private long tick;

    SocketPinger(SessionRegistry registry, SocketProperties properties) {
        this.registry = registry;
        this.slices = (int) Math.max(1, Math.min(3600, properties.pingInterval().toSeconds()));
    }

    @Scheduled(fixedRate = 1, initialDelay = 1, timeUnit = TimeUnit.SECONDS)
    void pingSlice() {
        int slice = (int) (tick++ % slices);
        for (ClientSession session : registry.all()) {
            if (slice(session, slices) == slice) {
                // ClientSession.ping never throws: a socket that cannot take a ping is closed instead.
                session.ping();
            }
        }
    }

    /** Which of {@code slices} seconds of the interval pings {@code session}: fixed for its lifetime. */
    static int slice(ClientSession session, int slices) {
        return Math.floorMod(System.identityHashCode(session), slices);
    }
}
