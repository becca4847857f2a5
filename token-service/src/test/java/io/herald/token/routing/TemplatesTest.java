package io.herald.token.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.events.Badge;
import io.herald.events.DomainEvent;
import io.herald.events.Priority;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TemplatesTest {

    private static final Templates BUILT_IN = new Templates(Map.of());

    /**
     * The words the Django marketplace's users read (seed 000, section 4), the Expo marketplace's (seed 002) and the
     * booking app's (seed 003, technician name as the actor, the booking's track id as the object).
     */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', textBlock = """
            chat                |           | New message                  | Sam: See you at 5
            product_like        |           | Your product was liked       | Sam liked your product "Blue lamp"
            service_like        |           | Your service was liked       | Sam liked your service "Blue lamp"
            service_comment     |           | New comment on your service  | Sam commented on your service "Blue lamp"
            recommended_product |           | Recommended for you          | Check out this product: Blue lamp
            order_created       |           | New Order! 🎉                | Sam ordered Blue lamp
            order_status        | shipped   | Order Update                 | Your order has been shipped
            order_status        | delivered | Order Update                 | Your order has been delivered
            payment_confirmed   |           | Payment Confirmed ✅          | Payment for Blue lamp was successful
            technician_assigned |           | Technician Assigned! 🚗      | Sam has been assigned to your booking Blue lamp. They will contact you soon.
            booking_status      | StartJourney | Technician is on the way! 🚗 | Sam has started the journey to your location. (Booking: Blue lamp)
            booking_status      | Reached   | Technician has arrived! ✅    | Sam has reached your location and is ready to start. (Booking: Blue lamp)
            booking_status      | StartService | Service Started! 🔧       | Sam has begun working on your vehicle. (Booking: Blue lamp)
            booking_status      | Completed | Service Completed! 🎉        | Your vehicle service has been completed successfully. (Booking: Blue lamp)
            booking_status      | Cancelled | Booking Cancelled ❌          | Your service booking has been cancelled. (Booking: Blue lamp)
            """)
    void theBuiltInWordsAreTheSeedsWords(String type, String status, String title, String body) {
        var data = status == null ? Map.of("message", "See you at 5") : Map.of("status", status);

        Templates.Rendered rendered = BUILT_IN.render(event(type, data), null).orElseThrow();

        assertThat(rendered.title()).isEqualTo(title);
        assertThat(rendered.body()).isEqualTo(body);
    }

    @Test
    void aConfiguredEntryChangesOnlyWhatItSetsAndKeepsTheBuiltInWords() {
        var properties = new TemplateProperties(Map.of(
                "service_comment",
                Map.of("en", new TemplateProperties.Entry(null, null, "general_notifications", null, "default", "1"))));
        var templates = new Templates(properties.asTemplates());

        Templates.Rendered rendered =
                templates.render(event("service_comment", Map.of()), "en-US").orElseThrow();

        assertThat(rendered.title()).isEqualTo("New comment on your service");
        assertThat(rendered.body()).isEqualTo("Sam commented on your service \"Blue lamp\"");
        assertThat(rendered.androidChannelId()).isEqualTo("general_notifications");
        assertThat(rendered.sound()).isEqualTo("default");
        assertThat(rendered.badge()).isEqualTo(Badge.of(1));
        assertThat(rendered.priority()).as("the built-in one").isEqualTo(Priority.NORMAL);
    }

    @Test
    void theEventsOwnSoundAndBadgeWinOverTheTemplates() {
        var templates = new Templates(Map.of(
                "booking_status",
                Map.of("en", new Templates.Template(null, null, null, null, "notificationtone.wav", Badge.UNREAD))));
        DomainEvent plain = event("booking_status", Map.of("status", "Reached"));
        DomainEvent own = withSoundAndBadge(plain, "chime.wav", Badge.of(4));

        assertThat(templates.render(plain, null).orElseThrow())
                .extracting(Templates.Rendered::sound, Templates.Rendered::badge)
                .containsExactly("notificationtone.wav", Badge.UNREAD);
        assertThat(templates.render(own, null).orElseThrow())
                .extracting(Templates.Rendered::sound, Templates.Rendered::badge)
                .containsExactly("chime.wav", Badge.of(4));
        assertThat(BUILT_IN.render(plain, null).orElseThrow())
                .extracting(Templates.Rendered::sound, Templates.Rendered::badge)
                .as("no template sound: default, no badge")
                .containsExactly("default", null);
    }

    @Test
    void aTypeConfiguredWithoutWordsStillNeedsTheEventsWords() {
        var templates = new Templates(Map.of(
                "order", Map.of("en", new Templates.Template(null, null, "orders", Priority.HIGH, null, Badge.of(1)))));

        assertThat(templates.render(event("order", Map.of()), null)).isEmpty();
        DomainEvent worded = new DomainEvent(
                UUID.randomUUID(),
                1,
                "order",
                "shop",
                Instant.EPOCH,
                null,
                List.of("alice"),
                null,
                Map.of(),
                "New Order! 🎉",
                "Sam ordered Blue lamp",
                null,
                null,
                null,
                null);
        assertThat(templates.render(worded, null).orElseThrow())
                .extracting(Templates.Rendered::title, Templates.Rendered::androidChannelId, Templates.Rendered::badge)
                .containsExactly("New Order! 🎉", "orders", Badge.of(1));
    }

    @Test
    void aBadgeSettingIsANumberOrUnread() {
        assertThat(TemplateProperties.parseBadge("1")).isEqualTo(Badge.of(1));
        assertThat(TemplateProperties.parseBadge("unread")).isEqualTo(Badge.UNREAD);
        assertThatThrownBy(() -> new TemplateProperties.Entry(null, null, null, null, null, "lots"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("badge must be a whole number or \"unread\"");
        assertThatThrownBy(() -> new TemplateProperties.Entry(null, null, null, null, null, "-1"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static DomainEvent event(String type, Map<String, String> data) {
        return new DomainEvent(
                UUID.randomUUID(),
                1,
                type,
                "shop",
                Instant.EPOCH,
                new DomainEvent.Actor("sam", "Sam"),
                List.of("alice"),
                new DomainEvent.EventObject("p-7", "product", "Blue lamp"),
                data,
                null,
                null,
                null,
                null,
                null,
                null);
    }

    private static DomainEvent withSoundAndBadge(DomainEvent e, String sound, Badge badge) {
        return new DomainEvent(
                e.eventId(),
                e.schemaVersion(),
                e.type(),
                e.source(),
                e.occurredAt(),
                e.actor(),
                e.recipients(),
                e.object(),
                e.data(),
                e.title(),
                e.body(),
                e.priority(),
                e.ttlSeconds(),
                e.collapseKey(),
                e.channels(),
                null,
                null,
                null,
                null,
                sound,
                badge,
                false,
                null);
    }
}
