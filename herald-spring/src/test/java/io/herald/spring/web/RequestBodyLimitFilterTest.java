package io.herald.spring.web;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.DelegatingServletInputStream;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

class RequestBodyLimitFilterTest {

    private final RequestBodyLimitFilter filter = new RequestBodyLimitFilter(request -> 10);

    /** A chunked request: a body without a Content-Length. */
    private static MockHttpServletRequest chunked(InputStream body) {
        var request = new MockHttpServletRequest("POST", "/anything") {
            @Override
            public ServletInputStream getInputStream() {
                return new DelegatingServletInputStream(body);
            }

            @Override
            public long getContentLengthLong() {
                return -1;
            }
        };
        request.addHeader("Transfer-Encoding", "chunked");
        return request;
    }

    @Test
    void aContentLengthOverTheLimitIsRefusedWithoutReadingAByte() throws Exception {
        var request = new MockHttpServletRequest("POST", "/anything");
        request.setContent(new byte[11]);
        var response = new MockHttpServletResponse();
        var chain = new MockFilterChain();

        filter.doFilter(request, response, chain);

        assertThat(response.getStatus()).isEqualTo(413);
        assertThat(response.getContentType()).isEqualTo("application/problem+json");
        assertThat(response.getHeader("Connection")).isEqualTo("close");
        assertThat(response.getContentAsString())
                .contains("\"type\":\"https://herald.dev/problems/request-too-large\"")
                .contains("larger than 10 bytes");
        assertThat(chain.getRequest()).as("not handed on").isNull();
    }

    @Test
    void aChunkedBodyIsReadOneBytePastTheLimitAndNoFurther() throws Exception {
        var handedOut = new AtomicLong();
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                handedOut.incrementAndGet();
                return 'a';
            }
        };
        var response = new MockHttpServletResponse();
        var chain = new MockFilterChain();

        filter.doFilter(chunked(endless), response, chain);

        assertThat(response.getStatus()).isEqualTo(413);
        assertThat(handedOut.get()).isEqualTo(11);
        assertThat(chain.getRequest()).isNull();
    }

    @Test
    void aChunkedBodyWithinTheLimitIsHandedOnWhole() throws Exception {
        var response = new MockHttpServletResponse();
        var seen = new AtomicReference<byte[]>();
        var chain = new MockFilterChain(new HttpServlet() {
            @Override
            protected void service(HttpServletRequest req, HttpServletResponse res) throws IOException {
                seen.set(req.getInputStream().readAllBytes());
            }
        });

        filter.doFilter(chunked(new ByteArrayInputStream("0123456789".getBytes())), response, chain);

        assertThat(response.getStatus()).isEqualTo(200);
        assertThat(seen.get()).asString().isEqualTo("0123456789");
    }

    @Test
    void aBodyWithinTheLimitOrNoBodyPassesUntouched() throws Exception {
        var request = new MockHttpServletRequest("POST", "/anything");
        request.setContent(new byte[10]);
        var chain = new MockFilterChain();

        filter.doFilter(request, new MockHttpServletResponse(), chain);

        assertThat(chain.getRequest()).isSameAs(request);
    }
}
