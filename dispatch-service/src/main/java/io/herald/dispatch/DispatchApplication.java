package io.herald.dispatch;

import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

/** dispatch-service: sends each push delivery to its provider, once, and reports what became of it. */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class DispatchApplication {

    /** The configuration file name: {@code dispatch-service.yml}, so several services can share a classpath. */
    public static final String CONFIG_NAME = "dispatch-service";

    /** The application, reading {@code dispatch-service.yml} rather than {@code application.yml}. */
    public static SpringApplication application() {
        SpringApplication app = new SpringApplication(DispatchApplication.class);
        app.setDefaultProperties(Map.of("spring.config.name", CONFIG_NAME));
        return app;
    }

    public static void main(String[] args) {
        application().run(args);
    }
}
