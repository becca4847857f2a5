package io.herald.events;

/** Names of the custom Kafka record headers Herald writes. All carry the {@code herald-} prefix. */
public final class HeraldHeaders {

    /** Why a record was dead-lettered, in one human-readable line (UTF-8). */
    public static final String DLT_REASON = "herald-dlt-reason";

    /** A stable, machine-readable code for the dead-letter reason, such as {@code invalid-json}. */
    public static final String DLT_REASON_CODE = "herald-dlt-reason-code";

    /** The topic a dead-lettered record was read from. */
    public static final String DLT_ORIGINAL_TOPIC = "herald-dlt-original-topic";

    /** The service that dead-lettered the record. */
    public static final String DLT_SERVICE = "herald-dlt-service";

    private HeraldHeaders() {}
}
