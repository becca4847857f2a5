package io.herald.fanout.ws;

import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * What the socket dialects may do beyond answering the inbox, {@code herald.fanout.dialects.*}.
 *
 * @param sendToOthers {@code send-to-others}: whether a socket's {@code send_notification} may name another user
 *     than its own; when {@code false} (the default) such a message is answered {@code error forbidden}
 * @param sendSource {@code send-source}: the {@code source} of the events a {@code send_notification} publishes
 *     (their notification ids derive from it)
 * @param replyRouting {@code reply-routing}: the client actions (so far only {@code work_response}) that also become
 *     a notification to the actor of the assignment they answer; none by default
 * @param defaultSource {@code default-source}: the source of such a reply where the inbox does not know the
 *     assignment's own (items stored before sources were kept)
 */
@ConfigurationProperties("herald.fanout.dialects")
public record DialectProperties(
        @DefaultValue("false") boolean sendToOthers,
        @DefaultValue("herald-socket") String sendSource,
        @DefaultValue({}) Set<String> replyRouting,
        @DefaultValue("herald-socket") String defaultSource) {

    /** The only client action so far. */
    static final String WORK_RESPONSE = "work_response";

    public DialectProperties {
        replyRouting = Set.copyOf(replyRouting);
        for (String action : replyRouting) {
            if (!action.equals(WORK_RESPONSE)) {
                throw new IllegalArgumentException("herald.fanout.dialects.reply-routing: unknown client action "
                        + action + " (known: work_response)");
            }
        }
        source("send-source", sendSource);
        source("default-source", defaultSource);
    }

    private static void source(String key, String value) {
        if (value.isBlank() || value.length() > 128) {
            throw new IllegalArgumentException(
                    "herald.fanout.dialects." + key + " must be 1 to 128 characters (an event's source)");
        }
    }

    /** Whether a {@code work_response} (or another action) is also sent to the assignment's actor. */
    boolean routesReplies(String action) {
        return replyRouting.contains(action);
    }
}
