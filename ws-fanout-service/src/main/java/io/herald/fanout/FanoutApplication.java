package io.herald.fanout;

import io.herald.spring.web.UserIdPaths;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.Import;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * ws-fanout-service: a WebSocket node pushing notifications live (Netty, {@code herald.fanout.ws.port}) and the
 * in-app inbox (PostgreSQL schema {@code inbox}) fed from {@code herald.inapp.v1}, with its internal API and the
 * actuator on {@code server.port}.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
@Import(UserIdPaths.class)
public class FanoutApplication {

    /** The configuration file name: {@code ws-fanout-service.yml}, so several services can share a classpath. */
    public static final String CONFIG_NAME = "ws-fanout-service";

    /** The application, reading {@code ws-fanout-service.yml} rather than {@code application.yml}. */
    public static SpringApplication application() {
        SpringApplication app = new SpringApplication(FanoutApplication.class);
        app.setDefaultProperties(Map.of("spring.config.name", CONFIG_NAME));
        return app;
    }

    public static void main(String[] args) {
        application().run(args);
    }
}
