package io.herald.gateway.events;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.examples.Example;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.parameters.RequestBody;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The OpenAPI document ({@code /v3/api-docs}, browsable at {@code /swagger-ui.html}): the endpoints from the
 * code, the two ways to authenticate, and an example request for each built-in event type.
 */
@Configuration(proxyBeanMethods = false)
class OpenApiConfig {

    /** One example event per built-in type: what an upstream app sends to {@code POST /v1/events}. */
    static final Map<String, String> EXAMPLES = examples();

    private static Map<String, String> examples() {
        var e = new LinkedHashMap<String, String>();
        e.put(
                "chat",
                "{\"type\":\"chat\",\"actor\":{\"id\":\"u-7\",\"displayName\":\"Sam\"},\"recipients\":[\"u-9\"],\"data\":{\"message\":\"See you at 5\",\"conversationId\":\"c-1\"},\"priority\":\"high\",\"collapseKey\":\"c-1\"}");
        e.put(
                "product_like",
                "{\"type\":\"product_like\",\"actor\":{\"id\":\"bob\",\"displayName\":\"Bob\"},\"recipients\":[\"alice\"],\"object\":{\"id\":\"p-1\",\"kind\":\"product\",\"title\":\"Red bike\"}}");
        e.put(
                "service_like",
                "{\"type\":\"service_like\",\"actor\":{\"id\":\"bob\",\"displayName\":\"Bob\"},\"recipients\":[\"alice\"],\"object\":{\"id\":\"s-1\",\"kind\":\"service\",\"title\":\"Plumbing\"}}");
        e.put(
                "service_comment",
                "{\"type\":\"service_comment\",\"actor\":{\"id\":\"bob\",\"displayName\":\"Bob\"},\"recipients\":[\"alice\"],\"object\":{\"id\":\"s-1\",\"kind\":\"service\",\"title\":\"Plumbing\"},\"data\":{\"commentId\":\"cm-3\"}}");
        e.put(
                "recommended_product",
                "{\"type\":\"recommended_product\",\"recipients\":[\"alice\",\"carol\"],\"object\":{\"id\":\"p-2\",\"kind\":\"product\",\"title\":\"Blue lamp\"}}");
        e.put(
                "recommended_service",
                "{\"type\":\"recommended_service\",\"recipients\":[\"alice\"],\"object\":{\"id\":\"s-2\",\"kind\":\"service\",\"title\":\"Gardening\"}}");
        e.put(
                "real_estate",
                "{\"type\":\"real_estate\",\"recipients\":[\"alice\"],\"object\":{\"id\":\"h-5\",\"kind\":\"listing\",\"title\":\"2 rooms, Old Town\"}}");
        e.put(
                "order_created",
                "{\"type\":\"order_created\",\"recipients\":[\"alice\"],\"object\":{\"id\":\"o-42\",\"kind\":\"order\",\"title\":\"#42\"}}");
        e.put(
                "order_status",
                "{\"type\":\"order_status\",\"recipients\":[\"alice\"],\"object\":{\"id\":\"o-42\",\"kind\":\"order\",\"title\":\"#42\"},\"data\":{\"status\":\"shipped\"}}");
        e.put(
                "payment_confirmed",
                "{\"type\":\"payment_confirmed\",\"recipients\":[\"alice\"],\"object\":{\"id\":\"o-42\",\"kind\":\"order\",\"title\":\"#42\"},\"data\":{\"amount\":\"120.00\",\"currency\":\"EUR\"}}");
        e.put(
                "review_created",
                "{\"type\":\"review_created\",\"actor\":{\"id\":\"bob\",\"displayName\":\"Bob\"},\"recipients\":[\"alice\"],\"object\":{\"id\":\"p-1\",\"kind\":\"product\",\"title\":\"Red bike\"},\"data\":{\"stars\":\"5\"}}");
        e.put(
                "work_assigned",
                "{\"type\":\"work_assigned\",\"actor\":{\"id\":\"dispatcher-1\",\"displayName\":\"Dispatch\"},\"recipients\":[\"tech-3\"],\"object\":{\"id\":\"w-8\",\"kind\":\"work\",\"title\":\"Boiler repair\"},\"priority\":\"high\"}");
        e.put(
                "work_response",
                "{\"type\":\"work_response\",\"actor\":{\"id\":\"tech-3\",\"displayName\":\"Kim\"},\"recipients\":[\"dispatcher-1\"],\"object\":{\"id\":\"w-8\",\"kind\":\"work\",\"title\":\"Boiler repair\"},\"data\":{\"accepted\":\"true\"}}");
        e.put(
                "technician_assigned",
                "{\"type\":\"technician_assigned\",\"actor\":{\"id\":\"tech-3\",\"displayName\":\"Kim\"},\"recipients\":[\"alice\"],\"object\":{\"id\":\"b-11\",\"kind\":\"booking\",\"title\":\"Boiler repair\"}}");
        e.put(
                "booking_status",
                "{\"type\":\"booking_status\",\"actor\":{\"id\":\"tech-3\",\"displayName\":\"Kim\"},\"recipients\":[\"alice\"],\"object\":{\"id\":\"b-11\",\"kind\":\"booking\",\"title\":\"Boiler repair\"},\"data\":{\"status\":\"StartJourney\"}}");
        e.put(
                "direct_message",
                "{\"type\":\"announcement\",\"recipients\":[\"alice\"],\"title\":\"Welcome to the shop\",\"body\":\"Your account is ready.\"}");
        return Map.copyOf(e);
    }

