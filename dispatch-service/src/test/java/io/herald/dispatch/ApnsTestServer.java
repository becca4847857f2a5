package io.herald.dispatch;

import com.eatthepath.pushy.apns.server.MockApnsServer;
import com.eatthepath.pushy.apns.server.MockApnsServerBuilder;
import com.eatthepath.pushy.apns.server.MockApnsServerListener;
import com.eatthepath.pushy.apns.server.RejectedNotificationException;
import com.eatthepath.pushy.apns.server.RejectionReason;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Pushy's MockApnsServer with certificates made by openssl at test time (none ship with Pushy): a CA, a
 * server certificate for 127.0.0.1, and an EC P-256 {@code .p8} signing key. Tokens in {@link #badTokens}
 * are refused with {@code BadDeviceToken}; accepted notifications are recorded.
 */
final class ApnsTestServer implements AutoCloseable {

    record Received(String token, String topic, String priority, String payload) {}

    final Path directory;
    final int port;
    final Set<String> badTokens = ConcurrentHashMap.newKeySet();
    final List<Received> received = new CopyOnWriteArrayList<>();
    private final MockApnsServer server;

    private ApnsTestServer(Path directory, int port, MockApnsServer server) {
        this.directory = directory;
        this.port = port;
        this.server = server;
    }

    static ApnsTestServer start() {
        try {
            Path dir = Files.createTempDirectory("herald-apns");
            run(
                    dir,
                    "openssl",
                    "req",
                    "-x509",
                    "-newkey",
                    "rsa:2048",
                    "-nodes",
                    "-keyout",
                    "ca.key",
                    "-out",
                    "ca.pem",
                    "-days",
                    "2",
                    "-subj",
                    "/CN=Herald Test CA");
            run(
                    dir,
                    "openssl",
                    "req",
                    "-newkey",
                    "rsa:2048",
                    "-nodes",
                    "-keyout",
                    "server.key",
                    "-out",
                    "server.csr",
                    "-subj",
                    "/CN=127.0.0.1");
            Files.writeString(dir.resolve("ext.cnf"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
            run(
                    dir,
                    "openssl",
                    "x509",
                    "-req",
                    "-in",
                    "server.csr",
                    "-CA",
                    "ca.pem",
                    "-CAkey",
                    "ca.key",
                    "-CAcreateserial",
                    "-out",
                    "server.pem",
                    "-days",
                    "2",
                    "-extfile",
                    "ext.cnf");
            run(dir, "openssl", "pkcs8", "-topk8", "-nocrypt", "-in", "server.key", "-out", "server.pk8");
            run(dir, "openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "signing.key");
            run(dir, "openssl", "pkcs8", "-topk8", "-nocrypt", "-in", "signing.key", "-out", "signing.p8");
            var holder = new ApnsTestServer[1];
            MockApnsServer server = new MockApnsServerBuilder()
                    .setServerCredentials(
                            dir.resolve("server.pem").toFile(),
                            dir.resolve("server.pk8").toFile(),
                            null)
                    .setHandlerFactory(session -> (headers, payload) -> {
                        String token = headers.path().toString().substring("/3/device/".length());
                        if (holder[0].badTokens.contains(token)) {
                            throw new RejectedNotificationException(RejectionReason.BAD_DEVICE_TOKEN);
                        }
                    })
                    .setListener(new MockApnsServerListener() {
                        @Override
                        public void handlePushNotificationAccepted(Http2Headers headers, ByteBuf payload) {
                            holder[0].received.add(new Received(
                                    headers.path().toString().substring("/3/device/".length()),
                                    String.valueOf(headers.get("apns-topic")),
                                    String.valueOf(headers.get("apns-priority")),
                                    payload.toString(StandardCharsets.UTF_8)));
                        }

                        @Override
                        public void handlePushNotificationRejected(
                                Http2Headers headers, ByteBuf payload, RejectionReason reason, Instant timestamp) {}
                    })
                    .build();
            int port;
            try (var socket = new ServerSocket(0)) {
                port = socket.getLocalPort();
            }
            server.start(port).get();
            holder[0] = new ApnsTestServer(dir, port, server);
            return holder[0];
        } catch (Exception e) {
            throw new IllegalStateException("could not start the APNs mock server", e);
        }
    }

    Map<String, String> properties() {
        return Map.of(
                "herald.dispatch.apns.signing-key-path",
                        directory.resolve("signing.p8").toString(),
                "herald.dispatch.apns.team-id", "TEAM123456",
                "herald.dispatch.apns.key-id", "KEY1234567",
                "herald.dispatch.apns.topic", "dev.herald.app",
                "herald.dispatch.apns.host", "127.0.0.1",
                "herald.dispatch.apns.port", Integer.toString(port),
                "herald.dispatch.apns.trusted-server-certificate-path",
                        directory.resolve("ca.pem").toString());
    }

    private static void run(Path dir, String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output);
        }
    }

    @Override
    public void close() {
        server.shutdown().join();
    }
}
