package io.herald.fanout.ws;

import java.util.Map;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** {@link SocketProperties} as the application binds them: the defaults, with some keys set. */
final class TestProperties {

    private TestProperties() {}

    /** The defaults, with {@code settings} ({@code herald.fanout.ws.} keys without the prefix) over them. */
    static SocketProperties socket(Map<String, String> settings) {
        var source = new MapConfigurationPropertySource();
        settings.forEach((key, value) -> source.put("herald.fanout.ws." + key, value));
        return new Binder(source).bindOrCreate("herald.fanout.ws", SocketProperties.class);
    }
}
