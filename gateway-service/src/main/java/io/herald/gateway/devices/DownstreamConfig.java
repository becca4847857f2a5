package io.herald.gateway.devices;

import io.herald.gateway.GatewayProperties;
import io.herald.spring.web.InternalApiProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The internal services the gateway calls; it refuses to start without the credential they require. */
@Configuration(proxyBeanMethods = false)
class DownstreamConfig {

    private static final String WHY = "the gateway sends it on every call to token-service and ws-fanout-service";

    @Bean
    Downstream tokenService(GatewayProperties properties, InternalApiProperties internal) {
        return new Downstream(
                "The device registry",
                properties.tokenServiceUrl(),
                properties.downstreamTimeout(),
                internal.requireSecret(WHY));
    }

    @Bean
    Downstream inboxService(GatewayProperties properties, InternalApiProperties internal) {
        return new Downstream(
                "The inbox", properties.wsFanoutUrl(), properties.downstreamTimeout(), internal.requireSecret(WHY));
    }
}
