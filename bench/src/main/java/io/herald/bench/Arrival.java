package io.herald.bench;

import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** A push at its emulator in {@code pipeline-e2e}: its provider, when its event was published and when it arrived. */
record Arrival(String provider, long sentMicros, long receivedMicros) {

    long latencyMicros() {
        return receivedMicros - sentMicros;
    }

    /** Their publish-to-arrival latencies. */
    static Latencies latencies(List<Arrival> arrivals) {
        var latencies = new Latencies();
        arrivals.forEach(a -> latencies.record(a.latencyMicros()));
        return latencies;
    }

    /** Publish-to-arrival latencies by provider, FCM, Expo and APNs each listed. */
    static Map<String, Latencies> latenciesByProvider(List<Arrival> arrivals) {
        Map<String, Latencies> latencies = new LinkedHashMap<>();
        for (String provider : List.of("fcm", "expo", "apns")) {
            latencies.put(provider, new Latencies());
        }
        arrivals.forEach(a -> latencies.get(a.provider()).record(a.latencyMicros()));
        return latencies;
    }

    /**
     * How many deliveries took over {@code thresholdMicros}, by the UTC second they were published in: whether a
     * phase's slow tail is spread out (a queue) or bunched (stalls), and when, to set beside other logs.
     */
    static Map<LocalTime, Integer> slowBySecond(List<Arrival> arrivals, long thresholdMicros) {
        Map<LocalTime, Integer> slow = new TreeMap<>();
        for (Arrival a : arrivals) {
            if (a.latencyMicros() > thresholdMicros) {
                slow.merge(
                        LocalTime.ofInstant(Instant.ofEpochSecond(a.sentMicros() / 1_000_000), ZoneOffset.UTC),
                        1,
                        Integer::sum);
            }
        }
        return slow;
    }
}
