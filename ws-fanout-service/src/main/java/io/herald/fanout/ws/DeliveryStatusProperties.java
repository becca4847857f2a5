package io.herald.fanout.ws;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code herald.delivery-status.*}, as in dispatch-service.
 *
 * @param publish {@code publish}: whether every socket write of a notification publishes a {@code delivered}
 *     {@code DeliveryStatus} on {@code herald.delivery-status.v1}; off (the default), it is only counted ({@code
 *     herald.fanout.live.writes})
 */
@ConfigurationProperties("herald.delivery-status")
record DeliveryStatusProperties(@DefaultValue("false") boolean publish) {}
