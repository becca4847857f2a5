package io.herald.devstack;

import io.herald.dispatch.DispatchApplication;
import io.herald.fanout.FanoutApplication;
import io.herald.gateway.GatewayApplication;
import io.herald.token.TokenApplication;
import java.util.function.Supplier;
import org.springframework.boot.SpringApplication;

/** Herald's four services, as the dev stack runs them. */
public enum HeraldService {
    GATEWAY("gateway-service", GatewayApplication.class, GatewayApplication::application, false),
    TOKEN("token-service", TokenApplication.class, TokenApplication::application, true),
    DISPATCH("dispatch-service", DispatchApplication.class, DispatchApplication::application, true),
    WS_FANOUT("ws-fanout-service", FanoutApplication.class, FanoutApplication::application, true);

    private final String serviceName;
    private final Class<?> mainClass;

    @SuppressWarnings("ImmutableEnumChecker") // references to static factory methods, which hold no state
    private final Supplier<SpringApplication> application;

    private final boolean usesDatabase;

    HeraldService(
            String serviceName, Class<?> mainClass, Supplier<SpringApplication> application, boolean usesDatabase) {
        this.serviceName = serviceName;
        this.mainClass = mainClass;
        this.application = application;
        this.usesDatabase = usesDatabase;
    }

    /** Its name: {@code spring.application.name}, its configuration file's and its image's. */
    public String serviceName() {
        return serviceName;
    }

    /** A new {@code SpringApplication} of it, reading its own configuration file. */
    public SpringApplication application() {
        return application.get();
    }

    /** Its main class, to run it in a JVM of its own. */
    public String mainClass() {
        return mainClass.getName();
    }

    /** Whether it keeps data in PostgreSQL (all but the gateway). */
    public boolean usesDatabase() {
        return usesDatabase;
    }
}
