package io.herald.gateway.events;

import io.herald.spring.web.InternalApiProperties;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.stereotype.Component;

/**
 * The event id of an {@code Idempotency-Key}: a version 8 UUID (RFC 9562) made of the first 122 bits of
 * HMAC-SHA256, keyed by the server-side {@code herald.internal.secret}, of the app's name and the key. Every
 * gateway instance derives the same id for the same app and key (a retry landing on another instance is still
 * routed once), but no one without the secret can compute another app's ids in advance and publish under them.
 * Rotating the secret changes the ids: a request retried across a rotation counts as a new event. Thread-safe.
 */
@Component
class IdempotencyIds {

    private static final String ALGORITHM = "HmacSHA256";

    /** Keeps this use of the shared secret apart from any other. */
    private static final byte[] CONTEXT = "herald idempotency-key event id v1\n".getBytes(StandardCharsets.UTF_8);

    private final SecretKeySpec key;

    IdempotencyIds(InternalApiProperties internal) {
        this.key = new SecretKeySpec(
                internal.requireSecret("the gateway derives event ids from Idempotency-Keys with it")
                        .getBytes(StandardCharsets.UTF_8),
                ALGORITHM);
    }

    UUID eventId(String app, String idempotencyKey) {
        byte[] name = app.getBytes(StandardCharsets.UTF_8);
        byte[] hash;
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            mac.update(CONTEXT);
            // The name's length first, so that no other app and key make the same input.
            mac.update(ByteBuffer.allocate(4).putInt(name.length).array());
            mac.update(name);
            hash = mac.doFinal(idempotencyKey.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK ships HmacSHA256", e);
        }
        hash[6] = (byte) ((hash[6] & 0x0f) | 0x80); // version 8
        hash[8] = (byte) ((hash[8] & 0x3f) | 0x80); // IETF variant
        ByteBuffer bytes = ByteBuffer.wrap(hash, 0, 16);
        return new UUID(bytes.getLong(), bytes.getLong());
    }
}
