package io.herald.token.preferences;

import java.net.URI;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** The internal preferences API: read and replace a user's preferences (the gateway passes the JWT subject). */
@RestController
@RequestMapping("/internal/v1/users/{userId}/preferences")
class PreferencesController {

    private final PreferenceStore store;

    PreferencesController(PreferenceStore store) {
        this.store = store;
    }

    @GetMapping
    Preferences get(@PathVariable String userId) {
        return store.of(userId);
    }

    @PutMapping
    ResponseEntity<?> put(@PathVariable String userId, @RequestBody Preferences preferences) {
        List<String> problems = preferences.problems();
        if (!problems.isEmpty()) {
            var problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, problems.getFirst());
            problem.setType(URI.create("https://herald.dev/problems/invalid-preferences"));
            problem.setTitle("Invalid preferences");
            problem.setProperty(
                    "errors", problems.stream().map(p -> Map.of("message", p)).toList());
            return ResponseEntity.badRequest().body(problem);
        }
        store.save(userId, preferences);
        return ResponseEntity.ok(preferences);
    }
}
