package io.herald.dispatch.fcm;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.api.client.json.gson.GsonFactory;
import com.google.firebase.messaging.Message;
import io.herald.dispatch.TestDeliveries;
import io.herald.events.Provider;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FcmDirectClientTest {

    @Test
    void writesTheMessageByteForByteAsTheSdkDoes() throws Exception {
        Message message = FcmMessages.of(
                TestDeliveries.like("alice", "token-with-ünïcödé-and-\"quotes\"", Provider.FCM), Instant.now());

        byte[] sdk = GsonFactory.getDefaultInstance().toByteArray(Map.of("message", message));

        assertThat(new String(FcmDirectClient.body(message), StandardCharsets.UTF_8))
                .isEqualTo(new String(sdk, StandardCharsets.UTF_8))
                .contains("\"token\":\"token-with-ünïcödé-and-\\\"quotes\\\"\"");
    }
}
