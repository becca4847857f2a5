package io.herald.dispatch.fcm.http2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.Test;

class OriginTest {

    @Test
    void anHttpsAddressWithoutPortIsTlsOn443AndItsAuthorityIsTheHostAlone() {
        Origin origin = Origin.of(URI.create("https://fcm.googleapis.com"));

        assertThat(origin.secure()).isTrue();
        assertThat(origin.port()).isEqualTo(443);
        assertThat(origin.scheme().toString()).isEqualTo("https");
        assertThat(origin.authority().toString()).isEqualTo("fcm.googleapis.com");
    }

    @Test
    void anHttpAddressWithAPortIsCleartextAndItsAuthorityNamesThePort() {
        Origin origin = Origin.of(URI.create("http://127.0.0.1:9099/ignored/path"));

        assertThat(origin.secure()).isFalse();
        assertThat(origin.host()).isEqualTo("127.0.0.1");
        assertThat(origin.port()).isEqualTo(9099);
        assertThat(origin.scheme().toString()).isEqualTo("http");
        assertThat(origin.authority().toString()).isEqualTo("127.0.0.1:9099");
    }

    @Test
    void anyOtherSchemeIsRefused() {
        assertThatThrownBy(() -> Origin.of(URI.create("ftp://example.com")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("not an http or https address: ftp://example.com");
    }
}
