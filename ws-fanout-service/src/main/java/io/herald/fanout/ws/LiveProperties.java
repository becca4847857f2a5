package io.herald.fanout.ws;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Live path settings, {@code herald.fanout.live.*}.
 *
 * @param repeatWindow {@code repeat-window}: how long this node remembers a notification (or a withdrawal or an
 *     update) it wrote to sockets, and writes it to none again when its record comes once more (token-service
 *     published it again)
 * @param repeatMax {@code repeat-max}: the most of them it remembers (the oldest are forgotten first); each costs
 *     about 200 bytes of heap
 */
@ConfigurationProperties("herald.fanout.live")
record LiveProperties(
        @DefaultValue("10m") Duration repeatWindow,
        @DefaultValue("100000") int repeatMax) {

    LiveProperties {
        if (repeatWindow.isNegative() || repeatWindow.isZero()) {
            throw new IllegalArgumentException("herald.fanout.live.repeat-window must be positive");
        }
        if (repeatMax < 1) {
            throw new IllegalArgumentException("herald.fanout.live.repeat-max must be at least 1");
        }
    }
}
