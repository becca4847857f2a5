package io.herald.gateway.devices;

import io.herald.events.DomainEvent;
import io.herald.events.Ids;
import io.herald.gateway.events.EventPublisher;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.UriUtils;

/**
 * The signed-in user's devices, preferences (token-service) and inbox (ws-fanout-service). The user id is
 * always the JWT's subject, never taken from the request, so no one can reach another user's data, even by
 * guessing ids: the owning services answer 404 for an id that is not this user's.
 */
@RestController
class DevicesController {

    private final Downstream tokenService;
    private final Downstream inbox;
    private final EventPublisher publisher;
    private final Clock clock;

    DevicesController(
            @Qualifier("tokenService") Downstream tokenService,
            @Qualifier("inboxService") Downstream inbox,
            EventPublisher publisher,
            Clock clock) {
        this.tokenService = tokenService;
        this.inbox = inbox;
        this.publisher = publisher;
        this.clock = clock;
    }

    @PostMapping(path = "/v1/devices", consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<byte[]> register(@AuthenticationPrincipal Jwt jwt, @RequestBody byte[] body) {
        return tokenService.forward(HttpMethod.POST, Users.path(jwt, "/devices"), body);
    }

    @GetMapping("/v1/devices")
    ResponseEntity<byte[]> list(@AuthenticationPrincipal Jwt jwt) {
        return tokenService.forward(HttpMethod.GET, Users.path(jwt, "/devices"), null);
    }

    @DeleteMapping("/v1/devices/{deviceId}")
    ResponseEntity<byte[]> remove(@AuthenticationPrincipal Jwt jwt, @PathVariable UUID deviceId) {
        return tokenService.forward(HttpMethod.DELETE, Users.path(jwt, "/devices/" + deviceId), null);
    }

    record TestSent(UUID eventId) {}

    /** Sends a test notification to all the user's devices (and inbox), through the whole pipeline. */
    @PostMapping("/v1/devices/test")
    ResponseEntity<TestSent> test(@AuthenticationPrincipal Jwt jwt) {
        var event = new DomainEvent(
                Ids.newEventId(),
                DomainEvent.SCHEMA_VERSION,
                "test",
                "herald",
                clock.instant(),
                null,
                List.of(Users.id(jwt)),
                null,
                Map.of(),
                "Test notification",
                "Notifications from Herald reach this device.",
                null,
                null,
                null,
                Set.of());
        publisher.publish(event);
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(new TestSent(event.eventId()));
    }

    @GetMapping("/v1/preferences")
    ResponseEntity<byte[]> preferences(@AuthenticationPrincipal Jwt jwt) {
        return tokenService.forward(HttpMethod.GET, Users.path(jwt, "/preferences"), null);
    }

    @PutMapping(path = "/v1/preferences", consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<byte[]> changePreferences(@AuthenticationPrincipal Jwt jwt, @RequestBody byte[] body) {
        return tokenService.forward(HttpMethod.PUT, Users.path(jwt, "/preferences"), body);
    }

    @GetMapping("/v1/inbox")
    ResponseEntity<byte[]> inbox(
            @AuthenticationPrincipal Jwt jwt,
            @RequestParam(defaultValue = "20") int limit,
            @RequestParam(required = false) String cursor) {
        String query = "?limit=" + Math.clamp(limit, 1, 100)
                + (cursor == null ? "" : "&cursor=" + UriUtils.encodeQueryParam(cursor, "UTF-8"));
        return inbox.forward(HttpMethod.GET, Users.path(jwt, "/notifications" + query), null);
    }

    @GetMapping("/v1/inbox/unread-count")
    ResponseEntity<byte[]> unreadCount(@AuthenticationPrincipal Jwt jwt) {
        return inbox.forward(HttpMethod.GET, Users.path(jwt, "/notifications/unread-count"), null);
    }

    @PostMapping("/v1/inbox/{notificationId}/read")
    ResponseEntity<byte[]> markRead(@AuthenticationPrincipal Jwt jwt, @PathVariable UUID notificationId) {
        return inbox.forward(HttpMethod.POST, Users.path(jwt, "/notifications/" + notificationId + "/read"), null);
    }

    @PostMapping("/v1/inbox/read-all")
    ResponseEntity<byte[]> markAllRead(@AuthenticationPrincipal Jwt jwt) {
        return inbox.forward(HttpMethod.POST, Users.path(jwt, "/notifications/read-all"), null);
    }

    @DeleteMapping("/v1/inbox/{notificationId}")
    ResponseEntity<byte[]> delete(@AuthenticationPrincipal Jwt jwt, @PathVariable UUID notificationId) {
        return inbox.forward(HttpMethod.DELETE, Users.path(jwt, "/notifications/" + notificationId), null);
    }
}
