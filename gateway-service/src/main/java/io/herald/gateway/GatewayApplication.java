package io.herald.gateway;

import io.herald.spring.web.RequestBodyLimits;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.Bean;

/**
 * gateway-service: Herald's only public HTTP API. Upstream apps publish events with an API key; mobile and web
 * apps manage their devices with a JWT. It owns no data: it authenticates, validates, and publishes to Kafka
 * or asks the owning service.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class GatewayApplication {

    /** The configuration file name: {@code gateway-service.yml}, so several services can share a classpath. */
    public static final String CONFIG_NAME = "gateway-service";

    /** The application, reading {@code gateway-service.yml} rather than {@code application.yml}. */
    public static SpringApplication application() {
        SpringApplication app = new SpringApplication(GatewayApplication.class);
        app.setDefaultProperties(Map.of("spring.config.name", CONFIG_NAME));
        return app;
    }

    public static void main(String[] args) {
        application().run(args);
    }

    /**
     * The gateway's body limits, applied to every request before its body is read: {@code
     * max-batch-request-size} for {@code POST /v1/events/batch}, {@code max-request-size} for everything else.
     */
    @Bean
    RequestBodyLimits requestBodyLimits(GatewayProperties properties) {
        long max = properties.maxRequestSize().toBytes();
        long batch = properties.maxBatchRequestSize().toBytes();
        return request -> "/v1/events/batch".equals(request.getRequestURI()) ? batch : max;
    }
}
