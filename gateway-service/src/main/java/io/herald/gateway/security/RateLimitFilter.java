package io.herald.gateway.security;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.herald.gateway.GatewayProperties;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Token-bucket rate limits (Bucket4j): per API key for the upstream apps' endpoints, per user (JWT subject)
 * for the apps' endpoints. Over the limit: 429 problem+json with {@code Retry-After}. Buckets live in this
 * instance's memory (at most 100,000, least recently used dropped), so with N gateway instances behind a load
 * balancer a client gets up to N times the configured rate.
 */
class RateLimitFilter extends OncePerRequestFilter {

    private static final int MAX_BUCKETS = 100_000;

    private final ApiKeys apiKeys;
    private final GatewayProperties.RateLimits limits;
    private final Map<String, Bucket> buckets = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Bucket> eldest) {
            return size() > MAX_BUCKETS;
        }
    };

    RateLimitFilter(ApiKeys apiKeys, GatewayProperties.RateLimits limits) {
        this.apiKeys = apiKeys;
        this.limits = limits;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Optional<String> key = limitKey(request);
        if (key.isPresent()) {
            boolean app = key.get().startsWith("app:");
            ConsumptionProbe probe = (app
                            ? bucket(key.get(), limits.perApiKeyPerSecond(), limits.perApiKeyBurst())
                            : bucket(key.get(), limits.perUserPerSecond(), limits.perUserBurst()))
                    .tryConsumeAndReturnRemaining(1);
            if (!probe.isConsumed()) {
                long seconds = Math.max(
                        1, Duration.ofNanos(probe.getNanosToWaitForRefill()).toSeconds() + 1);
                response.setStatus(429);
                response.setHeader("Retry-After", Long.toString(seconds));
                response.setContentType("application/problem+json");
                response.getWriter().write("""
                        {"type":"https://herald.dev/problems/rate-limited","title":"Too many requests","status":429,\
                        "detail":"the rate limit of this %s is exceeded; retry after %d s"}""".formatted(app ? "API key" : "user", seconds));
                return;
            }
        }
        chain.doFilter(request, response);
    }

    private Optional<String> limitKey(HttpServletRequest request) {
        if (request.getRequestURI().startsWith("/v1/events")) {
            return apiKeys.authenticate(request.getHeader("X-Api-Key")).map(a -> "app:" + a.name());
        }
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        if (authentication != null && authentication.getPrincipal() instanceof Jwt jwt) {
            return Optional.of("user:" + jwt.getSubject());
        }
        return Optional.empty();
    }

    private Bucket bucket(String key, int perSecond, int burst) {
        synchronized (buckets) {
            return buckets.computeIfAbsent(
                    key,
                    k -> Bucket.builder()
                            .addLimit(Bandwidth.builder()
                                    .capacity(burst)
                                    .refillGreedy(perSecond, Duration.ofSeconds(1))
                                    .build())
                            .build());
        }
    }
}
