package io.herald.gateway.devices;

import io.herald.gateway.GatewayProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class DownstreamConfig {

    @Bean
    Downstream tokenService(GatewayProperties properties) {
        return new Downstream("The device registry", properties.tokenServiceUrl(), properties.downstreamTimeout());
    }

    @Bean
    Downstream inboxService(GatewayProperties properties) {
        return new Downstream("The inbox", properties.wsFanoutUrl(), properties.downstreamTimeout());
    }
}
