package io.herald.gateway.security;

import io.herald.events.HeraldJson;
import io.herald.gateway.problems.ApiProblem;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Optional;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The first charge of {@link RateLimits}, before a request is read: one notification from the app's bucket for
 * a request to the upstream apps' endpoints (the events controller charges the rest of what a request publishes,
 * once it knows the recipients), one request from the user's bucket for the apps' endpoints. Over the limit: 429
 * problem+json with {@code Retry-After}.
 */
class RateLimitFilter extends OncePerRequestFilter {

    private final ApiKeys apiKeys;
    private final RateLimits limits;

    RateLimitFilter(ApiKeys apiKeys, RateLimits limits) {
        this.apiKeys = apiKeys;
        this.limits = limits;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Optional<Duration> wait = Optional.empty();
        String whose = "user";
        // The apps' endpoints: their events, withdrawals of their notifications by collapse key, what they sent
        // their users (GET /v1/users/{userId}/notifications), and topics when called with an API key.
        if (request.getRequestURI().startsWith("/v1/events")
                || request.getRequestURI().startsWith("/v1/withdrawals")
                || request.getRequestURI().startsWith("/v1/users/")
                || (request.getRequestURI().startsWith("/v1/topics/") && request.getHeader("X-Api-Key") != null)) {
            Optional<ApiKeys.App> app = apiKeys.authenticate(request.getHeader("X-Api-Key"));
            if (app.isPresent()) {
                whose = "API key";
                wait = limits.takeForApp(app.get().name(), 1, 0);
            }
        } else {
            Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
            if (authentication != null && authentication.getPrincipal() instanceof Jwt jwt) {
                wait = limits.takeForUser(String.valueOf(jwt.getSubject()));
            }
        }
        if (wait.isPresent()) {
            ApiProblem problem = RateLimits.tooMany(whose, wait.get());
            var body = new LinkedHashMap<String, Object>();
            body.put("type", String.valueOf(problem.detail().getType()));
            body.put("title", problem.detail().getTitle());
            body.put("status", 429);
            body.put("detail", problem.detail().getDetail());
            response.setStatus(429);
            response.setHeader("Retry-After", Long.toString(RateLimits.retryAfterSeconds(wait.get())));
            response.setContentType("application/problem+json");
            response.getOutputStream().write(HeraldJson.mapper().writeValueAsBytes(body));
            return;
        }
        chain.doFilter(request, response);
    }
}
