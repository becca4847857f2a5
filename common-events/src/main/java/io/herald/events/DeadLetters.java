package io.herald.events;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The {@code herald-dlt-*} headers every service puts on a dead-lettered record, so operators can list a
 * dead-letter topic by reason and replay it.
 */
public final class DeadLetters {

    /** The reason code when a record could be read but its processing failed for good. */
    public static final String PROCESSING_FAILED = "processing-failed";

    private DeadLetters() {}

    /**
     * Headers naming why {@code failure} dead-lettered a record of {@code originalTopic} in {@code service}:
     * the code of the first {@link RejectedRecordException} in the cause chain, else {@link
     * #PROCESSING_FAILED}; the reason is that exception's message.
     */
    public static Headers headers(String originalTopic, String service, Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null && !(cause instanceof RejectedRecordException)) {
            cause = cause.getCause();
        }
        String code = cause instanceof RejectedRecordException rejected ? rejected.code() : PROCESSING_FAILED;
        return headers(originalTopic, service, code, String.valueOf(cause.getMessage()));
    }

    /** Headers with an explicit reason code and reason. */
    public static Headers headers(String originalTopic, String service, String code, String reason) {
        var headers = new RecordHeaders();
        headers.add(HeraldHeaders.DLT_REASON, reason.getBytes(StandardCharsets.UTF_8));
        headers.add(HeraldHeaders.DLT_REASON_CODE, code.getBytes(StandardCharsets.UTF_8));
        headers.add(HeraldHeaders.DLT_ORIGINAL_TOPIC, originalTopic.getBytes(StandardCharsets.UTF_8));
        headers.add(HeraldHeaders.DLT_SERVICE, service.getBytes(StandardCharsets.UTF_8));
        return headers;
    }
}
