package io.herald.spring.web;

import java.nio.charset.StandardCharsets;
import org.apache.tomcat.util.buf.EncodedSolidusHandling;
import org.springframework.boot.tomcat.TomcatConnectorCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * For a service that serves an internal API with user ids in its paths ({@code /internal/v1/users/{userId}/…}):
 * import it on the application class. Not auto-configured, because it loosens what Tomcat accepts, and the
 * gateway's public API keeps Tomcat's default.
 *
 * <p>A user id may be any JWT subject, so the gateway percent-encodes it: {@code google-oauth2|1/2} arrives as
 * {@code google-oauth2%7C1%2F2}. Tomcat refuses an encoded slash by default (400), and decodes an encoded backslash
 * only to refuse it; both passed through, Spring matches the path as it came, segment by segment, and decodes the
 * variable, so the controllers get the subject exactly as the JWT has it.
 */
@Configuration(proxyBeanMethods = false)
public class UserIdPaths {

    private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);

    /**
     * A user id as one path segment of an internal API: each UTF-8 byte percent-encoded except letters, digits,
     * {@code -}, {@code _} and {@code ~}. Encoding everything else — {@code /}, {@code %}, {@code ;} (a path
     * parameter to Tomcat), {@code .} (so that {@code ..} is no step up), {@code +} and {@code @} — leaves no
     * character that any server or proxy on the way reads as anything but part of the id. Every caller of an
     * internal API with a user id in its path (the gateway, dispatch-service) encodes it so.
     */
    public static String segment(String userId) {
        byte[] utf8 = userId.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[utf8.length * 3];
        int n = 0;
        for (byte b : utf8) {
            int c = b & 0xFF;
            if ((c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || c == '-'
                    || c == '_'
                    || c == '~') {
                out[n++] = b;
            } else {
                out[n++] = '%';
                out[n++] = HEX[c >> 4];
                out[n++] = HEX[c & 0xF];
            }
        }
        return new String(out, 0, n, StandardCharsets.US_ASCII);
    }

    @Bean
    TomcatConnectorCustomizer encodedSlashesInUserIds() {
        return connector -> {
            connector.setEncodedSolidusHandling(EncodedSolidusHandling.PASS_THROUGH.getValue());
            connector.setEncodedReverseSolidusHandling(EncodedSolidusHandling.PASS_THROUGH.getValue());
        };
    }
}
