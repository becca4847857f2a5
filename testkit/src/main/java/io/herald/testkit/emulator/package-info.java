/**
 * What the provider emulators share: {@link io.herald.testkit.emulator.HttpEmulator}, the Jetty server skeleton
 * of the FCM and Expo emulators (recording, scripted answers, outages, the {@code /emulator/*} endpoints, TLS with
 * ALPN), and {@link io.herald.testkit.emulator.LocalCertificates}, the certificate authority an emulator makes
 * for itself when it serves TLS.
 */
@NullMarked
package io.herald.testkit.emulator;

import org.jspecify.annotations.NullMarked;
