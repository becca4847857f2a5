package io.herald.fanout.ws;

import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.stereotype.Component;

/**
 * The sockets this node holds, by user. A user may hold several (phone and web), up to {@code
 * max-sockets-per-user}; the node holds up to {@code max-sockets}. Thread-safe.
 *
 * <p>A session is removed by identity, never by user id alone, so a socket closing late cannot evict the
 * user's newer socket.
 */
@Component
class SessionRegistry {

    /** What {@link #add} made of a session. */
    enum Admission {
        ADDED,
        /** The node holds {@code max-sockets} already. */
        NODE_FULL,
        /** The user holds {@code max-sockets-per-user} on this node already. */
        USER_FULL
    }

    private final ConcurrentHashMap<String, Set<ClientSession>> byUser = new ConcurrentHashMap<>();
    private final AtomicInteger open = new AtomicInteger();
    private final int maxSockets;
    private final int maxSocketsPerUser;

    SessionRegistry(MeterRegistry meters, SocketProperties properties) {
        this.maxSockets = properties.maxSockets();
        this.maxSocketsPerUser = properties.maxSocketsPerUser();
        meters.gauge("herald.fanout.sockets.open", open);
    }

    /**
     * Adds a session unless the node or its user is at the limit; both limits hold exactly, however many
     * sockets open at once.
     */
    Admission add(ClientSession session) {
        if (open.incrementAndGet() > maxSockets) {
            open.decrementAndGet();
            return Admission.NODE_FULL;
        }
        var admitted = new boolean[1];
        byUser.compute(session.userId(), (user, sessions) -> {
            Set<ClientSession> set = sessions == null ? ConcurrentHashMap.newKeySet() : sessions;
            admitted[0] = set.size() < maxSocketsPerUser && set.add(session);
            return set.isEmpty() ? null : set;
        });
        if (!admitted[0]) {
            open.decrementAndGet();
            return Admission.USER_FULL;
        }
        return Admission.ADDED;
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
