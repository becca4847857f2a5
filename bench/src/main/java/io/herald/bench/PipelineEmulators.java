package io.herald.bench;

import io.herald.events.HeraldJson;
import io.herald.testkit.apns.ApnsEmulator;
import io.herald.testkit.expo.ExpoEmulator;
import io.herald.testkit.fcm.FcmEmulator;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/** {@code pipeline-e2e}'s three emulators, counted and read together. */
record PipelineEmulators(FcmEmulator fcm, ExpoEmulator expo, ApnsEmulator apns) {

    /** Pushes received since the last {@link #clear()}. */
    long count() {
        return fcm.receivedCount() + expo.receivedCount() + apns.receivedCount();
    }

    void clear() {
        fcm.clear();
        expo.clear();
        apns.clear();
    }

    /**
     * What each emulator received since the last {@link #clear()}, one arrival per push that carries its event's
     * publish time: each push's JSON read once.
     */
    List<Arrival> arrivals() {
        List<Arrival> arrivals = new ArrayList<>();
        fcm.received()
                .forEach(r ->
                        add(arrivals, "fcm", r.message().path("data").path(PipelineEvents.SENT_AT), r.receivedAt()));
        expo.received()
                .forEach(r ->
                        add(arrivals, "expo", r.message().path("data").path(PipelineEvents.SENT_AT), r.receivedAt()));
        apns.received()
                .forEach(r -> add(
                        arrivals,
                        "apns",
                        HeraldJson.mapper().readTree(r.payload()).path(PipelineEvents.SENT_AT),
                        r.receivedAt()));
        return arrivals;
    }

    private static void add(List<Arrival> arrivals, String provider, JsonNode sentAt, Instant receivedAt) {
        if (sentAt.isString()) {
            arrivals.add(new Arrival(provider, Long.parseLong(sentAt.asString()), EpochMicros.of(receivedAt)));
        }
    }
}
