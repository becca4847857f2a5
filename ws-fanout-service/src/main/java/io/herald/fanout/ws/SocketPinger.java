package io.herald.fanout.ws;

import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/** Pings every open socket, so idle sockets and the proxies in front of them stay open. */
@Component
class SocketPinger {

    private final SessionRegistry registry;

    SocketPinger(SessionRegistry registry) {
        this.registry = registry;
    }

    @Scheduled(
            initialDelayString = "${herald.fanout.ws.ping-interval:25s}",
            fixedDelayString = "${herald.fanout.ws.ping-interval:25s}")
    void pingAll() {
        // ClientSession.ping never throws: a socket that cannot take a ping is closed instead.
        registry.all().forEach(ClientSession::ping);
    }
}
