package io.herald.testkit.emulator;

import io.herald.events.HeraldJson;
import io.herald.testkit.script.Script;
import io.herald.testkit.script.ScriptRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http2.HTTP2Cipher;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.jspecify.annotations.Nullable;

/**
 * The server skeleton of an HTTP provider emulator (FCM's, Expo's): a Jetty server on 127.0.0.1 that records what
 * the provider's API accepted, answers as scripted ({@link #script()}, per token or for every request), goes down
 * and comes back, and offers the same control endpoints over HTTP for humans and for tests in other processes:
 *
 * <ul>
 *   <li>{@code GET /emulator/messages}: what it received, oldest first, as JSON ({@link #listed} says how each is
 *       shown); {@code DELETE /emulator/messages} forgets it ({@code 204});
 *   <li>{@code POST /emulator/script} with a {@link ScriptRequest} ({@code 204}, or {@code 400} with the
 *       provider's error body for one the emulator does not know); {@code DELETE /emulator/script} forgets every
 *       scripted answer and ends an outage ({@code 204}).
 * </ul>
 *
 * <p>Every other request is the provider's API, {@link #handleApi}: the subclass reads it, checks it, consults the
 * script and {@link #record}s what it accepted. It must read the whole body before it answers, so that an early
 * answer leaves the connection reusable.
 *
 * <p>{@link Transport#CLEARTEXT} serves HTTP/1.1 (and h2c where the emulator asks for it); {@link Transport#TLS}
 * serves HTTPS with h2 and HTTP/1.1 chosen by ALPN, under a certificate authority made when it starts ({@link
 * #trustedCertificate()}). Thread-safe; {@link #close()} stops the server and answers no hung request.
 *
 * @param <R> what one accepted message is recorded as
 * @param <A> the emulator's scripted answer type
 */
public abstract class HttpEmulator<R, A> implements AutoCloseable {

    /** How an emulator listens. */
    public enum Transport {
        /** {@code http://}: HTTP/1.1, and h2c where the emulator offers it. */
        CLEARTEXT,
        /**
         * {@code https://}: TLS under a certificate authority made at start (trust {@link #trustedCertificate()}),
         * h2 or HTTP/1.1 as the client's ALPN asks.
         */
        TLS
    }

    /**
     * What a subclass chooses about its server.
     *
     * @param name the threads' name, and the emulator's in errors ({@code fcm-emulator})
     * @param port the port on 127.0.0.1, {@code 0} for a free one
     * @param transport cleartext or TLS
     * @param maxThreads the most request threads (hung requests hold none)
     * @param minThreads the request threads kept when idle
     * @param h2c whether cleartext also speaks HTTP/2 (h2c, by prior knowledge or upgrade)
     * @param contentType the {@code Content-Type} of its JSON answers, as the provider writes it
     */
    protected record Settings(
            String name,
            int port,
            Transport transport,
            int maxThreads,
            int minThreads,
            boolean h2c,
            String contentType) {

        /** Public, so that an emulator in another package can make its own. */
        public Settings {}
    }

    /** Streams one HTTP/2 connection may carry at once: many sends in flight, as a load test needs. */
    private static final int MAX_CONCURRENT_STREAMS = 1024;

    /** The key store's password: it never leaves this process. */
    private static final char[] KEY_PASSWORD = "emulator".toCharArray();

    private final Settings settings;
    private final Server server;
    private final Script<A> script = new Script<>();
    private final List<R> received = new ArrayList<>();
    private final AtomicLong accepted = new AtomicLong();
    private volatile boolean keepMessages = true;
    private @Nullable LocalCertificates certificates;

