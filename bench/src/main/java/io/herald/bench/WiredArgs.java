package io.herald.bench;

import io.herald.devstack.HeraldService;
import io.herald.devstack.StackWiring;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A service's command line from the dev stack's wiring ({@link StackWiring#properties(HeraldService)}: the broker,
 * the database, the secrets, the providers, loopback addresses), with a benchmark's own settings over it and warnings
 * only in its log.
 */
final class WiredArgs {

    private WiredArgs() {}

    static List<String> of(StackWiring wiring, HeraldService service, Map<String, String> overrides) {
        Map<String, String> properties = new LinkedHashMap<>(wiring.properties(service));
        properties.put("logging.level.root", "WARN");
        properties.putAll(overrides);
        if ("${server.port}".equals(properties.get("management.server.port"))) {
            properties.remove("management.server.address"); // the actuator shares the API's port and address
        }
        return properties.entrySet().stream()
                .map(e -> "--" + e.getKey() + "=" + e.getValue())
                .toList();
    }

    static String[] array(StackWiring wiring, HeraldService service, Map<String, String> overrides) {
        return of(wiring, service, overrides).toArray(String[]::new);
    }
}
