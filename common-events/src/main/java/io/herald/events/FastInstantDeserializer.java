package io.herald.events;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.deser.std.StdScalarDeserializer;
import tools.jackson.databind.ext.javatime.deser.InstantDeserializer;

/**
 * Reads the instants Herald writes ({@code 2026-11-25T01:02:03.456789Z}, what {@link Instant#toString()} gives)
 * without a {@link java.time.format.DateTimeFormatter}: Jackson's own deserializer parses every timestamp through
 * one, and that was three fifths of the cost of reading a push delivery. Anything else (offsets, numbers, leap
 * seconds) goes to Jackson's deserializer, so what is accepted does not change.
 */
final class FastInstantDeserializer extends StdScalarDeserializer<Instant> {

    private static final int[] SCALE = {100_000_000, 10_000_000, 1_000_000, 100_000, 10_000, 1_000, 100, 10, 1};

    FastInstantDeserializer() {
        super(Instant.class);
    }

    @Override
    public Instant deserialize(JsonParser parser, DeserializationContext context) {
        if (parser.hasToken(JsonToken.VALUE_STRING)) {
            Instant fast = parse(parser.getString());
            if (fast != null) {
                return fast;
            }
        }
        return InstantDeserializer.INSTANT.deserialize(parser, context);
    }

    /** {@code yyyy-MM-ddTHH:mm:ss[.f…]Z} with 1 to 9 fraction digits, or {@code null} for anything else. Pure. */
    static @Nullable Instant parse(String text) {
        int length = text.length();
        if (length < 20
                || length == 21
                || length > 30
                || text.charAt(4) != '-'
                || text.charAt(7) != '-'
                || text.charAt(10) != 'T'
                || text.charAt(13) != ':'
                || text.charAt(16) != ':'
                || text.charAt(length - 1) != 'Z') {
            return null;
        }
        int year = digits(text, 0, 4);
        int month = digits(text, 5, 7);
        int day = digits(text, 8, 10);
        int hour = digits(text, 11, 13);
        int minute = digits(text, 14, 16);
        int second = digits(text, 17, 19);
        int nanos = 0;
        if (length > 20) {
            int fraction = text.charAt(19) == '.' ? digits(text, 20, length - 1) : -1;
            if (fraction < 0) {
                return null;
            }
            nanos = fraction * SCALE[length - 22];
        }
        if (year < 0
                || month < 0
                || day < 0
                || hour < 0
                || hour > 23
                || minute < 0
                || minute > 59
                || second < 0
                || second > 59) {
            return null;
        }
        try {
            long days = LocalDate.of(year, month, day).toEpochDay();
            return Instant.ofEpochSecond(days * 86_400 + hour * 3_600L + minute * 60L + second, nanos);
        } catch (DateTimeException notADate) {
            return null;
        }
    }

    private static int digits(String text, int from, int to) {
        int value = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }
}
