package io.herald.spring.web;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets a request to {@code /internal/**} through only when it carries the service credential, {@link
 * InternalApiProperties#HEADER}; otherwise, or when no secret is configured, {@code 401} problem+json ({@code
 * type} {@code https://herald.dev/problems/unauthenticated}). The presented value and the secret are compared as
 * SHA-256 digests with {@link MessageDigest#isEqual}, in constant time whatever their lengths. Thread-safe.
 */
public final class InternalSecretFilter implements Filter {

    private static final Logger log = LoggerFactory.getLogger(InternalSecretFilter.class);

    private final byte @Nullable [] expected;

    /** @param secret the shared secret, or null to refuse every internal call */
    public InternalSecretFilter(@Nullable String secret) {
        this.expected = secret == null ? null : sha256(secret);
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        if (!(req instanceof HttpServletRequest request) || !(res instanceof HttpServletResponse response)) {
            chain.doFilter(req, res);
            return;
        }
        String presented = request.getHeader(InternalApiProperties.HEADER);
        if (expected != null && presented != null && MessageDigest.isEqual(expected, sha256(presented))) {
            chain.doFilter(request, response);
            return;
        }
        log.debug(
                "refused an internal {} call {} the service credential",
                request.getMethod(),
                presented == null ? "without" : "with a wrong");
        Problems.write(
                response,
                401,
                "unauthenticated",
                "Service credential required",
                "internal APIs answer only Herald's services: send the service credential in "
                        + InternalApiProperties.HEADER);
    }

    private static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK ships SHA-256", e);
        }
    }
}
