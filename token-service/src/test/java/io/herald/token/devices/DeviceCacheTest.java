package io.herald.token.devices;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Ticker;
import io.herald.events.Provider;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class DeviceCacheTest {

    /** A device store in memory: its devices, the changes it reports, and what it was asked. */
    private static final class Store extends DeviceStore {
        final Map<String, List<ActiveDevice>> devices = new HashMap<>();
        final List<DeviceChanges.Change> changes = new ArrayList<>();
        long horizon = 100;
        int loads;
        final List<OptionalLong> looks = new ArrayList<>();
        Runnable duringLoad = () -> {};

        Store() {
            super(null, Clock.systemUTC());
        }

        @Override
        public Map<String, List<ActiveDevice>> activeDevicesOf(Collection<String> userIds) {
            loads++;
            Map<String, List<ActiveDevice>> found = new HashMap<>();
            userIds.forEach(u -> found.put(u, devices.getOrDefault(u, List.of())));
            duringLoad.run();
            return found;
        }

        @Override
        DeviceChanges changesSince(OptionalLong from) {
            looks.add(from);
            return new DeviceChanges(horizon, from.isEmpty() ? List.of() : List.copyOf(changes));
        }
    }

    /** The time of the test, for the cache's clock and for its lists' expiry (a Caffeine ticker). */
    private static final class MutableClock extends Clock implements Ticker {
        Instant now = Instant.parse("2026-12-07T10:00:00Z");

        @Override
        public long read() {
            return now.getEpochSecond() * 1_000_000_000L + now.getNano();
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private final Store store = new Store();
    private final MutableClock clock = new MutableClock();
    private final DeviceCache cache = new DeviceCache(
            store,
            new DeviceProperties(Duration.ofDays(270), Duration.ofDays(1), Duration.ofSeconds(30), 100, 20),
            clock,
            clock);

    private static ActiveDevice device(String user, String token) {
        return new ActiveDevice(UUID.randomUUID(), user, Provider.FCM, token, null, null);
    }

    private List<String> tokensOf(String user) {
        return cache.activeDevicesOf(List.of(user)).get(user).stream()
                .map(ActiveDevice::token)
                .toList();
    }

    @Test
    void aChangeNotedByAnyInstanceDropsTheUsersListBeforeTheNextLookup() {
        store.devices.put("ana", List.of(device("ana", "phone")));
        assertThat(tokensOf("ana")).containsExactly("phone");
        store.devices.put("ana", List.of());
        assertThat(tokensOf("ana")).as("cached").containsExactly("phone");

        store.changes.add(new DeviceChanges.Change(1, 120, "ana"));

        assertThat(tokensOf("ana")).isEmpty();
        assertThat(store.looks).containsExactly(OptionalLong.empty(), OptionalLong.of(100), OptionalLong.of(100));
    }

    @Test
    void aChangeFoundAgainByTheNextLookIsAppliedOnce() {
        store.devices.put("ana", List.of(device("ana", "phone")));
        tokensOf("ana");
        // A change by a transaction from the horizon on is found by every look until the horizon passes it.
        store.changes.add(new DeviceChanges.Change(1, 120, "ana"));
        tokensOf("ana");
        tokensOf("ana");
        assertThat(store.loads).isEqualTo(2);

        store.horizon = 130;
        tokensOf("ana");
        store.changes.clear();
        tokensOf("ana");

        assertThat(store.loads).isEqualTo(2);
        assertThat(store.looks).last().isEqualTo(OptionalLong.of(130));
    }

    @Test
    void aListLoadedWhileAnInvalidationCameIsUsedOnceAndNotKept() {
        store.devices.put("ana", List.of(device("ana", "phone")));
        store.duringLoad = () -> cache.invalidate("bob");

        assertThat(tokensOf("ana")).containsExactly("phone");
        store.duringLoad = () -> {};
        assertThat(tokensOf("ana")).containsExactly("phone");

        assertThat(store.loads).as("loaded again: the first list was not kept").isEqualTo(2);
        tokensOf("ana");
        assertThat(store.loads).isEqualTo(2);
    }

    @Test
    void aLookAfterChangesMayHaveBeenForgottenStartsAfresh() {
        store.devices.put("ana", List.of(device("ana", "phone")));
        tokensOf("ana");
        store.devices.put("ana", List.of());
        clock.now = clock.now.plus(DeviceCache.CHANGES_KEPT.dividedBy(2)).plusSeconds(1);

        assertThat(tokensOf("ana")).isEmpty();
        assertThat(store.looks).containsExactly(OptionalLong.empty(), OptionalLong.empty());
    }

    @Test
    void aListIsLoadedAgainOnceTheCacheTtlHasPassedSinceItWasLoaded() {
        store.devices.put("ana", List.of(device("ana", "phone")));
        assertThat(tokensOf("ana")).containsExactly("phone");
        store.devices.put("ana", List.of(device("ana", "tablet")));

        clock.now = clock.now.plusSeconds(29);
        assertThat(tokensOf("ana")).as("within cache-ttl").containsExactly("phone");
        clock.now = clock.now.plusSeconds(1);
        assertThat(tokensOf("ana")).as("cache-ttl after it was loaded").containsExactly("tablet");

        assertThat(store.loads).isEqualTo(2);
    }

    @Test
    void atMostCacheSizeListsAreKept() {
        List<String> users = IntStream.range(0, 300).mapToObj(i -> "user-" + i).toList();

        assertThat(cache.activeDevicesOf(users)).hasSize(300);

        assertThat(cache.size()).isEqualTo(100);
    }
}
