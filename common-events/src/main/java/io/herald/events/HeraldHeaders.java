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

    /** On a retry topic: how many sends of this delivery were made so far (decimal, UTF-8). */
    public static final String RETRY_ATTEMPT = "herald-retry-attempt";

    /** On a retry topic: when the next send is due, epoch milliseconds (decimal, UTF-8). */
    public static final String RETRY_NOT_BEFORE = "herald-retry-not-before";

    /** On a retry topic: the last failure, such as {@code QUOTA_EXCEEDED: Quota exceeded} (UTF-8). */
    public static final String RETRY_LAST_FAILURE = "herald-retry-last-failure";

    private HeraldHeaders() {}
}
