package io.herald.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.herald.events.HeraldJson;
import io.herald.spring.web.InternalApiProperties;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.RequestMappingInfoHandlerMapping;

/**
 * What reaches each service and what it takes, against the whole dev stack: every endpoint of every service
 * refuses a 200 MB body with 413 before reading it, and stays up; the internal APIs answer only callers with the
 * service credential; the gateway's actuator is not on its public port; and the dev stack listens on loopback
 * alone.
 */
@ExtendWith(SharedDevStack.class)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class ServiceBoundariesIT {

    /** What the client may have handed out before the server stopped reading: far below the 200 MB sent. */
    private static final long READ_AT_MOST = 32L * 1024 * 1024;

    private static final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static DevStack stack;
    private static String jwt;

    @BeforeAll
    static void useTheSharedStack(DevStack shared) throws Exception {
        stack = shared;
        var token = http.send(
                HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + "/dev/token"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"userId\":\"boundaries\"}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(token.statusCode()).isEqualTo(200);
        jwt = HeraldJson.mapper().readTree(token.body()).path("token").asString();
    }

    /** One request target: a service's base URL, a method and a concrete path. */
    record Target(String service, String baseUrl, String method, String path) {
        @Override
        public String toString() {
            return service + " " + method + " " + path;
        }
    }

    @Test
    void everyEndpointOfEveryServiceRefusesA200MbBodyUnreadAndStaysUp() throws Exception {
        List<Target> targets = new ArrayList<>();
        targets.addAll(endpoints("gateway-service", stack.gatewayUrl()));
        targets.addAll(endpoints("token-service", stack.urls().get("token-service")));
        targets.addAll(endpoints("ws-fanout-service", stack.urls().get("ws-fanout-internal")));
        targets.addAll(endpoints("dispatch-service", stack.urls().get("dispatch-service")));
        // The gateway's actuator is a context of its own, on its management port.
        for (String path : List.of("/actuator/health", "/actuator/health/readiness", "/actuator/prometheus")) {
            targets.add(new Target("gateway-management", stack.urls().get("gateway-management"), "POST", path));
        }
        // A path nothing serves is refused the same.
        targets.add(new Target("gateway-service", stack.gatewayUrl(), "POST", "/v1/nothing-here"));
        assertThat(targets)
                .extracting(Target::service)
                .contains("gateway-service", "token-service", "ws-fanout-service", "dispatch-service");
        Map<String, String> credentials = Map.of(
                "Authorization",
                "Bearer " + jwt,
                "X-Api-Key",
                stack.apiKey(),
                InternalApiProperties.HEADER,
                stack.internalSecret());

        for (Target target : targets) {
            for (boolean chunked : new boolean[] {false, true}) {
                String what = target + (chunked ? " (chunked)" : " (Content-Length)");
                HugeBody.Answer answer = HugeBody.send(
                        URI.create(target.baseUrl()), target.method(), target.path(), credentials, chunked);
                assertThat(answer.status()).as(what + ": " + answer.body()).isEqualTo(413);
                assertThat(answer.headers().get("content-type")).as(what).startsWith("application/problem+json");
                assertThat(HeraldJson.mapper()
                                .readTree(answer.body())
                                .path("type")
                                .asString())
                        .as(what)
                        .isEqualTo("https://herald.dev/problems/request-too-large");
                assertThat(answer.handedOut())
                        .as(what + ": bytes of the body sent before the server stopped reading")
                        .isLessThan(READ_AT_MOST);
            }
        }

        for (String service :
                List.of("gateway-management", "token-service", "dispatch-service", "ws-fanout-internal")) {
            var ready = http.send(
                    HttpRequest.newBuilder(URI.create(stack.urls().get(service) + "/actuator/health/readiness"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).as(service + ": " + ready.body()).isEqualTo(200);
        }
        var event = http.send(
                HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + "/v1/events"))
                        .header("Content-Type", "application/json")
                        .header("X-Api-Key", stack.apiKey())
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "{\"type\":\"chat\",\"recipients\":[\"boundaries\"],\"title\":\"t\",\"body\":\"b\"}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(event.statusCode()).as(event.body()).isEqualTo(202);
    }

    @Test
    void internalApisAnswerOnlyCallersWithTheServiceCredential() throws Exception {
        List<Target> internal = new ArrayList<>();
        internal.addAll(endpoints("token-service", stack.urls().get("token-service")));
        internal.addAll(endpoints("ws-fanout-service", stack.urls().get("ws-fanout-internal")));
        internal.removeIf(target -> !target.path().startsWith("/internal/"));
        assertThat(internal).extracting(Target::service).contains("token-service", "ws-fanout-service");

        for (Target target : internal) {
            for (String secret : new String[] {null, "wrong-" + stack.internalSecret()}) {
                var request = HttpRequest.newBuilder(URI.create(target.baseUrl() + target.path()))
                        .header("Content-Type", "application/json")
                        .method(target.method(), HttpRequest.BodyPublishers.ofString("{}"));
                if (secret != null) {
                    request.header(InternalApiProperties.HEADER, secret);
                }
                var response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
                String what = target + (secret == null ? " without a credential" : " with a wrong credential");
                assertThat(response.statusCode()).as(what).isEqualTo(401);
                assertThat(response.headers().firstValue("Content-Type").orElse(""))
                        .as(what)
                        .startsWith("application/problem+json");
                assertThat(HeraldJson.mapper()
                                .readTree(response.body())
                                .path("type")
                                .asString())
                        .as(what)
                        .isEqualTo("https://herald.dev/problems/unauthenticated");
            }
        }

        String devices = stack.urls().get("token-service") + "/internal/v1/users/boundaries/devices";
        var allowed = http.send(
                HttpRequest.newBuilder(URI.create(devices))
                        .header(InternalApiProperties.HEADER, stack.internalSecret())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(allowed.statusCode()).as(allowed.body()).isEqualTo(200);
        // The gateway sends it: a signed-in user reaches their devices and inbox through it.
        for (String path : List.of("/v1/devices", "/v1/inbox")) {
            var viaGateway = http.send(
                    HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + path))
                            .header("Authorization", "Bearer " + jwt)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(viaGateway.statusCode())
                    .as(path + ": " + viaGateway.body())
                    .isEqualTo(200);
        }
    }

    @Test
    void theGatewaysActuatorIsOnItsManagementPortNotOnThePublicOne() throws Exception {
        for (String path : List.of("/actuator/health", "/actuator/prometheus", "/actuator/health/readiness")) {
            var publicPort = http.send(
                    HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + path))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(publicPort.statusCode()).as(path).isEqualTo(404);
            var management = http.send(
                    HttpRequest.newBuilder(URI.create(stack.urls().get("gateway-management") + path))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(management.statusCode()).as(path).isEqualTo(200);
        }
        assertThat(URI.create(stack.urls().get("gateway-management")).getPort())
                .isNotEqualTo(URI.create(stack.gatewayUrl()).getPort());
    }

    @Test
    void everyPortOfTheDevStackListensOnLoopbackAlone() throws Exception {
        assumeThat(Path.of("/proc/net/tcp")).as("Linux /proc").exists();
        Set<Long> ours = new TreeSet<>();
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    Matcher socket = Pattern.compile("socket:\\[(\\d+)]")
                            .matcher(Files.readSymbolicLink(fd).toString());
                    if (socket.matches()) {
                        ours.add(Long.parseLong(socket.group(1)));
                    }
                } catch (IOException gone) {
                    // closed meanwhile
                }
            }
        }
        int postgresPort = URI.create(stack.urls().get("postgresql").substring("jdbc:".length()))
                .getPort();
        Map<Integer, String> listening = new LinkedHashMap<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            for (String line :
                    Files.readAllLines(Path.of(table)).stream().skip(1).toList()) {
                String[] f = line.trim().split("\\s+");
                String[] local = f[1].split(":");
                int port = Integer.parseInt(local[1], 16);
                boolean listen = f[3].equals("0A");
                if (listen && (ours.contains(Long.parseLong(f[9])) || port == postgresPort)) {
                    listening.merge(port, local[0], (a, b) -> a + "," + b);
                }
            }
        }
        // Everything the stack opened: the services, the emulators, the dashboard, Kafka and PostgreSQL.
        List<Integer> expected = new ArrayList<>();
        for (String url : stack.urls().values()) {
            String address = url.startsWith("jdbc:") ? url.substring("jdbc:".length()) : url;
            if (address.contains("://")) {
                expected.add(URI.create(address).getPort());
            } else {
                expected.add(Integer.parseInt(address.substring(address.lastIndexOf(':') + 1)));
            }
        }
        assertThat(listening.keySet()).as("the stack's listening ports").containsAll(expected);
        Set<String> loopback =
                Set.of("0100007F", "00000000000000000000000001000000", "0000000000000000FFFF00000100007F");
        Map<Integer, String> exposed = new LinkedHashMap<>(listening);
        exposed.values().removeIf(addresses -> loopback.containsAll(List.of(addresses.split(","))));
        assertThat(exposed)
                .as("ports listening beyond loopback (address in /proc/net/tcp's hex); the stack: " + stack.urls())
                .isEmpty();
    }

    /** Every mapped endpoint of a service, path variables filled in, each method it answers. */
    private static List<Target> endpoints(String service, String baseUrl) {
        ConfigurableApplicationContext context = stack.context(service);
        List<Target> targets = new ArrayList<>();
        for (RequestMappingInfoHandlerMapping mapping :
                context.getBeansOfType(RequestMappingInfoHandlerMapping.class).values()) {
            for (RequestMappingInfo info : mapping.getHandlerMethods().keySet()) {
                Set<RequestMethod> methods = info.getMethodsCondition().getMethods();
                for (String pattern : info.getPatternValues()) {
                    String path = pattern.replaceAll(
                                    "\\{[^}]*}", UUID.randomUUID().toString())
                            .replace("**", "x");
                    for (RequestMethod method : methods.isEmpty() ? Set.of(RequestMethod.POST) : methods) {
                        if (method != RequestMethod.HEAD && method != RequestMethod.OPTIONS) {
                            targets.add(new Target(service, baseUrl, method.name(), path));
                        }
                    }
                }
            }
        }
        return targets;
    }
}
