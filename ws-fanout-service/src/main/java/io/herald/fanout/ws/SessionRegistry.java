package io.herald.fanout.ws;

import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.stereotype.Component;

/**
 * The sockets this node holds, by user. A user may hold several (phone and web). Thread-safe.
 *
 * <p>A session is removed by identity, never by user id alone, so a socket closing late cannot evict the
 * user's newer socket.
 */
@Component
class SessionRegistry {

    private final ConcurrentHashMap<String, Set<ClientSession>> byUser = new ConcurrentHashMap<>();
    private final AtomicInteger open = new AtomicInteger();

    SessionRegistry(MeterRegistry meters) {
        meters.gauge("herald.fanout.sockets.open", open);
    }

    void add(ClientSession session) {
        byUser.compute(session.userId(), (user, sessions) -> {
            Set<ClientSession> set = sessions == null ? ConcurrentHashMap.newKeySet() : sessions;
            if (set.add(session)) {
                open.incrementAndGet();
            }
            return set;
        });
    }

    /** Removes exactly this session; other sessions of the same user stay. */
    void remove(ClientSession session) {
        byUser.computeIfPresent(session.userId(), (user, sessions) -> {
            if (sessions.remove(session)) {
                open.decrementAndGet();
            }
            return sessions.isEmpty() ? null : sessions;
        });
    }

    List<ClientSession> sessionsOf(String userId) {
        Set<ClientSession> sessions = byUser.get(userId);
        return sessions == null ? List.of() : List.copyOf(sessions);
    }

    List<ClientSession> all() {
        return byUser.values().stream().flatMap(Set::stream).toList();
    }

    /** How many sockets are open on this node. */
    int size() {
        return open.get();
    }
}
