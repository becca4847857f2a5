package io.herald.fanout.ws;

import io.herald.fanout.inbox.InboxItem;
import io.herald.fanout.inbox.InboxProgress;
import io.herald.fanout.inbox.InboxStore;
import io.herald.fanout.inbox.InboxStore.StreamPosition;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;

/**
 * Answers {@code resume}: replays to one socket, each once and in order, the notifications its user missed after
 * a stream position (or a notification id), and lets the live path bring the rest.
 *
 * <p>A user's notifications are in one partition of {@code herald.inapp.v1}, in offset order. To resume from
 * offset {@code o} of partition {@code p}, the socket first holds back its live notifications ({@link StreamGate});
 * then this node's {@link LiveFrontier} {@code f} of {@code p} splits the stream: from {@code f} on the live path
 * brings every notification to the (now held) socket; below it, the inbox holds them once the inbox writers have
 * got that far, which the resume waits for (at most {@code resume-wait}). It replays the user's rows in {@code
 * (o, f)} and the gate writes them together with the held live ones, in offset order, without those the socket or
 * the client has already — and with them the withdrawals and updates recorded in that range ({@code
 * notification_withdrawn}, {@code notification_updated}), so the client ends as the inbox is. When that cannot be
 * done in time, the socket is closed with 1013 and the client resumes
 * again from where it was.
 *
 * <p>A notification id is turned into its position through its inbox row. When that row is not there (yet), the
 * resume waits for the inbox writers to reach the end of every partition as it was when the resume began: the
 * client got that notification before, so it was published before, and its row is then either stored or will
 * never be (another user's id, a deleted or unknown one: {@code not_found}).
 *
 * <p>Runs on the session's worker thread and blocks it (one message of a socket at a time).
 */
@Component
class Resumer {

    private static final Logger log = LoggerFactory.getLogger(Resumer.class);

    private final InboxStore inbox;
    private final InboxProgress progress;
    private final LiveFrontier frontier;
    private final TopicEnds ends;
    private final SocketProperties properties;
    private final MeterRegistry meters;

    Resumer(
            InboxStore inbox,
            InboxProgress progress,
            LiveFrontier frontier,
            TopicEnds ends,
            SocketProperties properties,
            MeterRegistry meters) {
        this.inbox = inbox;
        this.progress = progress;
        this.frontier = frontier;
        this.ends = ends;
        this.properties = properties;
        this.meters = meters;
    }

    /** Resumes after the notification at {@code from}, which the client says it has. */
    void fromPosition(ClientSession session, StreamPosition from, @Nullable String requestId) {
        if (!session.onStream((gate, out) -> gate.resuming())) {
            return;
        }
        long deadline = deadline();
        try {
            replay(session, from, deadline, requestId);
        } catch (DataAccessException | InterruptedException | TimeoutException | ExecutionException e) {
            unavailable(session, e);
        } catch (RuntimeException e) {
            failed(session, e);
        }
    }

    /** Resumes after the notification {@code lastId}, which the client says it has. */
    void fromNotification(ClientSession session, UUID lastId, @Nullable String requestId) {
        if (!session.onStream((gate, out) -> gate.resuming())) {
            return;
        }
        long deadline = deadline();
        try {
            Optional<InboxStore.Anchor> anchor = inbox.anchorOf(session.userId(), lastId);
            if (anchor.isEmpty()) {
                // Published before the client got it, so below today's ends: once the writers are past them, its
                // row is there or never will be.
                Set<Integer> partitions = frontier.awaitPartitions(left(deadline));
                if (partitions.isEmpty()
                        || !progress.awaitStored(ends.of(partitions, left(deadline)), left(deadline))) {
                    unavailable(session, null);
                    return;
                }
                anchor = inbox.anchorOf(session.userId(), lastId);
            }
            if (anchor.isEmpty()) {
                refuse(session, "not_found", "no such notification in your inbox", requestId);
                return;
            }
            StreamPosition position = anchor.get().position();
            if (position == null) {
                replayByTime(session, lastId, requestId);
                return;
            }
            replay(session, position, deadline, requestId);
        } catch (DataAccessException | InterruptedException | TimeoutException | ExecutionException e) {
            unavailable(session, e);
        } catch (RuntimeException e) {
            failed(session, e);
        }
    }

    /** A bug: the socket must not stay holding its live notifications back, so it goes as an unserved resume. */
    private void failed(ClientSession session, RuntimeException e) {
        log.error("resume on socket {} failed", session.id(), e);
        unavailable(session, e);
    }

