package io.herald.token.devices;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The internal devices API the gateway calls with the authenticated user's id (the JWT subject). It is not
 * published outside the cluster. A user reaches only their own devices: another user's device id answers
 * 404 exactly as a missing one does.
 */
@RestController
@RequestMapping("/internal/v1/users/{userId}/devices")
class DevicesController {

    private final DeviceStore store;
    private final DeviceCache cache;
    private final DeviceProperties properties;

    DevicesController(DeviceStore store, DeviceCache cache, DeviceProperties properties) {
        this.store = store;
        this.cache = cache;
        this.properties = properties;
    }

    /**
     * A registration's answer: the device, and the user's devices it deleted to stay within {@code
     * herald.token.devices.max-per-user} ({@code retired}, least recently seen first; usually empty).
     */
    record RegisteredDevice(@JsonUnwrapped Device device, List<Device> retired) {}

    /**
     * Registers ({@code 201}) or refreshes ({@code 200}) a device of the user. One over the cap retires the
     * least recently seen of the others (inactive ones first): they are deleted, and named in the answer.
     */
    @PostMapping
    ResponseEntity<RegisteredDevice> register(
            @PathVariable String userId, @RequestBody DeviceRegistration registration) {
        List<DeviceValidator.FieldError> errors = DeviceValidator.check(registration);
        if (!errors.isEmpty()) {
            throw new InvalidDevice(errors);
        }
        DeviceStore.Registered registered = store.register(userId, registration, properties.maxPerUser());
        // This instance at once; every instance before its next routing poll (DeviceCache).
        cache.invalidate(userId);
        if (registered.previousUser() != null) {
            // The token moved from another user: their cached list is stale too.
            cache.invalidate(registered.previousUser());
        }
        return ResponseEntity.status(registered.created() ? HttpStatus.CREATED : HttpStatus.OK)
                .body(new RegisteredDevice(registered.device(), registered.retired()));
    }

    @GetMapping
    List<Device> list(@PathVariable String userId) {
        return store.list(userId);
    }

    @DeleteMapping("/{deviceId}")
    ResponseEntity<Void> delete(@PathVariable String userId, @PathVariable UUID deviceId) {
        boolean deleted = store.delete(userId, deviceId);
        cache.invalidate(userId);
        if (!deleted) {
            var problem = ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, "No such device among yours");
            problem.setType(URI.create("https://herald.dev/problems/device-not-found"));
            problem.setTitle("Device not found");
            return ResponseEntity.of(problem).build();
        }
        return ResponseEntity.noContent().build();
    }

    @ExceptionHandler(InvalidDevice.class)
    ProblemDetail invalid(InvalidDevice e) {
        var problem = ProblemDetail.forStatusAndDetail(
                HttpStatus.BAD_REQUEST,
                e.errors.getFirst().field() + " " + e.errors.getFirst().message());
        problem.setType(URI.create("https://herald.dev/problems/invalid-device"));
        problem.setTitle("Invalid device");
        problem.setProperty(
                "errors",
                e.errors.stream()
                        .map(error -> Map.of("field", error.field(), "message", error.message()))
                        .toList());
        return problem;
    }

    private static final class InvalidDevice extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient List<DeviceValidator.FieldError> errors;

        InvalidDevice(List<DeviceValidator.FieldError> errors) {
            super("invalid device", null, false, false);
            this.errors = errors;
        }
    }
}
