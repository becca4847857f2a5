package io.herald.token;

import org.apache.tomcat.util.buf.EncodedSolidusHandling;
import org.springframework.boot.tomcat.TomcatConnectorCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * A user id is a path segment of the internal API ({@code /internal/v1/users/{userId}/…}) and may be any JWT
 * subject, so the gateway percent-encodes it: {@code google-oauth2|1/2} arrives as {@code google-oauth2%7C1%2F2}.
 * Tomcat refuses an encoded slash by default (400), and decodes an encoded backslash only to refuse it; both passed
 * through, Spring matches the path as it came, segment by segment, and decodes the variable, so the controllers get
 * the subject exactly as the JWT has it.
 */
@Configuration(proxyBeanMethods = false)
class UserIdPaths {

    @Bean
    TomcatConnectorCustomizer encodedSlashesInUserIds() {
        return connector -> {
            connector.setEncodedSolidusHandling(EncodedSolidusHandling.PASS_THROUGH.getValue());
            connector.setEncodedReverseSolidusHandling(EncodedSolidusHandling.PASS_THROUGH.getValue());
        };
    }
}
