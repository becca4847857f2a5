package io.herald.testkit.script;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * What a provider emulator answers, scripted per token or for every request: a queue of answers, each for a
 * number of requests or until cleared, plus an outage window. The answer type is the emulator's own. Also
 * holds back "hung" requests and answers them later. Thread-safe.
 *
 * @param <A> the emulator's answer type
 */
public final class Script<A> implements AutoCloseable {

    /** Repeat an answer until {@link #clear()}. */
    public static final int FOREVER = -1;

    private static final class Step<A> {
        final A answer;
        int left;

        Step(A answer, int left) {
            this.answer = answer;
            this.left = left;
        }
    }

    private final Deque<Step<A>> global = new ArrayDeque<>();
    private final Map<String, Deque<Step<A>>> perToken = new ConcurrentHashMap<>();
    private final ScheduledExecutorService later = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "emulator-script");
        thread.setDaemon(true);
        return thread;
    });
    private volatile Instant downUntil = Instant.MIN;

    /** The next {@code times} requests (or all, with {@link #FOREVER}) get {@code answer}, after earlier steps. */
    public void everyRequest(int times, A answer) {
        checkTimes(times);
        synchronized (global) {
            global.addLast(new Step<>(answer, times));
        }
    }

    /** The next {@code times} messages to {@code token} (or all, with {@link #FOREVER}) get {@code answer}. */
    public void forToken(String token, int times, A answer) {
        checkTimes(times);
        Deque<Step<A>> steps = perToken.computeIfAbsent(token, t -> new ArrayDeque<>());
        synchronized (steps) {
            steps.addLast(new Step<>(answer, times));
        }
    }

    private static void checkTimes(int times) {
        if (times <= 0 && times != FOREVER) {
            throw new IllegalArgumentException("times must be positive or FOREVER, not " + times);
        }
    }

    /** Every request fails as in an outage for {@code duration} from now. */
    public void downFor(Duration duration) {
        downUntil = Instant.now().plus(duration);
    }

    /** Down until {@link #up()}. */
    public void down() {
        downUntil = Instant.MAX;
    }

    public void up() {
        downUntil = Instant.MIN;
    }

    public boolean isDown() {
        return Instant.now().isBefore(downUntil);
    }

    /** The scripted answer for the next request, if any (one step is used up). */
    public @Nullable A nextForRequest() {
        return next(global);
    }

    /** The scripted answer for the next message to {@code token}, if any (one step is used up). */
    public @Nullable A nextForToken(@Nullable String token) {
        if (token == null) {
            return null;
        }
        Deque<Step<A>> steps = perToken.get(token);
        return steps == null ? null : next(steps);
    }

    private static <A> @Nullable A next(Deque<Step<A>> steps) {
        synchronized (steps) {
            Step<A> step = steps.peekFirst();
            if (step == null) {
                return null;
            }
            if (step.left > 0 && --step.left == 0) {
                steps.removeFirst();
            }
            return step.answer;
        }
    }

    /** Forgets every scripted answer and ends an outage. */
    public void clear() {
        synchronized (global) {
            global.clear();
        }
        perToken.clear();
        up();
    }

    /** Runs {@code answer} after {@code delay}: how a hung request is finally answered. */
    public void later(Duration delay, Runnable answer) {
        later.schedule(answer, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        later.shutdownNow();
    }
}
