package io.herald.gateway.devices;

import io.herald.events.TextRules;
import io.herald.gateway.problems.ApiProblem;
import io.herald.spring.web.UserIdPaths;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.security.oauth2.jwt.Jwt;

/**
 * The signed-in user's id and the internal APIs' paths for it: the id always comes from the JWT's subject, and any
 * subject Herald can use works, whatever its characters ({@code auth0|abc}, {@code google-oauth2|1/2}, {@code 100%},
 * emoji…).
 */
final class Users {

    /** The longest subject Herald takes, in characters (OpenID Connect's limit; an event's recipients allow as many). */
    static final int MAX_LENGTH = 255;

    private Users() {}

    /**
     * The JWT's subject as a user id. A subject Herald cannot use — blank, over {@value #MAX_LENGTH} characters, or
     * breaking its rule for text ({@link TextRules}: a control character) — is refused with 400 {@code
     * invalid-subject}: no other request with the same token can succeed, so the client should not simply retry.
     */
    static String id(Jwt jwt) {
        String subject = jwt.getSubject();
        if (subject == null || subject.isBlank()) {
            throw invalidSubject("the token has no subject");
        }
        if (subject.codePointCount(0, subject.length()) > MAX_LENGTH) {
            throw invalidSubject("the token's subject is longer than " + MAX_LENGTH + " characters");
        }
        TextRules.Violation violation = TextRules.check("the token's subject", subject);
        if (violation != null) {
            throw invalidSubject(violation.message());
        }
        return subject;
    }

    /** The internal API's path for the signed-in user: {@code /internal/v1/users/<id>} and {@code rest}, as it is. */
    static String path(Jwt jwt, String rest) {
        return "/internal/v1/users/" + segment(id(jwt)) + rest;
    }

    /** A user id as one path segment, to be sent as it is (never encoded again): {@link UserIdPaths#segment}. */
    static String segment(String userId) {
        return UserIdPaths.segment(userId);
    }

    private static ApiProblem invalidSubject(String detail) {
        return new ApiProblem(HttpStatus.BAD_REQUEST, "invalid-subject", "Unusable user id", detail);
    }

    /**
     * A user id an app names (in a path or a query): the rules an event's recipient obeys (not blank, at most {@value
     * #MAX_LENGTH} characters, {@link TextRules}), else 400 {@code invalid-user-id} naming the field {@code userId}.
     *
     * @return the user id, as it is
     */
    static String requireUsable(@Nullable String userId) {
        String problem = null;
        if (userId == null || userId.isBlank()) {
            problem = "the user id is missing or blank";
        } else if (userId.codePointCount(0, userId.length()) > MAX_LENGTH) {
            problem = "the user id is longer than " + MAX_LENGTH + " characters";
        } else {
            TextRules.Violation violation = TextRules.check("the user id", userId);
            problem = violation == null ? null : violation.message();
        }
        if (problem == null && userId != null) {
            return userId;
        }
        throw new ApiProblem(
                        HttpStatus.BAD_REQUEST,
                        "invalid-user-id",
                        "Unusable user id",
                        problem == null ? "the user id is missing" : problem)
                .with("field", "userId");
    }
}
