package io.herald.dispatch.apns;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * APNs settings (token-based authentication), {@code herald.dispatch.apns.*}. Without a signing key APNs is
 * off, with one startup warning, and APNs deliveries are dead-lettered with {@code provider-disabled}.
 *
 * @param signingKeyPath {@code signing-key-path}: the {@code .p8} key from Apple's developer account
 * @param teamId {@code team-id}: the Apple developer team
 * @param keyId {@code key-id}: the signing key's id
 * @param topic {@code topic}: the app's bundle id
 * @param host {@code host}: {@code api.push.apple.com}, {@code api.sandbox.push.apple.com}, or a mock/proxy
 * @param port {@code port}: 443 (or 2197)
 * @param trustedServerCertificatePath {@code trusted-server-certificate-path}: a CA to trust instead of the
 *     system's (for a mock server or a TLS-intercepting proxy)
 * @param connections {@code connections}: HTTP/2 connections Pushy keeps to APNs (each carries as many
 *     concurrent notifications as APNs allows on one)
 */
@ConfigurationProperties("herald.dispatch.apns")
record ApnsProperties(
        @Nullable String signingKeyPath,
        @Nullable String teamId,
        @Nullable String keyId,
        @Nullable String topic,
        @DefaultValue("api.push.apple.com") String host,
        @DefaultValue("443") int port,
        @Nullable String trustedServerCertificatePath,
        @DefaultValue("1") int connections) {}
