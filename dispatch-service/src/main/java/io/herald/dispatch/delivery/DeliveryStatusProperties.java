package io.herald.dispatch.delivery;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Whether outcomes travel on {@code herald.delivery-status.v1}, {@code herald.delivery-status.*}.
 *
 * @param publish {@code publish} ({@code HERALD_DELIVERY_STATUS_PUBLISH}): publish a {@code DeliveryStatus} for
 *     every outcome ({@code sent}, {@code rejected}, {@code failed}, {@code dead_lettered}). Off by default: the
 *     record of sends ({@code dispatch.deliveries}, read through {@code GET /internal/v1/deliveries}) is the push
 *     half of the delivery log, and a status record per outcome would cost a Kafka record and a second row
 *     downstream per delivery. Token feedback ({@code herald.token-feedback.v1}) is published either way
 */
@ConfigurationProperties("herald.delivery-status")
public record DeliveryStatusProperties(
        @DefaultValue("false") boolean publish) {}
