package io.herald.gateway.devices;

import java.nio.charset.StandardCharsets;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.util.UriUtils;

/** Paths of the internal APIs for the signed-in user: the user id always comes from the JWT's subject. */
final class Users {

    private Users() {}

    static String path(Jwt jwt, String rest) {
        return "/internal/v1/users/" + UriUtils.encodePathSegment(jwt.getSubject(), StandardCharsets.UTF_8) + rest;
    }
}