    protected HttpEmulator(Settings settings) {
        this.settings = settings;
        var pool = new QueuedThreadPool(settings.maxThreads(), settings.minThreads());
        pool.setName(settings.name());
        this.server = new Server(pool);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                route(request, response, callback);
                return true;
            }
        });
    }

    /**
     * Starts {@code emulator}'s server (after making its certificates, for TLS) and returns it; an emulator that
     * cannot start throws {@link IllegalStateException}.
     */
    protected static <E extends HttpEmulator<?, ?>> E started(E emulator) {
        HttpEmulator<?, ?> starting = emulator;
        try {
            starting.listen();
            starting.server.start();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(starting.settings.name() + " was interrupted while starting", e);
        } catch (Exception e) {
            starting.script.close();
            throw new IllegalStateException(
                    starting.settings.name() + " did not start on port " + starting.settings.port(), e);
        }
        return emulator;
    }

    private void listen() throws IOException, InterruptedException {
        var config = new HttpConfiguration();
        config.setSendServerVersion(false);
        List<ConnectionFactory> factories = new ArrayList<>();
        if (settings.transport() == Transport.TLS) {
            certificates = LocalCertificates.make(
                    Files.createTempDirectory("herald-" + settings.name()), "Herald " + settings.name() + " CA");
            var ssl = new SslContextFactory.Server();
            ssl.setKeyStore(certificates.serverKeyStore(KEY_PASSWORD));
            ssl.setKeyStorePassword(new String(KEY_PASSWORD));
            // The suites HTTP/2 allows first (RFC 9113 §9.2.2), as Jetty's own h2 connectors order them.
            ssl.setCipherComparator(HTTP2Cipher.COMPARATOR);
            ssl.setUseCipherSuitesOrder(true);
            // The certificate names 127.0.0.1, which a client sends no SNI for: nothing to check the host against.
            config.addCustomizer(new SecureRequestCustomizer(false));
            var h2 = new HTTP2ServerConnectionFactory(config);
            h2.setMaxConcurrentStreams(MAX_CONCURRENT_STREAMS);
            var alpn = new ALPNServerConnectionFactory(h2.getProtocol(), "http/1.1");
            // A client without ALPN gets HTTP/1.1.
            alpn.setDefaultProtocol("http/1.1");
            factories.add(new SslConnectionFactory(ssl, alpn.getProtocol()));
            factories.add(alpn);
            factories.add(h2);
            factories.add(new HttpConnectionFactory(config));
        } else {
            factories.add(new HttpConnectionFactory(config));
            if (settings.h2c()) {
                var h2c = new HTTP2CServerConnectionFactory(config);
                h2c.setMaxConcurrentStreams(MAX_CONCURRENT_STREAMS);
                factories.add(h2c);
            }
        }
        var connector = new ServerConnector(server, factories.toArray(ConnectionFactory[]::new));
        connector.setHost("127.0.0.1");
        connector.setPort(settings.port());
        server.addConnector(connector);
    }

    /** The port it listens on, on 127.0.0.1. */
    public int port() {
        return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    /** {@code http://127.0.0.1:<port>}, or {@code https://} over TLS: what to configure as the provider's base URL. */
    public String baseUrl() {
        return (settings.transport() == Transport.TLS ? "https" : "http") + "://127.0.0.1:" + port();
    }

    /** How it listens. */
    public Transport transport() {
        return settings.transport();
    }

    /**
     * Over {@link Transport#TLS}: the PEM certificate of the authority that signed the server's (for 127.0.0.1 and
     * localhost), made when it started; a client that trusts it, and nothing else, reaches the emulator.
     *
     * @throws IllegalStateException in cleartext, where there is none
     */
    public Path trustedCertificate() {
        return tls().authorityCertificate();
    }

    /**
     * Over {@link Transport#TLS}: {@link #trustedCertificate()} in a key store, for a JDK client's {@code
     * TrustManagerFactory}.
     *
     * @throws IllegalStateException in cleartext
     */
    public KeyStore trustStore() {
        return tls().trustStore();
    }

    private LocalCertificates tls() {
        LocalCertificates made = certificates;
        if (made == null) {
            throw new IllegalStateException(settings.name() + " serves cleartext: it has no certificate authority");
        }
        return made;
    }

    /** Every message accepted and kept since the last {@link #clear()}, oldest first (a copy). */
    public List<R> received() {
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    /** How many messages are kept since the last clear, without copying them. */
    public int receivedCount() {
        synchronized (received) {
            return received.size();
        }
    }

    /** How many messages were accepted since it started, kept or not, cleared or not. */
    public long acceptedCount() {
        return accepted.get();
    }

    /**
     * Whether accepted messages are kept for {@link #received()} (the default). A load test that sends millions
     * turns this off: the emulator still checks and answers every request as the provider does, and counts it, but
     * does not hold the messages in the heap it shares with what is measured.
     */
    public void keepMessages(boolean keep) {
        this.keepMessages = keep;
    }

    /** Forgets the messages received (scripted answers stay). */
    public void clear() {
        synchronized (received) {
            received.clear();
        }
    }

    /**
     * The scripted answers: {@code script().forToken(token, times, answer)} for one token's messages, {@code
     * script().everyRequest(times, answer)} for whole requests, {@code script().downFor(duration)} for an outage.
     */
    public Script<A> script() {
        return script;
    }

    /** Every API request answers as the provider does when it is down (a 503) until {@link #comeBack()}. */
    public void goDown() {
        script.down();
    }

    /** As {@link #goDown()} for {@code duration}, then the emulator is back by itself. */
    public void goDownFor(Duration duration) {
        script.downFor(duration);
    }

    /** Ends an outage. */
    public void comeBack() {
        script.up();
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException(settings.name() + " did not stop", e);
        } finally {
            script.close();
        }
    }

    /**
     * Answers one request to the provider's API (any path but {@code /emulator/*}), as the provider would; reads
     * the whole body before answering. An exception it throws is Jetty's to answer (500).
     */
    protected abstract void handleApi(Request request, Response response, Callback callback) throws Exception;

    /** How {@code GET /emulator/messages} shows one received message (anything Jackson writes). */
    protected abstract Object listed(R message);

    /**
     * The answer a {@code POST /emulator/script} asks for (any kind but {@code down}, which every emulator knows);
     * throws {@link IllegalArgumentException} (answered 400) for one it does not know.
     */
    protected abstract A answerOf(ScriptRequest asked);

    /** The provider's error body for a refused {@code POST /emulator/script}, saying {@code message}. */
    protected abstract String scriptError(String message);

    /**
     * Applies a {@code POST /emulator/script}: by default a step of {@link #script()} ({@link ScriptRequest#applyTo});
     * an emulator with answers of its own beyond the script overrides it.
     */
    protected void scripted(ScriptRequest asked) {
        asked.applyTo(script, this::answerOf);
    }

    /** {@code DELETE /emulator/script}: by default {@code script().clear()}. */
    protected void forgetScripts() {
        script.clear();
    }

    /** Records one message the API accepted: counted always, kept while {@link #keepMessages(boolean)} is on. */
    protected final void record(R message) {
        accepted.incrementAndGet();
        if (keepMessages) {
            synchronized (received) {
                received.add(message);
            }
        }
    }

    /** Answers {@code status} with {@code json} (in the emulator's content type), or with no body when null. */
    protected final void reply(Response response, Callback callback, int status, @Nullable String json) {
        response.setStatus(status);
        if (json == null) {
            callback.succeeded();
            return;
        }
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, settings.contentType());
        Content.Sink.write(response, true, json, callback);
    }

    /** Sets {@code Retry-After} to {@code retryAfter} in whole seconds, at least one. */
    protected static void retryAfter(Response response, Duration retryAfter) {
        response.getHeaders().put(HttpHeader.RETRY_AFTER, Long.toString(Math.max(1, retryAfter.toSeconds())));
    }

    private void route(Request request, Response response, Callback callback) throws Exception {
        switch (Request.getPathInContext(request)) {
            case "/emulator/messages" -> messages(request, response, callback);
            case "/emulator/script" -> scriptOverHttp(request, response, callback);
            default -> handleApi(request, response, callback);
        }
    }

    private void messages(Request request, Response response, Callback callback) {
        if (HttpMethod.DELETE.is(request.getMethod())) {
            clear();
            reply(response, callback, 204, null);
            return;
        }
        reply(
                response,
                callback,
                200,
                HeraldJson.mapper()
                        .writeValueAsString(
                                received().stream().map(this::listed).toList()));
    }

    private void scriptOverHttp(Request request, Response response, Callback callback) {
        if (HttpMethod.DELETE.is(request.getMethod())) {
            forgetScripts();
            reply(response, callback, 204, null);
            return;
        }
        try {
            scripted(ScriptRequest.parse(Content.Source.asString(request, StandardCharsets.UTF_8)));
            reply(response, callback, 204, null);
        } catch (RuntimeException | IOException e) {
            reply(response, callback, 400, scriptError(String.valueOf(e.getMessage())));
        }
    }
}
