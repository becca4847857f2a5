package io.herald.devstack;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Sends one request with a huge body, generated while it is sent (never held in memory), over a plain socket,
 * and reads the answer while still sending, as a hostile client would: the server may answer and close at any
 * point. Says how many bytes of the body the client had handed to the socket by then, which tells how much the
 * server read (plus what the two sides' socket buffers hold, a few MB on loopback).
 */
final class HugeBody {

    /** 200 MB. */
    static final long SIZE = 200L * 1024 * 1024;

    private HugeBody() {}

    /**
     * The server's answer.
     *
     * @param status the status code
     * @param headers the headers, names in lower case
     * @param body the body (at most 1 MB of it)
     * @param handedOut the bytes of the request body the client had produced when the answer was read
     */
    record Answer(int status, Map<String, String> headers, String body, long handedOut) {}

    /**
     * Sends {@code method path} to {@code base} with a {@link #SIZE} body, with a {@code Content-Length} or
     * chunked, and the given headers.
     */
    static Answer send(URI base, String method, String path, Map<String, String> headers, boolean chunked)
            throws Exception {
        return send(base, method, path, headers, SIZE, chunked);
    }

    /** As {@link #send(URI, String, String, Map, boolean)}, with a generated body of {@code size} bytes. */
    static Answer send(URI base, String method, String path, Map<String, String> headers, long size, boolean chunked)
            throws Exception {
        var body = new Generated(size);
        return exchange(base, method, path, headers, body, size, chunked, body::handedOut);
    }

    /** Sends {@code body} as it is, with its {@code Content-Length}. */
    static Answer send(URI base, String method, String path, Map<String, String> headers, byte[] body)
            throws Exception {
        return exchange(base, method, path, headers, new ByteArrayInputStream(body), body.length, false, () -> -1);
    }

    private static Answer exchange(
            URI base,
            String method,
            String path,
            Map<String, String> headers,
            InputStream body,
            long size,
            boolean chunked,
            LongSupplier handedOut)
            throws Exception {
        try (var socket = new Socket()) {
            socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5_000);
            socket.setSoTimeout(60_000);
            var head = new StringBuilder()
                    .append(method)
                    .append(' ')
                    .append(path)
                    .append(" HTTP/1.1\r\nHost: ")
                    .append(base.getHost())
                    .append(':')
                    .append(base.getPort())
                    .append("\r\nContent-Type: application/json\r\n");
            headers.forEach((name, value) ->
                    head.append(name).append(": ").append(value).append("\r\n"));
            head.append(chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: " + size + "\r\n")
                    .append("\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
            Thread writer =
                    Thread.ofPlatform().daemon().name("huge-body-writer").start(() -> write(body, out, chunked));
            Answer answer = read(new BufferedInputStream(socket.getInputStream()));
            long taken = handedOut.getAsLong();
            socket.close();
            writer.join(TimeUnit.SECONDS.toMillis(30));
            return new Answer(answer.status(), answer.headers(), answer.body(), taken);
        }
    }

    private static void write(InputStream body, OutputStream out, boolean chunked) {
        byte[] buffer = new byte[64 * 1024];
        try {
            int n;
            while ((n = body.read(buffer)) > 0) {
                if (chunked) {
                    out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                }
                out.write(buffer, 0, n);
                if (chunked) {
                    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                }
            }
            if (chunked) {
                out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            out.flush();
        } catch (IOException closed) {
            // The server stopped reading and closed the connection: what a refusal looks like.
        }
    }

    private static Answer read(InputStream in) throws IOException {
        String statusLine = line(in);
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
            throw new IOException("not an HTTP answer: " + statusLine);
        }
        int status = Integer.parseInt(parts[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (String line = line(in); !line.isEmpty(); line = line(in)) {
            int colon = line.indexOf(':');
            headers.put(
                    line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                    line.substring(colon + 1).trim());
        }
        var body = new ByteArrayOutputStream();
        if (headers.containsKey("content-length")) {
            body.write(in.readNBytes(Math.min(1 << 20, Integer.parseInt(headers.get("content-length")))));
        } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            for (int size = Integer.parseInt(line(in).split(";")[0].trim(), 16);
                    size > 0 && body.size() < 1 << 20;
                    size = Integer.parseInt(line(in).split(";")[0].trim(), 16)) {
                body.write(in.readNBytes(size));
                line(in);
            }
        }
        return new Answer(status, headers, body.toString(StandardCharsets.UTF_8), -1);
    }

    private static String line(InputStream in) throws IOException {
        var line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("the connection ended within the answer's head");
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }

    /** {@code size} bytes of JSON-looking text, made as they are read, counting what it handed out. */
    private static final class Generated extends InputStream {

        private final long size;
        private final AtomicLong handedOut = new AtomicLong();

        Generated(long size) {
            this.size = size;
        }

        long handedOut() {
            return handedOut.get();
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0];
        }

        @Override
        public int read(byte[] b, int off, int len) {
            long left = size - handedOut.get();
            if (left <= 0) {
                return -1;
            }
            int n = (int) Math.min(len, left);
            for (int i = 0; i < n; i++) {
                b[off + i] = handedOut.get() == 0 && i == 0 ? (byte) '{' : (byte) 'a';
            }
            handedOut.addAndGet(n);
            return n;
        }
    }
}
