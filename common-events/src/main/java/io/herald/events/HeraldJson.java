package io.herald.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.cfg.DateTimeFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.module.SimpleModule;

/**
 * The one JSON configuration for everything on Herald's topics: ISO-8601 instants, nulls left out, unknown
 * properties ignored (a newer producer may add fields), no Java type information anywhere.
 */
public final class HeraldJson {

    private static final JsonMapper MAPPER = JsonMapper.builder()
            .changeDefaultPropertyInclusion(incl -> incl.withValueInclusion(JsonInclude.Include.NON_NULL))
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DateTimeFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .addModule(
                    new SimpleModule("herald-instants").addDeserializer(Instant.class, new FastInstantDeserializer()))
            .build();

    private HeraldJson() {}

    /** The shared, thread-safe mapper. Do not reconfigure it; {@code rebuild()} a copy instead. */
    public static JsonMapper mapper() {
        return MAPPER;
    }
}
