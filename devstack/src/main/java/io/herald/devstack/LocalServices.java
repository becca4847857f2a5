package io.herald.devstack;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Instances of Herald's services in this JVM, each its own Spring context, run against one {@link StackWiring} with
 * the properties the dev stack gives them: what {@link DevStack}, the fault tests and the benchmarks start services
 * with. Any number of instances of a service may run side by side (they share the work through their consumer
 * groups, as in production); a gateway calls the first token-service and ws-fanout-service instances started here,
 * and a token-service the first dispatch-service and ws-fanout-service instances started before it, as a network
 * alias would pick one, unless their settings name others.
 *
 * <p>Not thread-safe: one thread starts and stops instances. {@link #close()} stops every running instance, the last
 * started first.
 */
public final class LocalServices implements AutoCloseable {

    private final StackWiring wiring;
    private final Map<String, ConfigurableApplicationContext> running = new LinkedHashMap<>();
    private final Map<HeraldService, String> firstUrl = new EnumMap<>(HeraldService.class);

    /** Nothing runs yet. */
    public LocalServices(StackWiring wiring) {
        this.wiring = wiring;
    }

    /** What the instances run against. */
    public StackWiring wiring() {
        return wiring;
    }

    /**
     * Starts an instance of {@code service} named {@code name} (unique among the running ones), with {@code settings}
     * over {@link StackWiring#properties(HeraldService)}, and returns once it is up.
     *
     * @throws IllegalArgumentException if an instance of that name runs
     */
    public ConfigurableApplicationContext start(HeraldService service, String name, Map<String, String> settings) {
        if (running.containsKey(name)) {
            throw new IllegalArgumentException(name + " is running");
        }
        Map<String, String> properties = wiring.properties(service);
        if (service == HeraldService.GATEWAY) {
            String tokenService = firstUrl.get(HeraldService.TOKEN);
            String fanout = firstUrl.get(HeraldService.WS_FANOUT);
            if (tokenService != null) {
                properties.put("herald.gateway.token-service-url", tokenService);
            }
            if (fanout != null) {
                properties.put("herald.gateway.ws-fanout-url", fanout);
            }
        }
        if (service == HeraldService.TOKEN) {
            String dispatch = firstUrl.get(HeraldService.DISPATCH);
            String fanout = firstUrl.get(HeraldService.WS_FANOUT);
            if (dispatch != null) {
                properties.put("herald.token.log.dispatch-url", dispatch);
            }
            if (fanout != null) {
                properties.put("herald.token.log.ws-fanout-url", fanout);
            }
        }
        // One argument per key: Spring would join a key given twice with a comma.
        properties.putAll(settings);
        List<String> arguments = new ArrayList<>();
        properties.forEach((key, value) -> arguments.add("--" + key + "=" + value));
        ConfigurableApplicationContext context = service.application().run(arguments.toArray(String[]::new));
        running.put(name, context);
        firstUrl.putIfAbsent(service, "http://" + DevStack.LOOPBACK + ":" + port(context));
        return context;
    }

    /**
     * Starts {@code count} instances of {@code service}, named {@code <service name>-1} … {@code -<count>}, as {@link
     * #start(HeraldService, String, Map)}.
     */
    public List<ConfigurableApplicationContext> start(HeraldService service, int count, Map<String, String> settings) {
        List<ConfigurableApplicationContext> started = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            started.add(start(service, service.serviceName() + "-" + i, settings));
        }
        return started;
    }

    /**
     * The running instance {@code name}.
     *
     * @throws IllegalArgumentException if none runs by that name
     */
    public ConfigurableApplicationContext instance(String name) {
        ConfigurableApplicationContext context = running.get(name);
        if (context == null) {
            throw new IllegalArgumentException("no instance " + name + " runs; running: " + running.keySet());
        }
        return context;
    }

    /** The HTTP port of the running instance {@code name} ({@code server.port}). */
    public int port(String name) {
        return port(instance(name));
    }

    /** {@code http://127.0.0.1:<port>} of the running instance {@code name}. */
    public String url(String name) {
        return "http://" + DevStack.LOOPBACK + ":" + port(name);
    }

    /** Stops the instance {@code name} (a graceful shutdown, as SIGTERM gives it), if it runs. */
    public void stop(String name) {
        ConfigurableApplicationContext context = running.remove(name);
        if (context != null) {
            context.close();
        }
    }

    /** Stops every running instance, the last started first; never throws. */
    @Override
    public void close() {
        List<String> names = new ArrayList<>(running.keySet());
        for (int i = names.size() - 1; i >= 0; i--) {
            try {
                stop(names.get(i));
            } catch (RuntimeException e) {
                System.err.println("herald: could not stop " + names.get(i) + ": " + e);
            }
        }
    }

    private static int port(ConfigurableApplicationContext context) {
        return context.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
    }
}
