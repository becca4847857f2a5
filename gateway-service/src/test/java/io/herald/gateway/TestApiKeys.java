package io.herald.gateway;

import io.herald.gateway.security.ApiKeys;
import java.util.HexFormat;
import org.springframework.test.context.DynamicPropertyRegistry;

/** API keys as the gateway's integration tests configure them: as an operator does, by app name and hash. */
public final class TestApiKeys {

    private TestApiKeys() {}

    /** {@code herald.gateway.api-keys[index]}: app {@code app}, holding {@code key} (only its SHA-256 is set). */
    public static void add(DynamicPropertyRegistry registry, int index, String app, String key) {
        registry.add("herald.gateway.api-keys[" + index + "].name", () -> app);
        registry.add(
                "herald.gateway.api-keys[" + index + "].sha256",
                () -> HexFormat.of().formatHex(ApiKeys.sha256(key)));
    }
}