    @Bean
    OpenAPI heraldOpenApi() {
        return new OpenAPI()
                .info(new Info()
                        .title("Herald gateway")
                        .version("v1")
                        .description("Publish domain events (API key) and manage a user's devices, inbox and"
                                + " preferences (JWT). Errors are RFC 9457 problem+json."))
                .components(new Components()
                        .addSecuritySchemes(
                                "apiKey",
                                new SecurityScheme()
                                        .type(SecurityScheme.Type.APIKEY)
                                        .in(SecurityScheme.In.HEADER)
                                        .name("X-Api-Key"))
                        .addSecuritySchemes(
                                "bearer",
                                new SecurityScheme()
                                        .type(SecurityScheme.Type.HTTP)
                                        .scheme("bearer")
                                        .bearerFormat("JWT")));
    }

    /** The events endpoints read their body themselves; describe it, with an example per built-in type. */
    @Bean
    OpenApiCustomizer eventExamples() {
        return api -> {
            var item = api.getPaths() == null ? null : api.getPaths().get("/v1/events");
            if (item == null || item.getPost() == null) {
                return;
            }
            var media = new MediaType()
                    .schema(
                            new ObjectSchema()
                                    .description(
                                            "A DomainEvent: see common-events/src/main/resources/io/herald/events/domain-event.schema.json"));
            EXAMPLES.forEach((name, json) -> media.addExamples(name, new Example().value(json)));
            item.getPost()
                    .requestBody(new RequestBody()
                            .required(true)
                            .content(new Content().addMediaType("application/json", media)));
        };
    }

    /** The bodies of the withdraw and update endpoints ({@link ChangesController}), read by the code itself. */
    static final Map<String, String> CHANGE_EXAMPLES = Map.of(
            "/v1/events/{eventId}/withdraw",
            "{\"recipients\":[\"tech-3\"]}",
            "/v1/withdrawals",
            "{\"collapseKey\":\"work-w-8\",\"recipients\":[\"tech-3\",\"tech-4\"]}",
            "/v1/events/{eventId}",
            "{\"recipients\":[\"alice\"],\"title\":\"Booking moved\",\"body\":\"Now at 11:00\","
                    + "\"data\":{\"bookingId\":\"b-11\",\"time\":\"11:00\"}}");

    @Bean
    OpenApiCustomizer changeBodies() {
        return api -> CHANGE_EXAMPLES.forEach((path, json) -> {
            var item = api.getPaths() == null ? null : api.getPaths().get(path);
            if (item == null) {
                return;
            }
            var operation = path.equals("/v1/events/{eventId}") ? item.getPatch() : item.getPost();
            if (operation == null) {
                return;
            }
            var media = new MediaType()
                    .schema(
                            new ObjectSchema()
                                    .description(
                                            path.endsWith("/withdraw")
                                                    ? "Optional: recipients (user ids); without them, the event's delivery log's."
                                                    : path.equals("/v1/withdrawals")
                                                            ? "collapseKey and recipients, both required."
                                                            : "recipients (optional, as for a withdrawal), title, body, data,"
                                                                    + " type (optional; without it title and body are required)."))
                    .addExamples("example", new Example().value(json));
            operation
                    .description("Publishes an event that changes notifications this app sent before; answers 202"
                            + " with its eventId, bad input 400 problem+json.")
                    .requestBody(new RequestBody()
                            .required(!path.endsWith("/withdraw"))
                            .content(new Content().addMediaType("application/json", media)));
        });
    }

    private static final IntegerSchema LIMIT = limitSchema();

    private static IntegerSchema limitSchema() {
        var schema = new IntegerSchema();
        schema.setMinimum(BigDecimal.ONE);
        schema.setMaximum(BigDecimal.valueOf(100));
        schema.setDefault(20);
        return schema;
    }

    /** The history endpoint's parameters and answer, which its code passes through from token-service. */
    @Bean
    OpenApiCustomizer historyDocs() {
        return api -> {
            var item = api.getPaths() == null ? null : api.getPaths().get("/v1/users/{userId}/notifications");
            if (item == null || item.getGet() == null) {
                return;
            }
            var get = item.getGet()
                    .summary("What this app sent a user, newest first, with each channel's outcome")
                    .description("Only the API key's app's notifications (the events' source). Newest first by the"
                            + " event's occurredAt. Each notification: eventId, notificationId, type, title and body"
                            + " as sent, change (withdraw/update, else absent or null), occurredAt, sentAt, and"
                            + " channels: one entry per channel and device (channel inapp, push or all; provider,"
                            + " deliveryId, deviceId, platform for a push; outcome planned, sent, delivered, failed,"
                            + " skipped, dead_lettered…; reason; at). next: the cursor of the next, older page, or"
                            + " null. Kept as long as the delivery log (herald.token.delivery-log.retention, 30 days).")
                    .addSecurityItem(new SecurityRequirement().addList("apiKey"));
            if (get.getParameters() != null) {
                for (Parameter parameter : get.getParameters()) {
                    switch (parameter.getName()) {
                        case "userId" ->
                            parameter.description("The user id, percent-encoded as one path segment (auth0%7Cabc)");
                        case "limit" ->
                            parameter
                                    .description("Notifications per page: 1 to herald.token.history.max-limit (100);"
                                            + " default herald.token.history.default-limit (20). Otherwise 400"
                                            + " invalid-parameter")
                                    .schema(LIMIT);
                        case "before" ->
                            parameter.description("The next cursor of the previous page, as it was given; an"
                                    + " unreadable one: 400 invalid-parameter");
                        case "X-Api-Key" -> parameter.description("The app's API key");
                        default -> {}
                    }
                }
            }
        };
    }
}
