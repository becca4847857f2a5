package io.herald.dispatch.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.events.Provider;
import org.junit.jupiter.api.Test;

class ProviderRateLimitsTest {

    @Test
    void eachProviderHasItsOwnBudget() throws InterruptedException {
        var limits = new ProviderRateLimits(new ProviderRateLimits.Limits(1000, 3, 1000));

        assertThat(limits.available(Provider.EXPO)).isEqualTo(3);
        for (int i = 0; i < 3; i++) {
            limits.acquire(Provider.EXPO);
        }

        assertThat(limits.available(Provider.EXPO)).isZero();
        assertThat(limits.available(Provider.FCM)).isEqualTo(1000);
        assertThat(limits.available(Provider.WEBPUSH)).isEqualTo(Long.MAX_VALUE);
    }
}
