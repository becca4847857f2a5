package io.herald.fanout.ws;

import io.herald.events.Change;
import io.herald.events.Channel;
import io.herald.events.DeliveryStatus;
import io.herald.events.DomainEvent;
import io.herald.events.InAppNotification;
import io.herald.events.Topics;
import io.herald.events.TraceContext;
import io.herald.fanout.inbox.InboxStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

/**
 * Pushes every in-app notification to the sockets this node holds for its recipient. Each node reads {@code
 * herald.inapp.v1} in its own consumer group, starting from the newest records, so every node sees every
 * notification; what a client misses while disconnected it gets back with {@code resume} from the inbox. Each
 * message carries the record's place in the topic ({@code position}), which a client resumes from.
 * Every socket write of a notification is counted ({@code herald.fanout.live.writes}) and, with {@code
 * herald.delivery-status.publish} on, publishes a {@code delivered} {@link DeliveryStatus}. A withdrawal or an
 * update ({@link InAppNotification#change()}) goes to the same sockets as a {@code notification_withdrawn} or {@code
 * notification_updated} message at its own position (so a resume orders it with the notifications), without a
 * status; a notification withdrawn before it came is not pushed ({@link RecentWithdrawals}), and a record written
 * to sockets lately is not written again when it comes once more ({@link LiveRepeats}).
 */
@Component
class LiveFanout {

    private static final Logger log = LoggerFactory.getLogger(LiveFanout.class);
    private static final String SERVICE = "ws-fanout-service";

    private final SessionRegistry registry;
    private final LiveFrontier frontier;
    private final KafkaTemplate<String, Object> kafka;
    private final SocketProperties properties;
    private final Clock clock;
    private final boolean publishStatuses;
    private final Counter liveWrites;
    private final Counter repeatsSkipped;
    private final RecentWithdrawals withdrawals = new RecentWithdrawals();
    private final LiveRepeats repeats;

    LiveFanout(
            SessionRegistry registry,
            LiveFrontier frontier,
            KafkaTemplate<String, Object> kafka,
            SocketProperties properties,
            LiveProperties live,
            DeliveryStatusProperties statuses,
            Clock clock,
            MeterRegistry meters) {
        this.liveWrites = meters.counter("herald.fanout.live.writes");
        this.repeatsSkipped = meters.counter("herald.fanout.live.repeats");
        this.publishStatuses = statuses.publish();
        this.repeats = new LiveRepeats(live);
        this.registry = registry;
        this.frontier = frontier;
        this.kafka = kafka;
        this.properties = properties;
        this.clock = clock;
    }

    /** The consumer group of this node's live path, read by the listener below. */
    public String liveGroupId() {
        return properties.liveGroupId();
    }

