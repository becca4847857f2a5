package io.herald.gateway.devices;

import io.herald.gateway.GatewayProperties;
import io.herald.gateway.problems.ApiProblem;
import java.net.URI;
import java.net.http.HttpClient;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;
import org.springframework.web.util.UriUtils;

/**
 * {@code /v1/devices}: the signed-in user's devices, kept by token-service. The user id is always the JWT's
 * subject, never taken from the request, so no one can address another user's devices. token-service's
 * answers (including its 4xx problems) pass through; token-service down or failing answers 503.
 */
@RestController
@RequestMapping("/v1/devices")
class DevicesController {

    private static final Logger log = LoggerFactory.getLogger(DevicesController.class);

    private final RestClient tokenService;

    DevicesController(GatewayProperties properties) {
        var http = HttpClient.newBuilder()
                .connectTimeout(properties.downstreamTimeout())
                .version(HttpClient.Version.HTTP_1_1)
                .build();
        var factory = new JdkClientHttpRequestFactory(http);
        factory.setReadTimeout(properties.downstreamTimeout());
        this.tokenService = RestClient.builder()
                .baseUrl(properties.tokenServiceUrl().toString())
                .requestFactory(factory)
                .build();
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<byte[]> register(@AuthenticationPrincipal Jwt jwt, @RequestBody byte[] body) {
        return forward(HttpMethod.POST, devicesOf(jwt), body);
    }

    @GetMapping
    ResponseEntity<byte[]> list(@AuthenticationPrincipal Jwt jwt) {
        return forward(HttpMethod.GET, devicesOf(jwt), null);
    }

    @DeleteMapping("/{deviceId}")
    ResponseEntity<byte[]> remove(@AuthenticationPrincipal Jwt jwt, @PathVariable UUID deviceId) {
        return forward(HttpMethod.DELETE, devicesOf(jwt) + "/" + deviceId, null);
    }

    private static String devicesOf(Jwt jwt) {
        return "/internal/v1/users/"
                + UriUtils.encodePathSegment(jwt.getSubject(), java.nio.charset.StandardCharsets.UTF_8) + "/devices";
    }

    private ResponseEntity<byte[]> forward(HttpMethod method, String path, byte[] body) {
        try {
            var request = tokenService.method(method).uri(URI.create(path).toString());
            if (body != null) {
                request.contentType(MediaType.APPLICATION_JSON).body(body);
            }
            return request.exchange((req, response) -> {
                if (response.getStatusCode().is5xxServerError()) {
                    log.warn(
                            "token-service answered {} to {} {}",
                            response.getStatusCode(),
                            method,
                            "/internal/v1/users/…/devices");
                    throw ApiProblem.unavailable("The device registry");
                }
                var headers = new HttpHeaders();
                MediaType type = response.getHeaders().getContentType();
                if (type != null) {
                    headers.setContentType(type);
                }
                return ResponseEntity.status(response.getStatusCode())
                        .headers(headers)
                        .body(response.getBody().readAllBytes());
            });
        } catch (ResourceAccessException e) {
            log.warn("token-service unreachable: {}", e.getMessage());
            throw ApiProblem.unavailable("The device registry");
        }
    }
}
