package io.herald.spring.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.catalina.connector.Connector;
import org.apache.tomcat.util.buf.EncodedSolidusHandling;
import org.junit.jupiter.api.Test;

class UserIdPathsTest {

    @Test
    void encodedSlashesAndBackslashesReachTheControllersUndecoded() {
        var connector = new Connector();
        assertThat(connector.getEncodedSolidusHandling()).isEqualTo(EncodedSolidusHandling.REJECT.getValue());

        new UserIdPaths().encodedSlashesInUserIds().customize(connector);

        assertThat(connector.getEncodedSolidusHandling()).isEqualTo(EncodedSolidusHandling.PASS_THROUGH.getValue());
        assertThat(connector.getEncodedReverseSolidusHandling())
                .isEqualTo(EncodedSolidusHandling.PASS_THROUGH.getValue());
    }
}
