package io.herald.events;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import tools.jackson.databind.JsonNode;

/**
 * The JSON Schema (draft 2020-12) of {@link DomainEvent}: the contract for producers in any language. The
 * schema file ships in this jar as {@value #RESOURCE}; docs/events.md links to its source.
 */
public final class DomainEventSchema {

    /** Where the schema lives on the classpath. */
    public static final String RESOURCE = "/io/herald/events/domain-event.schema.json";

    private static final Schema SCHEMA = load();

    private DomainEventSchema() {}

    /** The schema text, for serving or publishing it. */
    public static String text() {
        try (InputStream in = DomainEventSchema.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Validates a parsed event. Thread-safe.
     *
     * @return one line per violation, such as {@code "$.recipients: must have at least 1 items but found
     *     0"}; empty when the event is valid
     */
    public static List<String> violations(JsonNode event) {
        List<Error> errors = SCHEMA.validate(event);
        return errors.stream().map(Error::toString).toList();
    }

    private static Schema load() {
        SchemaRegistry registry = SchemaRegistry.withDefaultDialect(
                SpecificationVersion.DRAFT_2020_12,
                builder -> builder.schemaRegistryConfig(SchemaRegistryConfig.builder()
                        .formatAssertionsEnabled(true)
                        .locale(Locale.ROOT)
                        .build()));
        return registry.getSchema(text());
    }
}
