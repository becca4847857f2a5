package io.herald.token.routing;

import io.herald.events.DomainEvent;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A record of {@code herald.topic-fanout.v1}: a piece of one event's fan-out to one topic's subscribers, who are read
 * in user id order. A plan record lays out the chunks from {@code from} on (from the first subscriber for {@code
 * null}), a bounded number of them, and hands the rest to a continuation plan record; a chunk record is the range of
 * subscribers from {@code from} (inclusive) to {@code until} (exclusive; {@code null}: to the last), about {@code
 * chunk-size} of them when planned.
 *
 * @param event the event, with no topics, and with the recipients it lists (the chunks skip them: they heard of it
 *     already), or none when it lists more than {@value #MAX_LISTED_CARRIED} (then a listed subscriber is reached
 *     twice under the same ids, which the inbox and dispatch-service take once)
 * @param topic the topic whose subscribers this piece reaches
 * @param from the first subscriber of the range, or {@code null} for the topic's first (plan records only)
 * @param until the first subscriber after the range, or {@code null} for the rest of the topic
 * @param plan whether this is a plan record rather than a chunk
 */
record FanoutWork(
        DomainEvent event,
        String topic,
        @Nullable String from,
        @Nullable String until,
        boolean plan) {

    /** The most listed recipients fan-out records carry, so that a record stays far below Kafka's size limit. */
    static final int MAX_LISTED_CARRIED = 1000;

    /** The first plan record of the event's fan-out to {@code topic}. */
    static FanoutWork start(DomainEvent event, String topic) {
        List<String> listed = event.recipients().size() <= MAX_LISTED_CARRIED ? event.recipients() : List.of();
        return new FanoutWork(event.withRecipients(listed), topic, null, null, true);
    }

    /** The record's key: the event, the topic and where the range starts, so that chunks spread over partitions. */
    String key() {
        return event.eventId() + "/" + topic + "/" + (from == null ? "" : from) + (plan ? "/plan" : "");
    }

    /**
     * The records this plan record lays out, given {@code starts}: the first subscriber of every chunk from {@code
     * from} on, at most {@code chunks + 1} of them (the subscription index's answer). A chunk from each start to the
     * next; when there are {@code chunks + 1} starts, the last one begins a continuation plan record instead of a
     * chunk, else the last chunk runs to the topic's end. No starts (no subscribers left): nothing.
     */
    List<FanoutWork> layOut(List<String> starts, int chunks) {
        if (!plan) {
            throw new IllegalStateException("only a plan record lays out chunks");
        }
        List<FanoutWork> laid = new ArrayList<>(starts.size());
        boolean more = starts.size() > chunks;
        int last = more ? chunks : starts.size();
        for (int i = 0; i < last; i++) {
            String until = i + 1 < starts.size() ? starts.get(i + 1) : null;
            laid.add(new FanoutWork(event, topic, starts.get(i), until, false));
        }
        if (more) {
            laid.add(new FanoutWork(event, topic, starts.get(chunks), null, true));
        }
        return laid;
    }
}
