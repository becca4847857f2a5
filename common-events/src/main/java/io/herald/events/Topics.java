package io.herald.events;

/**
 * The names of Herald's Kafka topics. These constants are the only place the names are spelled; services
 * declare the topics they produce as beans, and topic auto-creation is off.
 */
public final class Topics {

    /** Domain events from upstream apps, keyed by event id; value {@link DomainEvent} as plain JSON. */
    public static final String EVENTS = "herald.events.v1";

    /** Records of {@link #EVENTS} that failed to parse or validate, as the raw bytes, reason in headers. */
    public static final String EVENTS_DLT = "herald.events.v1-dlt";

    /** One {@link PushDelivery} per device, keyed by user id so each user's deliveries stay in order. */
    public static final String PUSH = "herald.push.v1";

    /** Push deliveries that failed permanently or ran out of retries, reason in headers. */
    public static final String PUSH_DLT = "herald.push.v1-dlt";

    /** One {@link InAppNotification} per recipient, keyed by user id. */
    public static final String INAPP = "herald.inapp.v1";

    /** Records of {@link #INAPP} that could not be read or stored, reason in headers. */
    public static final String INAPP_DLT = "herald.inapp.v1-dlt";

    /** {@link TokenFeedback}: a provider said a token is dead. Keyed by token. */
    public static final String TOKEN_FEEDBACK = "herald.token-feedback.v1";

    /** Records of {@link #TOKEN_FEEDBACK} that could not be read, reason in headers. */
    public static final String TOKEN_FEEDBACK_DLT = "herald.token-feedback.v1-dlt";

    /** Every outcome of every delivery ({@link DeliveryStatus}), keyed by event id. */
    public static final String DELIVERY_STATUS = "herald.delivery-status.v1";

    /** Records of {@link #DELIVERY_STATUS} that could not be read, reason in headers. */
    public static final String DELIVERY_STATUS_DLT = "herald.delivery-status.v1-dlt";

    /**
     * token-service's own work queue for events naming {@link DomainEvent#topics()}: plan and chunk records (a
     * range of one topic's subscribers) of one event, keyed by event, topic and range so that chunks spread over the
     * partitions. Produced and consumed by token-service only.
     */
    public static final String TOPIC_FANOUT = "herald.topic-fanout.v1";

    /** Records of {@link #TOPIC_FANOUT} that could not be read or whose data the database refused. */
    public static final String TOPIC_FANOUT_DLT = "herald.topic-fanout.v1-dlt";

    /** What apps send back over the socket ({@link ClientAction}), keyed by user id. */
    public static final String CLIENT_ACTIONS = "herald.client-actions.v1";

    private Topics() {}
}
