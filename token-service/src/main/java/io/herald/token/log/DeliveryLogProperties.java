package io.herald.token.log;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Delivery log settings, {@code herald.token.delivery-log.*}.
 *
 * @param plannedHold {@code planned-hold}: how long a push's planned entry waits for its status before it is
 *     written (the status then updates it); a status that comes meanwhile is written alone, one row instead of
 *     two writes. {@code 0s} writes every plan at once
 * @param maxHeld {@code max-held}: at most this many plans wait at a time; beyond it plans are written at once
 */
@ConfigurationProperties("herald.token.delivery-log")
record DeliveryLogProperties(
        @DefaultValue("1s") Duration plannedHold,
        @DefaultValue("100000") int maxHeld) {

    DeliveryLogProperties {
        if (plannedHold.isNegative()) {
            throw new IllegalArgumentException("herald.token.delivery-log.planned-hold must not be negative");
        }
        if (maxHeld < 0) {
            throw new IllegalArgumentException("herald.token.delivery-log.max-held must not be negative");
        }
    }
}
