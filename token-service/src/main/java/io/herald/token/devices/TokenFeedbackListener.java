package io.herald.token.devices;

import io.herald.events.TokenFeedback;
import io.herald.events.Topics;
import io.herald.spring.kafka.DataRefusals;
import io.herald.spring.kafka.UnreadableRecords;
import java.util.Locale;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/** A provider called a token dead ({@code herald.token-feedback.v1}): the device is deactivated at once. */
@Component
class TokenFeedbackListener {

    private static final Logger log = LoggerFactory.getLogger(TokenFeedbackListener.class);

    private final DeviceStore devices;
    private final DeviceCache cache;

    TokenFeedbackListener(DeviceStore devices, DeviceCache cache) {
        this.devices = devices;
        this.cache = cache;
    }

    @KafkaListener(
            id = "token-feedback",
            groupId = "herald-token-feedback",
            topics = Topics.TOKEN_FEEDBACK,
            containerFactory = "tokenFeedbackContainerFactory")
    void onFeedback(ConsumerRecord<String, TokenFeedback> record) {
        TokenFeedback feedback = record.value();
        if (feedback == null) {
            // What could not be read never gets here (the error handler dead-letters it with the parser's reason).
            throw UnreadableRecords.noValue("a token feedback");
        }
        String provider = feedback.provider().name().toLowerCase(Locale.ROOT);
        Optional<String> owner;
        try {
            owner = devices.deactivate(provider, feedback.token());
        } catch (RuntimeException e) {
            if (DataRefusals.isDataRefusal(e)) {
                // Not the database being away: retrying this record cannot help.
                throw UnreadableRecords.refusal("the device registry", e);
            }
            throw e;
        }
        // This instance at once; the others before their next routing poll (DeviceCache).
        owner.ifPresent(cache::invalidate);
        boolean changed = owner.isPresent();
        String token = feedback.token();
        log.info(
                "{} token …{} {} ({})",
                provider,
                token.substring(Math.max(0, token.length() - 6)),
                changed ? "deactivated" : "was already inactive or unknown",
                feedback.reason());
    }
}