    @KafkaListener(
            id = "live-fanout",
            topics = Topics.INAPP,
            groupId = "#{__listener.liveGroupId()}",
            containerFactory = "liveListenerContainerFactory",
            // A fetch waits up to 20 ms for 32 KB: under load, a few large fetches instead of one per handful of
            // records (each costs the broker and this thread); when quiet, at most 20 ms more per notification.
            properties = {"auto.offset.reset=latest", "fetch.min.bytes=32768", "fetch.max.wait.ms=20"})
    void onNotifications(List<ConsumerRecord<String, InAppNotification>> records) {
        // Before any socket is looked up: a resume replays what lies below the frontier (LiveFrontier).
        frontier.passing(records);
        var batch = new WriteBatch<Receipt>();
        for (ConsumerRecord<String, InAppNotification> record : records) {
            InAppNotification notification = record.value();
            if (notification == null) {
                // Unreadable: the inbox writer's group dead-letters it, once, whichever node reads it there.
                continue;
            }
            Change.Kind change = notification.change();
            if (change == Change.Kind.WITHDRAW) {
                withdrawals.add(notification);
            } else if (change == null && withdrawals.withdrawn(notification)) {
                log.debug("notification {} not pushed: withdrawn before it came", notification.notificationId());
                continue;
            }
            List<ClientSession> sessions = registry.sessionsOf(notification.userId());
            if (sessions.isEmpty()) {
                continue;
            }
            if (!repeats.first(notification)) {
                // Routed again by token-service (same derived id, a new offset): its sockets have it.
                repeatsSkipped.increment();
                log.debug("notification {} not pushed again: written lately", notification.notificationId());
                continue;
            }
            // Rendered once per dialect the recipient's sockets speak, most often one.
            var frames = new EnumMap<SocketDialect, StreamGate.Frame>(SocketDialect.class);
            String traceparent = TraceContext.traceparent(record.headers());
            for (ClientSession session : sessions) {
                StreamGate.Frame frame = frames.computeIfAbsent(
                        session.dialect(),
                        dialect -> new StreamGate.Frame(
                                record.partition(), record.offset(), bytes(dialect, notification, record)));
                if (change != null) {
                    // A withdrawal or an update is no delivery of a notification: not counted, no status.
                    batch.add(session, frame, Receipt.CHANGE);
                    continue;
                }
                if (!publishStatuses) {
                    batch.add(session, frame, Receipt.WRITE);
                    continue;
                }
                var status = new ProducerRecord<String, Object>(
                        Topics.DELIVERY_STATUS, notification.eventId().toString(), delivered(notification));
                // The status goes on in the trace of the event it reports on.
                TraceContext.propagate(traceparent, status.headers());
                batch.add(session, frame, new Receipt(true, status));
            }
            log.trace("notification {} for {} sockets", notification.notificationId(), sessions.size());
        }
        // The sockets first, then the statuses saying so.
        List<ProducerRecord<String, Object>> statuses = new ArrayList<>();
        int writes = 0;
        for (Receipt receipt : batch.flush()) {
            if (receipt.notification()) {
                writes++;
            }
            ProducerRecord<String, Object> status = receipt.status();
            if (status != null) {
                statuses.add(status);
            }
        }
        statuses.forEach(kafka::send);
        if (writes > 0) {
            liveWrites.increment(writes);
        }
    }

    /**
     * The frame of a record in a socket's dialect: a notification, or a {@code notification_withdrawn} / {@code
     * notification_updated}.
     */
    private static byte[] bytes(SocketDialect dialect, InAppNotification n, ConsumerRecord<?, ?> record) {
        Change.Kind change = n.change();
        var position = new InboxStore.StreamPosition(record.partition(), record.offset());
        if (change == Change.Kind.WITHDRAW) {
            return switch (dialect) {
                case HERALD -> SocketMessages.withdrawnBytes(n, record.partition(), record.offset());
                case CHANNELS, WORK -> ChannelsMessages.withdrawn(n, position);
            };
        }
        if (change == Change.Kind.UPDATE) {
            return switch (dialect) {
                case HERALD -> SocketMessages.updatedBytes(n, record.partition(), record.offset());
                case CHANNELS -> ChannelsMessages.updated(Shown.of(n), position);
                case WORK -> WorkMessages.updated(Shown.of(n), position);
            };
        }
        return switch (dialect) {
            case HERALD -> SocketMessages.notificationBytes(n, record.partition(), record.offset());
            case CHANNELS -> ChannelsMessages.notification(Shown.of(n), position);
            case WORK -> WorkMessages.notification(Shown.of(n), position);
        };
    }

    /**
     * What a socket write was: of a notification (counted) or of a change, and its delivery status to publish, if
     * it has one.
     */
    private record Receipt(boolean notification, @Nullable ProducerRecord<String, Object> status) {
        static final Receipt CHANGE = new Receipt(false, null);
        static final Receipt WRITE = new Receipt(true, null);
    }

    private DeliveryStatus delivered(InAppNotification notification) {
        return new DeliveryStatus(
                notification.eventId(),
                DomainEvent.SCHEMA_VERSION,
                clock.instant(),
                notification.userId(),
                Channel.INAPP,
                notification.notificationId(),
                null,
                null,
                DeliveryStatus.Outcome.DELIVERED,
                "written to a socket on node " + properties.nodeId(),
                SERVICE);
    }
}
