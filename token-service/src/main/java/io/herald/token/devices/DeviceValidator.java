package io.herald.token.devices;

import io.herald.events.HeraldJson;
import io.herald.events.TextRules;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.IllformedLocaleException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;

/** Checks a {@link DeviceRegistration}, field by field, by the rules of each provider's tokens. */
final class DeviceValidator {

    static final int MAX_TOKEN_LENGTH = 4096;
    static final int MAX_TEXT_LENGTH = 200;

    private static final Set<String> PROVIDERS = Set.of("fcm", "expo", "apns", "webpush");
    private static final Set<String> PLATFORMS = Set.of("android", "ios", "web");
    private static final Pattern EXPO = Pattern.compile("^Expo(nent)?PushToken\\[[^\\]\\s]{1,200}]$");
    private static final Pattern APNS = Pattern.compile("^[0-9a-fA-F]{64}$");
    private static final Pattern FID = Pattern.compile("^[cdef][A-Za-z0-9_-]{21}$");
    private static final Pattern PRINTABLE = Pattern.compile("^[\\x21-\\x7e]+$");

    /** One wrong field. */
    record FieldError(String field, String message) {}

    private DeviceValidator() {}

    private static void textRule(List<FieldError> errors, String field, @Nullable String value) {
        TextRules.Violation violation = TextRules.check(field, value);
        if (violation != null) {
            errors.add(new FieldError(field, violation.description()));
        }
    }

    /** A web push token is the browser's PushSubscription as JSON: an https endpoint and its two keys. */
    private static @Nullable String webPushProblem(String token) {
        String wanted =
                "a web push token is the subscription JSON: {\"endpoint\":\"https://…\",\"keys\":{\"p256dh\":…,\"auth\":…}}";
        try {
            var subscription = HeraldJson.mapper().readTree(token);
            String endpoint = subscription.path("endpoint").asString("");
            boolean ok = endpoint.startsWith("https://")
                    && !subscription.path("keys").path("p256dh").asString("").isBlank()
                    && !subscription.path("keys").path("auth").asString("").isBlank();
            return ok ? null : wanted;
        } catch (JacksonException e) {
            return wanted;
        }
    }

    static List<FieldError> check(DeviceRegistration r) {
        // Herald's rule for text first: a NUL would otherwise reach PostgreSQL, which cannot store it (a 500).
        var invalidText = new ArrayList<FieldError>();
        textRule(invalidText, "provider", r.provider());
        textRule(invalidText, "token", r.token());
        textRule(invalidText, "platform", r.platform());
        textRule(invalidText, "appId", r.appId());
        textRule(invalidText, "locale", r.locale());
        textRule(invalidText, "timeZone", r.timeZone());
        textRule(invalidText, "firebaseInstallationId", r.firebaseInstallationId());
        if (!invalidText.isEmpty()) {
            return invalidText;
        }
        var errors = new ArrayList<FieldError>();
        String provider = r.provider();
        if (provider == null || !PROVIDERS.contains(provider)) {
            errors.add(new FieldError("provider", "must be one of fcm, expo, apns, webpush"));
        }
        String token = r.token();
        if (token == null || token.isBlank()) {
            errors.add(new FieldError("token", "is required"));
        } else if (token.length() > MAX_TOKEN_LENGTH) {
            errors.add(new FieldError("token", "must be at most " + MAX_TOKEN_LENGTH + " characters"));
        } else if (provider != null) {
            String problem = switch (provider) {
                case "expo" -> EXPO.matcher(token).matches() ? null : "an Expo token looks like ExponentPushToken[…]";
                case "apns" -> APNS.matcher(token).matches() ? null : "an APNs token is 64 hexadecimal characters";
                case "fcm" ->
                    PRINTABLE.matcher(token).matches() ? null : "an FCM token has no spaces or control characters";
                case "webpush" -> webPushProblem(token);
                default -> null;
            };
            if (problem != null) {
                errors.add(new FieldError("token", problem));
            }
        }
        if (r.platform() == null || !PLATFORMS.contains(r.platform())) {
            errors.add(new FieldError("platform", "must be one of android, ios, web"));
        }
        if (r.firebaseInstallationId() != null
                && !FID.matcher(r.firebaseInstallationId()).matches()) {
            errors.add(
                    new FieldError("firebaseInstallationId", "a Firebase Installation ID is 22 characters, base64url"));
        }
        if (r.firebaseInstallationId() != null && !"fcm".equals(provider)) {
            errors.add(new FieldError("firebaseInstallationId", "only FCM devices have one"));
        }
        if (r.appId() != null && r.appId().length() > MAX_TEXT_LENGTH) {
            errors.add(new FieldError("appId", "must be at most " + MAX_TEXT_LENGTH + " characters"));
        }
        if (r.locale() != null) {
            try {
                new Locale.Builder().setLanguageTag(r.locale()).build();
            } catch (IllformedLocaleException e) {
                errors.add(new FieldError("locale", "must be a BCP 47 language tag such as en-US"));
            }
        }
        if (r.timeZone() != null) {
            try {
                ZoneId.of(r.timeZone());
            } catch (DateTimeException e) {
                errors.add(new FieldError("timeZone", "must be an IANA time zone such as Europe/Paris"));
            }
        }
        return errors;
    }
}
