package io.herald.gateway.security;

import io.herald.events.HeraldJson;
import io.herald.gateway.GatewayProperties;
import io.herald.gateway.problems.ApiProblem;
import io.herald.spring.jwt.UserJwtPolicy;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.server.resource.web.authentication.BearerTokenAuthenticationFilter;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.firewall.RequestRejectedHandler;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.UrlBasedCorsConfigurationSource;

/**
 * Mobile and web users authenticate with a JWT (OAuth2 resource server); its subject is their user id.
 * Upstream apps use API keys instead ({@link ApiKeys}), checked by the events endpoints themselves.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfig {

    private static final Logger log = LoggerFactory.getLogger(SecurityConfig.class);

    @Bean
    SecurityFilterChain securityFilterChain(
            HttpSecurity http, JwtDecoder decoder, ApiKeys apiKeys, RateLimits rateLimits, GatewayProperties properties)
            throws Exception {
        AuthenticationEntryPoint unauthenticated = (request, response, exception) -> {
            var problem = new ApiProblem(
                            HttpStatus.UNAUTHORIZED,
                            "unauthenticated",
                            "Authentication required",
                            "a valid, unexpired bearer token (JWT) is required")
                    .detail();
            response.setStatus(401);
            response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
            response.setContentType("application/problem+json");
            response.getOutputStream()
                    .write(HeraldJson.mapper()
                            .writeValueAsBytes(Map.of(
                                    "type", String.valueOf(problem.getType()),
                                    "title", String.valueOf(problem.getTitle()),
                                    "status", 401,
                                    "detail", String.valueOf(problem.getDetail()),
                                    "instance", request.getRequestURI())));
        };
        var cors = new CorsConfiguration();
        cors.setAllowedOrigins(properties.cors().allowedOrigins());
        cors.setAllowedMethods(List.of("GET", "POST", "PUT", "PATCH", "DELETE"));
        cors.setAllowedHeaders(List.of("Authorization", "Content-Type", "Idempotency-Key", "X-Api-Key"));
        cors.setExposedHeaders(List.of("Retry-After"));
        cors.setMaxAge(3600L);
        var corsSource = new UrlBasedCorsConfigurationSource();
        corsSource.registerCorsConfiguration("/v1/**", cors);
        // The dev token endpoint answers only when dev mode is on; a dev web page may call it too.
        corsSource.registerCorsConfiguration("/dev/**", cors);
        return http.csrf(csrf -> csrf.disable())
                .cors(c -> c.configurationSource(corsSource))
                .addFilterAfter(new RateLimitFilter(apiKeys, rateLimits), BearerTokenAuthenticationFilter.class)
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .authorizeHttpRequests(a -> a.requestMatchers(
                                "/v1/devices", "/v1/devices/**", "/v1/preferences", "/v1/inbox", "/v1/inbox/**")
                        .authenticated()
                        .anyRequest()
                        .permitAll())
                .oauth2ResourceServer(o -> o.jwt(j -> j.decoder(decoder)).authenticationEntryPoint(unauthenticated))
                .exceptionHandling(e -> e.authenticationEntryPoint(unauthenticated))
                .build();
    }

    /**
     * User JWTs as {@link UserJwtPolicy} accepts them: a configuration it refuses stops the gateway at startup.
     * With none of {@code hmac-secret}, {@code jwk-set-uri} and {@code issuer-uri} the gateway still serves the
     * upstream apps, and refuses every user request.
     */
    @Bean
    JwtDecoder jwtDecoder(GatewayProperties properties) {
        GatewayProperties.Jwt jwt = properties.jwt();
        return UserJwtPolicy.decoder(new UserJwtPolicy.Settings(
                        "herald.gateway.jwt",
                        jwt.hmacSecret(),
                        jwt.jwkSetUri(),
                        jwt.issuerUri(),
                        jwt.issuer(),
                        jwt.audience()))
                .orElseGet(() -> {
                    log.warn("no JWT verification configured (herald.gateway.jwt.*): every user request will be"
                            + " refused");
                    return token -> {
                        throw new BadJwtException("no JWT verification is configured");
                    };
                });
    }

    /**
     * A request the firewall refuses — an encoded slash, backslash, percent or period, a semicolon, a control
     * character in the path — is answered 400 problem+json, like every other refusal, rather than with Spring's own
     * error page. Under {@code /v1/users/} it is a user id the path cannot carry: {@code invalid-user-id}.
     */
    @Bean
    RequestRejectedHandler problemForRejectedRequests() {
        return (request, response, rejected) -> {
            boolean userId = request.getRequestURI().startsWith("/v1/users/");
            var problem = (userId
                            ? new ApiProblem(
                                            HttpStatus.BAD_REQUEST,
                                            "invalid-user-id",
                                            "Unusable user id",
                                            "a user id holding '/', '\\', '%' or ';' cannot be given in the path")
                                    .with("field", "userId")
                            : new ApiProblem(
                                    HttpStatus.BAD_REQUEST,
                                    "invalid-request",
                                    "Invalid request",
                                    "the URL holds an encoded slash, backslash, percent or period, a semicolon or a"
                                            + " control character"))
                    .detail();
            var body = new LinkedHashMap<String, Object>();
            body.put("type", String.valueOf(problem.getType()));
            body.put("title", String.valueOf(problem.getTitle()));
            body.put("status", 400);
            body.put("detail", String.valueOf(problem.getDetail()));
            if (userId) {
                body.put("field", "userId");
            }
            response.setStatus(400);
            response.setContentType("application/problem+json");
            response.getOutputStream().write(HeraldJson.mapper().writeValueAsBytes(body));
        };
    }
}
