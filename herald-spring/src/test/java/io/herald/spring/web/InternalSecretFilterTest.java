package io.herald.spring.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

class InternalSecretFilterTest {

    static final String SECRET = "an-internal-secret-of-at-least-32-bytes-for-tests";

    private static MockHttpServletResponse call(
            InternalSecretFilter filter, @Nullable String presented, MockFilterChain chain) throws Exception {
        var request = new MockHttpServletRequest("GET", "/internal/v1/users/u/devices");
        if (presented != null) {
            request.addHeader(InternalApiProperties.HEADER, presented);
        }
        var response = new MockHttpServletResponse();
        filter.doFilter(request, response, chain);
        return response;
    }

    @Test
    void onlyTheSecretLetsACallThrough() throws Exception {
        var filter = new InternalSecretFilter(SECRET);

        var allowed = new MockFilterChain();
        assertThat(call(filter, SECRET, allowed).getStatus()).isEqualTo(200);
        assertThat(allowed.getRequest()).isNotNull();

        for (String wrong : new String[] {null, "", SECRET + "x", SECRET.substring(1), "Bearer " + SECRET}) {
            var chain = new MockFilterChain();
            var refused = call(filter, wrong, chain);
            assertThat(refused.getStatus()).as(String.valueOf(wrong)).isEqualTo(401);
            assertThat(refused.getContentType()).isEqualTo("application/problem+json");
            assertThat(refused.getContentAsString()).contains("https://herald.dev/problems/unauthenticated");
            assertThat(chain.getRequest()).as(String.valueOf(wrong)).isNull();
        }
    }

    @Test
    void withoutASecretEveryCallIsRefused() throws Exception {
        var chain = new MockFilterChain();
        assertThat(call(new InternalSecretFilter(null), "", chain).getStatus()).isEqualTo(401);
        assertThat(chain.getRequest()).isNull();
    }

    @Test
    void aShortSecretIsRefusedAndABlankOneIsNone() {
        assertThatThrownBy(() -> new InternalApiProperties("short"))
                .hasMessageContaining("herald.internal.secret (HERALD_INTERNAL_SECRET) must be at least 32 bytes");
        assertThat(new InternalApiProperties("  ").secret()).isNull();
        assertThatThrownBy(() -> new InternalApiProperties(null).requireSecret("it is needed"))
                .hasMessageContaining("herald.internal.secret (HERALD_INTERNAL_SECRET) is required: it is needed");
    }
}
