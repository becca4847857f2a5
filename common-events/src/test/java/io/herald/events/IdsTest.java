package io.herald.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class IdsTest {

    private static final UUID EVENT = UUID.fromString("6f1c2b1e-8a4d-4c3e-9b0a-2d5f7e8c9a10");

    @Test
    void matchesTheRfcVersion5Algorithm() {
        // Python: uuid.uuid5(uuid.NAMESPACE_DNS, "python.org") == 886313e1-3b8a-5372-9b90-0c9aee199e5d
        UUID dns = UUID.fromString("6ba7b810-9dad-11d1-80b4-00c04fd430c8");
        assertThat(Ids.uuidV5(dns, "python.org")).isEqualTo(UUID.fromString("886313e1-3b8a-5372-9b90-0c9aee199e5d"));
    }

    @Test
    void notificationIdIsStableAndPerRecipient() {
        UUID first = Ids.notificationId(EVENT, "u-bob");

        assertThat(Ids.notificationId(EVENT, "u-bob")).isEqualTo(first);
        assertThat(Ids.notificationId(EVENT, "u-carol")).isNotEqualTo(first);
        assertThat(first.version()).isEqualTo(5);
    }

    @Test
    void deliveryIdIsDerivedFromTheNotificationIdAndToken() {
        UUID delivery = Ids.deliveryId(EVENT, "u-bob", "token-1");

        assertThat(delivery).isEqualTo(Ids.uuidV5(Ids.notificationId(EVENT, "u-bob"), "token-1"));
        assertThat(Ids.deliveryId(EVENT, "u-bob", "token-2")).isNotEqualTo(delivery);
        assertThat(delivery.version()).isEqualTo(5);
    }

    @Test
    void theSameEventIdFromTwoAppsGivesEachItsOwnIds() {
        UUID a = Ids.notificationId(EVENT, "shop", "u-bob");
        UUID b = Ids.notificationId(EVENT, "chat", "u-bob");

        assertThat(a).isNotEqualTo(b).isEqualTo(Ids.notificationId(EVENT, "shop", "u-bob"));
        assertThat(a).isEqualTo(Ids.uuidV5(Ids.uuidV5(EVENT, "shop"), "u-bob"));
        assertThat(a).isEqualTo(Ids.uuidV5(Ids.eventScope(EVENT, "shop"), "u-bob"));
        assertThat(Ids.deliveryId(EVENT, "shop", "u-bob", "token-1"))
                .isEqualTo(Ids.uuidV5(a, "token-1"))
                .isNotEqualTo(Ids.deliveryId(EVENT, "chat", "u-bob", "token-1"));
        // Python: uuid.uuid5(uuid.uuid5(uuid.UUID("6f1c2b1e-8a4d-4c3e-9b0a-2d5f7e8c9a10"), "shop"), "u-bob")
        assertThat(a).hasToString("6f7f310b-210e-57b7-bc73-bfd7bead4307");
    }

    @Test
    void newEventIdsAreVersion7AndOrderedByTime() {
        UUID id = Ids.newEventId();
        assertThat(id.version()).isEqualTo(7);
        assertThat(id.variant()).isEqualTo(2);
        long millis = id.getMostSignificantBits() >>> 16;
        assertThat(millis).isBetween(System.currentTimeMillis() - 60_000, System.currentTimeMillis());

        UUID earlier = Ids.uuidV7(1_700_000_000_000L, new Random(1));
        UUID later = Ids.uuidV7(1_700_000_000_001L, new Random(1));
        assertThat(earlier.toString()).startsWith("018bcfe5-6800-7").isLessThan(later.toString());
        assertThat(earlier.version()).isEqualTo(7);
        var many = new HashSet<UUID>();
        for (int i = 0; i < 100_000; i++) {
            many.add(Ids.newEventId());
        }
        assertThat(many).hasSize(100_000);
    }
}
