package io.herald.spring.web;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses a request whose body is larger than {@link RequestBodyLimits} allows with {@code 413} problem+json
 * ({@code type} {@code https://herald.dev/problems/request-too-large}) and {@code Connection: close}, whatever
 * the endpoint, before anything buffers the body:
 *
 * <ul>
 *   <li>a {@code Content-Length} over the limit is refused before a byte of the body is read;
 *   <li>a chunked body (no {@code Content-Length}) is read up to one byte past the limit, then refused, or
 *       handed on from that copy when it fits, so no request holds more than the limit in memory here; an
 *       endpoint that does not read its body gets the same 413 as one that does.
 * </ul>
 *
 * Tomcat then reads at most its {@code max-swallow-size} (2 MB) of what is left, so the client can read the
 * answer, and closes the connection. Runs before authentication: an oversized body is refused unread whoever
 * sends it. Thread-safe.
 */
public final class RequestBodyLimitFilter implements Filter {

    private static final Logger log = LoggerFactory.getLogger(RequestBodyLimitFilter.class);

    private final RequestBodyLimits limits;

    public RequestBodyLimitFilter(RequestBodyLimits limits) {
        this.limits = limits;
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        if (!(req instanceof HttpServletRequest request) || !(res instanceof HttpServletResponse response)) {
            chain.doFilter(req, res);
            return;
        }
        long max = limits.maxBytes(request);
        long length = request.getContentLengthLong();
        if (length > max) {
            refuse(request, response, max);
            return;
        }
        if (length < 0 && request.getHeader("Transfer-Encoding") != null) {
            // Chunked: its size is known only by reading it. One byte past the limit tells.
            byte[] body = request.getInputStream().readNBytes((int) Math.min(max + 1, Integer.MAX_VALUE - 8));
            if (body.length > max) {
                refuse(request, response, max);
                return;
            }
            chain.doFilter(new ReadBody(request, body), response);
            return;
        }
        chain.doFilter(request, response);
    }

    private static void refuse(HttpServletRequest request, HttpServletResponse response, long max) throws IOException {
        log.debug("refused a {} request body over {} bytes", request.getMethod(), max);
        // Whatever the client still sends is not read (beyond Tomcat's swallow limit): the connection ends here.
        response.setHeader("Connection", "close");
        Problems.write(
                response, 413, "request-too-large", "Request too large", "the body is larger than " + max + " bytes");
    }

    /** The request with its (chunked) body already read, within the limit. */
    private static final class ReadBody extends HttpServletRequestWrapper {

        private final byte[] body;

        ReadBody(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public int getContentLength() {
            return body.length;
        }

        @Override
        public long getContentLengthLong() {
            return body.length;
        }

        @Override
        public ServletInputStream getInputStream() {
            var in = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public int read() {
                    return in.read();
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    return in.read(b, off, len);
                }

                @Override
                public boolean isFinished() {
                    return in.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    try {
                        listener.onDataAvailable();
                        listener.onAllDataRead();
                    } catch (IOException e) {
                        listener.onError(e);
                    }
                }
            };
        }

        @Override
        public BufferedReader getReader() {
            String encoding = getCharacterEncoding();
            Charset charset = encoding == null ? StandardCharsets.UTF_8 : Charset.forName(encoding);
            return new BufferedReader(new InputStreamReader(getInputStream(), charset));
        }
    }
}
