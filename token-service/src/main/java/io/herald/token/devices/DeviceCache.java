package io.herald.token.devices;

import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * The hot users' active devices, so routing a busy user's events costs no query. Entries live {@code
 * herald.token.devices.cache-ttl} at most; any change to a device on this instance clears the user (or, for
 * token feedback and pruning, everything). Thread-safe.
 */
@Component
public class DeviceCache {

    private record Cached(List<ActiveDevice> devices, Instant until) {}

    private final DeviceStore store;
    private final DeviceProperties properties;
    private final Clock clock;
    private final Map<String, Cached> entries;

    DeviceCache(DeviceStore store, DeviceProperties properties, Clock clock) {
        this.store = store;
        this.properties = properties;
        this.clock = clock;
        int max = properties.cacheSize();
        this.entries = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Cached> eldest) {
                return size() > max;
            }
        };
    }

    /** The active devices of all {@code userIds}: cached ones from memory, the rest in one batched query. */
    public Map<String, List<ActiveDevice>> activeDevicesOf(Collection<String> userIds) {
        Instant now = clock.instant();
        Map<String, List<ActiveDevice>> found = new HashMap<>();
        List<String> missing = new java.util.ArrayList<>();
        synchronized (entries) {
            for (String user : userIds) {
                Cached cached = entries.get(user);
                if (cached != null && cached.until().isAfter(now)) {
                    found.put(user, cached.devices());
                } else {
                    missing.add(user);
                }
            }
        }
        if (!missing.isEmpty()) {
            Map<String, List<ActiveDevice>> loaded = store.activeDevicesOf(missing);
            Instant until = now.plus(properties.cacheTtl());
            synchronized (entries) {
                for (String user : missing) {
                    List<ActiveDevice> devices = List.copyOf(loaded.getOrDefault(user, List.of()));
                    entries.put(user, new Cached(devices, until));
                    found.put(user, devices);
                }
            }
        }
        return found;
    }

    public void invalidate(String userId) {
        synchronized (entries) {
            entries.remove(userId);
        }
    }

    public void invalidateAll() {
        synchronized (entries) {
            entries.clear();
        }
    }
}
