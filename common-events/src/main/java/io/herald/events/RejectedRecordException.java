package io.herald.events;

import org.apache.kafka.common.errors.SerializationException;

/**
 * A record Herald cannot accept: not JSON, not valid against its schema, or of an unsupported version.
 * Permanent by nature: retrying the same bytes cannot help, so consumers dead-letter it at once with {@link
 * #code()} and the message in the {@code herald-dlt-reason*} headers.
 */
public class RejectedRecordException extends SerializationException {

    /** The bytes are not JSON, or not JSON of the expected shape. */
    public static final String INVALID_JSON = "invalid-json";

    /** The JSON does not validate against the schema. */
    public static final String SCHEMA_VIOLATION = "schema-violation";

    /**
     * A string of the record breaks {@link TextRules}: a control character or an unpaired surrogate. The reason
     * names the field.
     */
    public static final String INVALID_CHARACTERS = "invalid-characters";

    private final String code;

    public RejectedRecordException(String code, String message) {
        super(message);
        this.code = code;
    }

    public RejectedRecordException(String code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    /** A stable, machine-readable reason, such as {@value #SCHEMA_VIOLATION}. */
    public String code() {
        return code;
    }
}
