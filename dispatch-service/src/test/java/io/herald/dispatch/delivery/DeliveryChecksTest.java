package io.herald.dispatch.delivery;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.dispatch.TestDeliveries;
import io.herald.events.Provider;
import io.herald.events.PushDelivery;
import io.herald.events.RejectedRecordException;
import io.herald.events.TextRules;
import java.util.Map;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

class DeliveryChecksTest {

    private static PushDelivery like() {
        return TestDeliveries.like("user-1", "token-1", Provider.FCM);
    }

    private static PushDelivery with(String title, Map<String, String> data, Integer ttl) {
        PushDelivery d = like();
        return new PushDelivery(
                d.deliveryId(),
                d.notificationId(),
                d.eventId(),
                d.schemaVersion(),
                d.occurredAt(),
                d.userId(),
                d.type(),
                d.provider(),
                d.token(),
                d.platform(),
                title,
                d.body(),
                data,
                d.priority(),
                ttl,
                d.collapseKey(),
                d.androidChannelId(),
                d.sound());
    }

    @Test
    void aDeliveryWithLinesAndTabsAndAnyLanguagePasses() {
        assertThatCode(() -> DeliveryChecks.check(with("Line one\nline\ttwo\r\n — ✓ 日本 🎉", Map.of("k", "v\n"), 0)))
                .doesNotThrowAnyException();
    }

    @Test
    void aNulInTheTitleIsRefusedNamingTheFieldButNotItsText() {
        assertThatThrownBy(() -> DeliveryChecks.check(with("secret\u0000title", Map.of(), null)))
                .isInstanceOfSatisfying(RejectedRecordException.class, e -> {
                    Assertions.assertThat(e.code()).isEqualTo(TextRules.CODE);
                    Assertions.assertThat(e.getMessage())
                            .contains("title contains U+0000 at index 6")
                            .doesNotContain("secret");
                });
    }

    @Test
    void controlCharactersInDataKeysAndValuesAndDelAreRefused() {
        assertThatThrownBy(() -> DeliveryChecks.check(with("t", Map.of("bad\u0001key", "v"), null)))
                .hasMessageContaining("a key of data contains U+0001 at index 3")
                .hasMessageNotContaining("bad");
        assertThatThrownBy(() -> DeliveryChecks.check(with("t", Map.of("k", "v\u001b[31m"), null)))
                .hasMessageContaining("data.k contains U+001B at index 1");
        assertThatThrownBy(() -> DeliveryChecks.check(with("del\u007f", Map.of(), null)))
                .hasMessageContaining("U+007F");
    }

    @Test
    void aNegativeTtlIsRefused() {
        assertThatThrownBy(() -> DeliveryChecks.check(with("t", Map.of(), -5)))
                .isInstanceOf(RejectedRecordException.class)
                .hasMessageContaining("ttlSeconds is negative (-5)");
    }
}
