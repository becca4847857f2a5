package io.herald.testkit.apns;

import com.eatthepath.pushy.apns.server.MockApnsServer;
import com.eatthepath.pushy.apns.server.MockApnsServerBuilder;
import com.eatthepath.pushy.apns.server.MockApnsServerListener;
import com.eatthepath.pushy.apns.server.RejectedNotificationException;
import com.eatthepath.pushy.apns.server.RejectionReason;
import com.eatthepath.pushy.apns.server.UnregisteredDeviceTokenException;
import io.herald.testkit.emulator.LocalCertificates;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.IOException;
import java.lang.reflect.Field;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * An APNs emulator: Pushy's {@link MockApnsServer} (HTTP/2 over TLS, token authentication checked) with
 * credentials made by {@code openssl} when it starts, since none ship with Pushy: a CA, a server certificate
 * for 127.0.0.1 and localhost, and an EC P-256 {@code .p8} signing key for the client. It records every
 * notification it accepts, refuses what APNs refuses in headers and payload with Apple's reason ({@code
 * ApnsPayloadRules}: {@code PayloadTooLarge}, {@code BadPriority} for a background push at priority 10, {@code
 * InvalidPushType} for a background push without {@code content-available} …), and refuses the tokens it was told
 * to, with the reason APNs gives: {@link
 * #reject(String, RejectionReason)} ({@code BadDeviceToken}, {@code TooManyRequests}, ...) or {@link
 * #unregister(String)} ({@code 410 Unregistered} with a timestamp). Thread-safe.
 */
public final class ApnsEmulator implements AutoCloseable {

    /**
     * A notification the emulator accepted.
     *
     * @param collapseId its {@code apns-collapse-id} header (a notification with the same one replaces an
     *     earlier one on the device), or {@code null}
     * @param pushType its {@code apns-push-type} header ({@code alert}, {@code background} …), or {@code null}
     */
    public record Received(
            String token,
            String topic,
            @Nullable String priority,
            String payload,
            Instant receivedAt,
            @Nullable String collapseId,
            @Nullable String pushType) {}

    /** The topic (bundle id) the dev stack and tests use. */
    public static final String TOPIC = "dev.herald.app";

    private final Path directory;
    private final int port;
    private final Map<String, RejectionReason> rejected = new ConcurrentHashMap<>();
    private final Map<String, Instant> unregistered = new ConcurrentHashMap<>();
    // Not copy-on-write: a benchmark sends it hundreds of thousands of notifications.
    private final List<Received> received = Collections.synchronizedList(new ArrayList<>());
    private @Nullable MockApnsServer server;

    private ApnsEmulator(Path directory, int port) {
        this.directory = directory;
        this.port = port;
    }

    /** On any free port. */
    public static ApnsEmulator start() {
        return start(0);
    }

    /** On the given port ({@code 0}: any free one); needs {@code openssl} on the {@code PATH}. */
    public static ApnsEmulator start(int port) {
        try {
            Path dir = Files.createTempDirectory("herald-apns");
            makeCredentials(dir);
            int chosen = port;
            if (chosen == 0) {
                try (var socket = new ServerSocket(0)) {
                    chosen = socket.getLocalPort();
                }
            }
            var emulator = new ApnsEmulator(dir, chosen);
            emulator.server = new MockApnsServerBuilder()
                    .setServerCredentials(
                            dir.resolve("server.pem").toFile(),
                            dir.resolve("server.pk8").toFile(),
                            null)
                    .setHandlerFactory(session -> (headers, payload) -> emulator.check(headers, payload))
                    .setListener(emulator.new Recorder())
                    .build();
            startOnLoopback(emulator.server, chosen);
            return emulator;
        } catch (IOException | ReflectiveOperationException e) {
            throw new IllegalStateException("could not start the APNs emulator", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting the APNs emulator", e);
        }
    }

    /**
     * What {@code MockApnsServer.start(port)} does, but on 127.0.0.1 alone: Pushy's mock binds every interface and
     * has no setting for the address, so its bootstrap is bound here (the fields are Pushy's {@code
     * BaseHttp2Server}'s; its {@code shutdown()} closes the channel as it closes its own).
     */
    private static void startOnLoopback(MockApnsServer server, int port)
            throws ReflectiveOperationException, InterruptedException {
        Class<?> base = MockApnsServer.class.getSuperclass();
        Field bootstrapField = base.getDeclaredField("bootstrap");
        Field channelsField = base.getDeclaredField("allChannels");
        bootstrapField.setAccessible(true);
        channelsField.setAccessible(true);
        var bootstrap = (ServerBootstrap) bootstrapField.get(server);
        ChannelFuture bound = bootstrap.bind(InetAddress.getLoopbackAddress(), port);
        ((ChannelGroup) channelsField.get(server)).add(bound.channel());
        bound.sync();
    }

    /** The notifications accepted so far, oldest first. */
    public List<Received> received() {
        return List.copyOf(received);
    }

    /** How many notifications were received since the last clear, without copying them. */
    public int receivedCount() {
        return received.size();
    }

    /** Every later notification to {@code token} is refused with {@code reason}. */
    public void reject(String token, RejectionReason reason) {
        rejected.put(token, reason);
    }

    /** Every later notification to {@code token} gets {@code 410 Unregistered}. */
    public void unregister(String token) {
        unregistered.put(token, Instant.now());
    }

    /** Forgets recorded notifications (scripted refusals stay). */
    public void clear() {
        received.clear();
    }

    /** Forgets recorded notifications and scripted refusals. */
    public void reset() {
        received.clear();
        rejected.clear();
        unregistered.clear();
    }

    public int port() {
        return port;
    }

    /** The CA certificate that signed the server's, for the client to trust. */
    public Path trustedCertificate() {
        return directory.resolve("ca.pem");
    }

    /** An EC P-256 key in PKCS#8, as Apple issues {@code .p8} files, for the client's token authentication. */
    public Path signingKey() {
        return directory.resolve("signing.p8");
    }

    /** dispatch-service's {@code herald.dispatch.apns.*} settings that point it here. */
    public Map<String, String> dispatchProperties() {
        return Map.of(
                "herald.dispatch.apns.signing-key-path",
                signingKey().toString(),
                "herald.dispatch.apns.team-id",
                "TEAM123456",
                "herald.dispatch.apns.key-id",
                "KEY1234567",
                "herald.dispatch.apns.topic",
                TOPIC,
                "herald.dispatch.apns.host",
                "127.0.0.1",
                "herald.dispatch.apns.port",
                Integer.toString(port),
                "herald.dispatch.apns.trusted-server-certificate-path",
                trustedCertificate().toString());
    }

    private void check(Http2Headers headers, ByteBuf payload) throws RejectedNotificationException {
        String token = token(headers);
        byte[] bytes = new byte[payload.readableBytes()];
        payload.getBytes(payload.readerIndex(), bytes);
        RejectionReason invalid = ApnsPayloadRules.check(
                header(headers, "apns-push-type"),
                header(headers, "apns-priority"),
                header(headers, "apns-collapse-id"),
                bytes);
        if (invalid != null) {
            throw new RejectedNotificationException(invalid);
        }
        Instant gone = unregistered.get(token);
        if (gone != null) {
            throw new UnregisteredDeviceTokenException(gone);
        }
        RejectionReason reason = rejected.get(token);
        if (reason != null) {
            throw new RejectedNotificationException(reason);
        }
    }

    private static @Nullable String header(Http2Headers headers, String name) {
        CharSequence value = headers.get(name);
        return value == null ? null : value.toString();
    }

    private static String token(Http2Headers headers) {
        return headers.path().toString().substring("/3/device/".length());
    }

    private final class Recorder implements MockApnsServerListener {
        @Override
        public void handlePushNotificationAccepted(Http2Headers headers, ByteBuf payload) {
            received.add(new Received(
                    token(headers),
                    String.valueOf(headers.get("apns-topic")),
                    header(headers, "apns-priority"),
                    payload.toString(StandardCharsets.UTF_8),
                    Instant.now(),
                    header(headers, "apns-collapse-id"),
                    header(headers, "apns-push-type")));
        }

        @Override
        public void handlePushNotificationRejected(
                Http2Headers headers, ByteBuf payload, RejectionReason reason, @Nullable Instant timestamp) {}
    }

    /**
     * A CA and the server certificate it signed ({@link LocalCertificates}), and the client's EC P-256 signing key,
     * all in {@code dir}.
     */
    private static void makeCredentials(Path dir) throws IOException, InterruptedException {
        LocalCertificates.make(dir, "Herald APNs emulator CA");
        LocalCertificates.openssl(dir, "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "signing.key");
        LocalCertificates.openssl(dir, "pkcs8", "-topk8", "-nocrypt", "-in", "signing.key", "-out", "signing.p8");
    }

    @Override
    public void close() {
        if (server != null) {
            server.shutdown().join();
        }
    }
}