    private void replay(ClientSession session, StreamPosition from, long deadline, @Nullable String requestId)
            throws InterruptedException, TimeoutException, ExecutionException {
        int partition = from.partition();
        OptionalLong frontierOf = frontier.await(partition, left(deadline));
        if (frontierOf.isEmpty()) {
            if (frontier.mayRead(partition)) {
                unavailable(session, null);
            } else {
                refuse(session, "invalid_field", "position is not the position of a notification", requestId);
            }
            return;
        }
        long before = frontierOf.getAsLong();
        // At or past this node's frontier: the client came from a node further ahead — or names a record that was
        // never published (the topic recreated, a made-up position), which would silence its live notifications.
        if (from.offset() + 1 >= before
                && from.offset() >= ends.of(Set.of(partition), left(deadline)).getOrDefault(partition, 0L)) {
            refuse(session, "invalid_field", "position is not the position of a notification", requestId);
            return;
        }
        List<StreamGate.Frame> frames = new ArrayList<>();
        boolean complete = true;
        if (before > from.offset() + 1) {
            if (!progress.awaitStored(Map.of(partition, before), left(deadline))) {
                unavailable(session, null);
                return;
            }
            int limit = properties.resumeLimit();
            List<InboxStore.Replayed> rows =
                    inbox.replay(session.userId(), partition, from.offset(), before, limit + 1);
            for (InboxStore.Replayed row : rows) {
                frames.add(new StreamGate.Frame(
                        partition,
                        row.position().offset(),
                        notificationBytes(session.dialect(), row.item(), row.position())));
            }
            // The withdrawals and updates in the range too, so the client's view ends as the inbox is.
            for (InboxStore.ReplayedChange change :
                    inbox.replayChanges(session.userId(), partition, from.offset(), before, limit + 1)) {
                frames.add(new StreamGate.Frame(
                        partition, change.position().offset(), changeBytes(session.dialect(), change)));
            }
            frames.sort(Comparator.comparingLong(StreamGate.Frame::offset));
            if (frames.size() > limit) {
                // Too many to replay: the newest, and the client is told to load the rest from its inbox.
                frames = new ArrayList<>(frames.subList(frames.size() - limit, frames.size()));
                complete = false;
            }
        }
        boolean whole = complete;
        List<StreamGate.Frame> replay = frames;
        session.onStream((gate, out) -> {
            int replayed = gate.resumed(partition, from.offset(), before, replay, out);
            out.accept(utf8(SocketMessages.resumed(replayed, whole, requestId)));
        });
    }

    private static byte[] changeBytes(SocketDialect dialect, InboxStore.ReplayedChange change) {
        InboxItem updated = change.updated();
        if (updated != null) {
            return switch (dialect) {
                case HERALD -> SocketMessages.updatedBytes(updated, change.position());
                case CHANNELS -> ChannelsMessages.updated(Shown.of(updated), change.position());
                case WORK -> WorkMessages.updated(Shown.of(updated), change.position());
            };
        }
        return switch (dialect) {
            case HERALD ->
                SocketMessages.withdrawnBytes(
                        change.withdrawnId(),
                        change.collapseKey(),
                        change.source(),
                        change.position().partition(),
                        change.position().offset());
            case CHANNELS, WORK ->
                ChannelsMessages.withdrawn(
                        change.withdrawnId(), change.collapseKey(), change.source(), change.position());
        };
    }

    /**
     * For a notification stored before stream positions were recorded: what came after it in the inbox's time
     * order, as before positions existed (not exact against the live path).
     */
    private void replayByTime(ClientSession session, UUID lastId, @Nullable String requestId) {
        int limit = properties.resumeLimit();
        List<InboxItem> missed = inbox.after(session.userId(), lastId, limit);
        session.onStream((gate, out) -> {
            missed.forEach(item -> out.accept(notificationBytes(session.dialect(), item, null)));
            out.accept(utf8(SocketMessages.resumed(missed.size(), missed.size() < limit, requestId)));
            gate.resumed(out);
        });
    }

    /** A notification from the inbox as a socket of {@code dialect} is sent it. */
    static byte[] notificationBytes(SocketDialect dialect, InboxItem item, @Nullable StreamPosition position) {
        return switch (dialect) {
            case HERALD -> SocketMessages.notificationBytes(item, position);
            case CHANNELS -> ChannelsMessages.notification(Shown.of(item), position);
            case WORK -> WorkMessages.notification(Shown.of(item), position);
        };
    }

    private void refuse(ClientSession session, String code, String message, @Nullable String requestId) {
        session.onStream((gate, out) -> {
            out.accept(utf8(
                    session.dialect() == SocketDialect.CHANNELS
                            ? ChannelsMessages.error(code, message, "resume", requestId)
                            : SocketMessages.error(code, message, "resume", requestId)));
            gate.resumed(out);
        });
    }

    /**
     * The resume cannot be made now (the inbox writers have not caught up within {@code resume-wait}, or the
     * inbox is down): the socket is closed with 1013, having been sent nothing since the resume began, so the
     * client reconnects and resumes from the same place. Going live instead would leave a gap the client could
     * not see: its newest notification would be past it.
     */
    private void unavailable(ClientSession session, @Nullable Exception cause) {
        if (cause instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        log.warn(
                "resume on socket {} not served, closing it: {}",
                session.id(),
                cause == null ? "the inbox has not caught up within resume-wait" : cause.toString());
        meters.counter("herald.fanout.sockets.closed", "reason", "resume_unavailable")
                .increment();
        session.close(ClientSession.RESUME_UNAVAILABLE);
    }

    private long deadline() {
        return System.nanoTime() + properties.resumeWait().toNanos();
    }

    private static Duration left(long deadline) {
        return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    }

    private static byte[] utf8(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }
}
