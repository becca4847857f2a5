package io.herald.fanout.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.events.HeraldJson;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import tools.jackson.databind.JsonNode;

/** A real WebSocket client (the JDK's) that queues every message it receives. */
final class TestSocket implements AutoCloseable {

    private final WebSocket socket;
    private final List<JsonNode> received;
    private final CompletableFuture<Integer> closed;

    private TestSocket(WebSocket socket, List<JsonNode> received, CompletableFuture<Integer> closed) {
        this.socket = socket;
        this.received = received;
        this.closed = closed;
    }

    /** Asserts that {@code thrown}, what a connect threw, is a refused handshake: a 401 answer, no socket. */
    static void isUnauthorized(Throwable thrown) {
        Throwable cause = thrown instanceof CompletionException ? thrown.getCause() : thrown;
        assertThat(cause).isInstanceOf(WebSocketHandshakeException.class);
        assertThat(((WebSocketHandshakeException) cause).getResponse().statusCode())
                .isEqualTo(401);
    }

    static TestSocket connect(String url, Consumer<WebSocket.Builder> customizer) {
        List<JsonNode> received = new ArrayList<>();
        CompletableFuture<Integer> closed = new CompletableFuture<>();
        // Generous: on a loaded CI machine a handshake took more than 5 s (ResumeIT), and a test that means to
        // check what a socket is told must not fail on how long the machine took to open it.
        WebSocket.Builder builder =
                HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(30));
        customizer.accept(builder);
        WebSocket socket = builder.buildAsync(URI.create(url), new WebSocket.Listener() {
                    private final StringBuilder partial = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                        partial.append(data);
                        if (last) {
                            synchronized (received) {
                                received.add(HeraldJson.mapper().readTree(partial.toString()));
                            }
                            partial.setLength(0);
                        }
                        ws.request(1);
                        return null;
                    }

                    @Override
                    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
                        closed.complete(statusCode);
                        return null;
                    }

                    @Override
                    public void onError(WebSocket ws, Throwable error) {
                        closed.completeExceptionally(error);
                    }
                })
                .join();
        return new TestSocket(socket, received, closed);
    }

    void send(String json) {
        socket.sendText(json, true).join();
    }

    /** The oldest message of {@code type} not taken yet; messages of other types stay for later. */
    JsonNode next(String type) {
        return await().atMost(Duration.ofSeconds(20))
                .until(() -> take(type), Optional::isPresent)
                .orElseThrow();
    }

    /** The oldest message of any of {@code types} not taken yet. */
    JsonNode nextOf(String... types) {
        return await().atMost(Duration.ofSeconds(20))
                .until(
                        () -> {
                            synchronized (received) {
                                var it = received.iterator();
                                while (it.hasNext()) {
                                    JsonNode message = it.next();
                                    if (Arrays.asList(types)
                                            .contains(message.path("type").asString())) {
                                        it.remove();
                                        return Optional.of(message);
                                    }
                                }
                                return Optional.<JsonNode>empty();
                            }
                        },
                        Optional::isPresent)
                .orElseThrow();
    }

    /** Whether a message of {@code type} has arrived and not been taken. */
    boolean has(String type) {
        synchronized (received) {
            return received.stream().anyMatch(m -> m.path("type").asString().equals(type));
        }
    }

    private Optional<JsonNode> take(String type) {
        synchronized (received) {
            var it = received.iterator();
            while (it.hasNext()) {
                JsonNode message = it.next();
                if (message.path("type").asString().equals(type)) {
                    it.remove();
                    return Optional.of(message);
                }
            }
            return Optional.empty();
        }
    }

    /** The close code the server sent, waiting for it. */
    int closeCode() {
        try {
            return closed.get(20, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("the server did not close the socket within 20 s");
        } catch (ExecutionException e) {
            throw new AssertionError("the connection ended without a close frame: " + e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Sends a request and returns the answer of {@code answerType}. */
    JsonNode ask(String json, String answerType) {
        send(json);
        JsonNode answer = next(answerType);
        assertThat(answer).isNotNull();
        return answer;
    }

    @Override
    public void close() {
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
        socket.abort();
    }
}
