package io.herald.events;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * Derives downstream ids from the event id and the app that published it, so a redelivered event yields the
 * same ids and every consumer can deduplicate, while two apps that happen to use the same event id (by chance,
 * or one claiming the other's) get ids of their own. Name-based UUIDs, version 5 (RFC 9562, SHA-1):
 *
 * <ul>
 *   <li>{@code eventScope = UUIDv5(namespace = eventId, name = UTF-8(source))}
 *   <li>{@code notificationId = UUIDv5(namespace = eventScope, name = UTF-8(userId))}
 *   <li>{@code deliveryId = UUIDv5(namespace = notificationId, name = UTF-8(token))}
 * </ul>
 *
 * Any language with a UUIDv5 function computes the same values (Python: {@code uuid.uuid5(uuid.uuid5(event_id,
 * source), user_id)}). Events routed before ids were scoped by source kept the ids they were given, without the
 * scope ({@link #notificationId(UUID, String)}, {@link #deliveryId(UUID, String, String)}).
 */
public final class Ids {

    private Ids() {}

    /** The namespace of one app's event: the same event id from two apps makes two scopes. */
    public static UUID eventScope(UUID eventId, String source) {
        return uuidV5(eventId, source);
    }

    /** The id of the notification one recipient gets for one app's event. */
    public static UUID notificationId(UUID eventId, String source, String userId) {
        return uuidV5(eventScope(eventId, source), userId);
    }

    /** The id of the push to one device token of one recipient for one app's event. */
    public static UUID deliveryId(UUID eventId, String source, String userId, String token) {
        return uuidV5(notificationId(eventId, source, userId), token);
    }

    /**
     * The notification id events were given before ids were scoped by source ({@code UUIDv5(eventId, userId)}):
     * the ids stored for them keep it. Routing no longer uses it, since it lets two apps' events collide.
     */
    public static UUID notificationId(UUID eventId, String userId) {
        return uuidV5(eventId, userId);
    }

    /** The delivery id events were given before ids were scoped by source; see {@link #notificationId(UUID, String)}. */
    public static UUID deliveryId(UUID eventId, String userId, String token) {
        return uuidV5(notificationId(eventId, userId), token);
    }

    /**
     * A new event id: a version 7 UUID (RFC 9562), the Unix time in milliseconds followed by 74 random bits, so
     * ids sort by when they were made. The random bits come from {@link ThreadLocalRandom}, not {@link
     * UUID#randomUUID()}: an event id need not be secret, and {@code randomUUID}'s shared {@code SecureRandom}
     * serialises every request thread of a busy gateway on one lock.
     */
    public static UUID newEventId() {
        return uuidV7(System.currentTimeMillis(), ThreadLocalRandom.current());
    }

    /** A version 7 UUID for {@code epochMillis} with random bits from {@code random}. */
    static UUID uuidV7(long epochMillis, RandomGenerator random) {
        long randA = random.nextLong() & 0xfffL;
        long msb = (epochMillis & 0xffff_ffff_ffffL) << 16 | 0x7000L | randA;
        long lsb = (random.nextLong() & 0x3fff_ffff_ffff_ffffL) | 0x8000_0000_0000_0000L;
        return new UUID(msb, lsb);
    }

    /** A version 5 (SHA-1, name-based) UUID of {@code name} in {@code namespace}, as RFC 9562 defines it. */
    public static UUID uuidV5(UUID namespace, String name) {
        MessageDigest sha1;
        try {
            sha1 = MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK ships SHA-1", e);
        }
        sha1.update(ByteBuffer.allocate(16)
                .putLong(namespace.getMostSignificantBits())
                .putLong(namespace.getLeastSignificantBits())
                .array());
        byte[] hash = sha1.digest(name.getBytes(StandardCharsets.UTF_8));
        hash[6] = (byte) ((hash[6] & 0x0f) | 0x50); // version 5
        hash[8] = (byte) ((hash[8] & 0x3f) | 0x80); // IETF variant
        ByteBuffer bytes = ByteBuffer.wrap(hash, 0, 16);
        return new UUID(bytes.getLong(), bytes.getLong());
    }
}
