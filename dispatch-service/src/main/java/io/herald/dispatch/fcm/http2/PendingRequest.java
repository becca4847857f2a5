package io.herald.dispatch.fcm.http2;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.AsciiString;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * One request, from the caller's {@link Http2Client#postJson} until its future completes, and what has arrived of
 * its answer. Created on the caller's thread; its answer is read and its future completed on the event loop of the
 * connection that carries it. Completed at most once: later completions are ignored.
 */
final class PendingRequest {

    final AsciiString path;
    final CharSequence authorization;
    final byte[] body;

    /** {@link System#nanoTime()} after which the request fails unanswered. */
    final long deadline;

    final CompletableFuture<Http2Response> future = new CompletableFuture<>();

    /** The answer's status, once its headers arrived; {@code 0} before. */
    private int status;

    private @Nullable String retryAfter;
    private @Nullable ByteBuf answer;

    PendingRequest(AsciiString path, CharSequence authorization, byte[] body, long deadline) {
        this.path = path;
        this.authorization = authorization;
        this.body = body;
        this.deadline = deadline;
    }

    /** The answer's headers: the first carry its status (and {@code retry-after}); trailers change nothing. */
    void headers(int status, @Nullable CharSequence retryAfter) {
        if (this.status == 0) {
            this.status = status;
            this.retryAfter = retryAfter == null ? null : retryAfter.toString();
        }
    }

    /** A piece of the answer's body, copied (the frame's buffer is the decoder's). */
    void data(ByteBuf data, ByteBufAllocator alloc) {
        if (data.isReadable()) {
            if (answer == null) {
                answer = alloc.heapBuffer(data.readableBytes());
            }
            answer.writeBytes(data);
        }
    }

    /** The answer is whole. */
    void complete() {
        String text = null;
        if (answer != null) {
            text = answer.toString(StandardCharsets.UTF_8);
            answer.release();
            answer = null;
        }
        future.complete(new Http2Response(status, text, retryAfter));
    }

    /** The request failed: lost, reset, refused or too late. */
    void fail(IOException why) {
        if (answer != null) {
            answer.release();
            answer = null;
        }
        future.completeExceptionally(why);
    }
}
