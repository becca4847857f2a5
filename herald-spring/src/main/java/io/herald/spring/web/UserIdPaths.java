package io.herald.spring.web;

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

    @Bean
    TomcatConnectorCustomizer encodedSlashesInUserIds() {
        return connector -> {
            connector.setEncodedSolidusHandling(EncodedSolidusHandling.PASS_THROUGH.getValue());
            connector.setEncodedReverseSolidusHandling(EncodedSolidusHandling.PASS_THROUGH.getValue());
        };
    }
}
