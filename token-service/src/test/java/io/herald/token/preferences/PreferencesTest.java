package io.herald.token.preferences;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.events.HeraldJson;
import io.herald.token.preferences.Preferences.QuietHours;
import io.herald.token.preferences.Preferences.QuietMode;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PreferencesTest {

    private static Preferences quiet(String start, String end, String zone, QuietMode mode) {
        return new Preferences(false, Set.of(), Map.of(), new QuietHours(start, end, zone, mode), null);
    }

    @Test
    void quietHoursOverMidnightEndTomorrowWhenTheyStartedTodayAndTodayAfterMidnight() {
        var hours = new QuietHours("22:00", "07:00", "Europe/Paris", QuietMode.DEFER);

        // 23:30 in Paris (UTC+1 in December): ends at 07:00 the next morning.
        assertThat(hours.endAfter(Instant.parse("2026-12-07T22:30:00Z")))
                .isEqualTo(Instant.parse("2026-12-08T06:00:00Z"));
        // 01:00 in Paris: ends at 07:00 the same day.
        assertThat(hours.endAfter(Instant.parse("2026-12-08T00:00:00Z")))
                .isEqualTo(Instant.parse("2026-12-08T06:00:00Z"));
    }

    @Test
    void quietHoursWithinADayEndTheSameDay() {
        var hours = new QuietHours("13:00", "15:30", "Asia/Tokyo", QuietMode.DEFER);

        assertThat(hours.endAfter(Instant.parse("2026-12-07T04:10:00Z"))) // 13:10 in Tokyo
                .isEqualTo(Instant.parse("2026-12-07T06:30:00Z"));
    }

    @Test
    void anEndInADaylightSavingGapIsMovedLaterByTheGap() {
        // Paris skips 02:00-03:00 on 2027-03-28: quiet hours ending at 02:30 end at 03:30 summer time (01:30Z).
        var hours = new QuietHours("22:00", "02:30", "Europe/Paris", QuietMode.DEFER);

        assertThat(hours.endAfter(Instant.parse("2027-03-27T23:00:00Z")))
                .isEqualTo(Instant.parse("2027-03-28T01:30:00Z"));
    }

    @Test
    void anEndInADaylightSavingOverlapIsTheLaterInstantWhenTheEarlierHasPassed() {
        // Paris repeats 02:00-03:00 on 2026-10-25. At 02:15 of the second pass (01:15Z), 02:30's first instant
        // (00:30Z) has passed: the hours end at its second (01:30Z).
        var hours = new QuietHours("00:00", "02:30", "Europe/Paris", QuietMode.DEFER);

        assertThat(hours.endAfter(Instant.parse("2026-10-25T01:15:00Z")))
                .isEqualTo(Instant.parse("2026-10-25T01:30:00Z"));
        // At 02:15 of the first pass (00:15Z): the earlier instant.
        assertThat(hours.endAfter(Instant.parse("2026-10-25T00:15:00Z")))
                .isEqualTo(Instant.parse("2026-10-25T00:30:00Z"));
    }

    @Test
    void onlyDeferringQuietHoursDeferAndOnlyWithinThem() {
        Instant night = Instant.parse("2026-12-07T22:30:00Z");
        Instant day = Instant.parse("2026-12-07T12:00:00Z");

        assertThat(quiet("22:00", "07:00", "Europe/Paris", QuietMode.DEFER).deferUntil(night))
                .isEqualTo(Instant.parse("2026-12-08T06:00:00Z"));
        assertThat(quiet("22:00", "07:00", "Europe/Paris", QuietMode.DEFER).deferUntil(day))
                .isNull();
        assertThat(quiet("22:00", "07:00", "Europe/Paris", QuietMode.SILENT).deferUntil(night))
                .isNull();
        assertThat(quiet("22:00", "07:00", "Europe/Paris", QuietMode.SILENT).quietAt(night))
                .isTrue();
        assertThat(Preferences.DEFAULT.deferUntil(night)).isNull();
    }

    @Test
    void theModeIsSilentWhenAbsentAndReadAndWrittenByItsWireName() {
        Preferences absent = HeraldJson.mapper()
                .readValue(
                        "{\"muteAll\":false,\"quietHours\":{\"start\":\"22:00\",\"end\":\"07:00\",\"timeZone\":\"UTC\"}}",
                        Preferences.class);
        Preferences deferring = HeraldJson.mapper()
                .readValue(
                        "{\"muteAll\":false,\"timeZone\":\"Europe/Paris\",\"quietHours\":{\"start\":\"22:00\",\"end\":\"07:00\","
                                + "\"timeZone\":\"UTC\",\"mode\":\"defer\"}}",
                        Preferences.class);

        assertThat(absent.quietHours().mode()).isEqualTo(QuietMode.SILENT);
        assertThat(deferring.quietHours().mode()).isEqualTo(QuietMode.DEFER);
        assertThat(deferring.timeZone()).isEqualTo("Europe/Paris");
        assertThat(HeraldJson.mapper().writeValueAsString(deferring))
                .contains("\"mode\":\"defer\"")
                .contains("\"timeZone\":\"Europe/Paris\"");
    }

    @Test
    void aTimeZoneMustBeIanaAndDeferringHoursMustEnd() {
        var badZone = new Preferences(false, Set.of(), Map.of(), null, "Mars/Olympus");
        var allDay = quiet("07:00", "07:00", "UTC", QuietMode.DEFER);

        assertThat(badZone.problems()).containsExactly("timeZone: Mars/Olympus is not an IANA time zone");
        assertThat(allDay.problems()).singleElement().asString().startsWith("quietHours: start and end are equal");
        assertThat(quiet("07:00", "07:00", "UTC", QuietMode.SILENT).problems()).isEmpty();
        assertThat(new Preferences(false, Set.of(), Map.of(), null, "America/Sao_Paulo").problems())
                .isEmpty();
    }
}
