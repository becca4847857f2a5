package io.herald.gateway.security;

import io.herald.gateway.GatewayProperties;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/**
 * The upstream apps' API keys, configured as SHA-256 hashes. A presented key is hashed and compared with
 * every configured hash in constant time, so neither the comparison nor the loop tells how close a guess was.
 */
@Component
public class ApiKeys {

    /** An authenticated upstream app. */
    public record App(String name, Set<String> eventTypes) {

        public boolean mayPublish(String type) {
            return eventTypes.isEmpty() || eventTypes.contains(type);
        }
    }

    @SuppressWarnings("ArrayRecordComponent") // never compared or hashed as a whole
    private record Entry(App app, byte[] hash) {}

    private final List<Entry> entries;

    ApiKeys(GatewayProperties properties) {
        this.entries = properties.apiKeys().stream()
                .map(k -> new Entry(
                        new App(k.name(), Set.copyOf(k.eventTypes())),
                        HexFormat.of().parseHex(k.sha256().toLowerCase(Locale.ROOT))))
                .toList();
    }

    public Optional<App> authenticate(@Nullable String key) {
        if (key == null || key.isBlank()) {
            return Optional.empty();
        }
        byte[] presented = sha256(key);
        App found = null;
        for (Entry entry : entries) {
            if (MessageDigest.isEqual(entry.hash(), presented) && found == null) {
                found = entry.app();
            }
        }
        return Optional.ofNullable(found);
    }

    public static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
