package io.herald.token;

import io.herald.spring.web.UserIdPaths;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.Import;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * token-service: devices (PostgreSQL schema {@code token}) and routing: for each domain event, who hears
 * about it, on which devices, with what words.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
@Import(UserIdPaths.class)
public class TokenApplication {

    /** The configuration file name: {@code token-service.yml}, so several services can share a classpath. */
    public static final String CONFIG_NAME = "token-service";

    /** The application, reading {@code token-service.yml} rather than {@code application.yml}. */
    public static SpringApplication application() {
        SpringApplication app = new SpringApplication(TokenApplication.class);
        app.setDefaultProperties(Map.of("spring.config.name", CONFIG_NAME));
        return app;
    }

    public static void main(String[] args) {
        application().run(args);
    }
}
