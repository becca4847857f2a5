/**
 * Herald's HTTP/2 client for FCM, shaped after Pushy's APNs client: {@link io.herald.dispatch.fcm.http2.Http2Client}
 * (what callers use), {@code ConnectionPool} (a few long-lived connections, one replaced when it is lost, told to
 * go away or out of stream ids), {@code Connection} (requests queued by callers, written on its event loop),
 * {@code StreamHandler} (one request a stream, answers read from the frames, deadlines) and {@code PendingRequest}
 * (one request and what has arrived of its answer).
 */
@NullMarked
package io.herald.dispatch.fcm.http2;

import org.jspecify.annotations.NullMarked;
