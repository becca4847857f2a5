package io.herald.testkit.emulator;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;

/**
 * A certificate authority made for one emulator when it starts, and a server certificate it signed for {@code
 * 127.0.0.1} and {@code localhost}, both valid for 30 days, by {@code openssl} (which must be on the {@code PATH}):
 * no key or certificate ships with Herald. A client trusts the emulator by trusting {@link #authorityCertificate()}
 * (a PEM file) or {@link #trustStore()}; nothing else trusts it. The files live in the directory given to {@link
 * #make} (the private keys unencrypted: they protect nothing but a test).
 */
public final class LocalCertificates {

    private final Path directory;

    private LocalCertificates(Path directory) {
        this.directory = directory;
    }

    /**
     * Makes, in {@code directory}, {@code ca.pem} (the authority, named {@code authority}), {@code server.pem} (the
     * server certificate it signed) and {@code server.pk8} (the server's RSA key in PKCS#8). Blocks while {@code
     * openssl} runs (a second or less).
     */
    public static LocalCertificates make(Path directory, String authority) throws IOException, InterruptedException {
        openssl(
                directory,
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                "ca.key",
                "-out",
                "ca.pem",
                "-days",
                "30",
                "-subj",
                "/CN=" + authority);
        openssl(
                directory,
                "req",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                "server.key",
                "-out",
                "server.csr",
                "-subj",
                "/CN=127.0.0.1");
        Files.writeString(directory.resolve("ext.cnf"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
        openssl(
                directory,
                "x509",
                "-req",
                "-in",
                "server.csr",
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-out",
                "server.pem",
                "-days",
                "30",
                "-extfile",
                "ext.cnf");
        openssl(directory, "pkcs8", "-topk8", "-nocrypt", "-in", "server.key", "-out", "server.pk8");
        return new LocalCertificates(directory);
    }

    /** The authority's certificate, PEM: what a client trusts to reach the server. */
    public Path authorityCertificate() {
        return directory.resolve("ca.pem");
    }

    /** The server's certificate, PEM, for 127.0.0.1 and localhost. */
    public Path serverCertificate() {
        return directory.resolve("server.pem");
    }

    /** The server's private key, PKCS#8 PEM, unencrypted. */
    public Path serverKey() {
        return directory.resolve("server.pk8");
    }

    /** A key store holding {@link #authorityCertificate()} alone, as a trusted entry: for a JDK client's TLS. */
    public KeyStore trustStore() {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setCertificateEntry("emulator-ca", certificate(authorityCertificate()));
            return store;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("could not read " + authorityCertificate(), e);
        }
    }

    /**
     * A key store holding the server's key under {@code password}, with the chain server certificate, authority:
     * what the server presents.
     */
    public KeyStore serverKeyStore(char[] password) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("server", privateKey(serverKey()), password, new Certificate[] {
                certificate(serverCertificate()), certificate(authorityCertificate())
            });
            return store;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("could not read the server's credentials in " + directory, e);
        }
    }

    /** Runs {@code openssl arguments} in {@code directory}; its output goes into the exception when it fails. */
    public static void openssl(Path directory, String... arguments) throws IOException, InterruptedException {
        var command = new String[arguments.length + 1];
        command[0] = "openssl";
        System.arraycopy(arguments, 0, command, 1, arguments.length);
        Process process = new ProcessBuilder(command)
                .directory(directory.toFile())
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output);
        }
    }

    private static Certificate certificate(Path pem) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(pem)) {
            return CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    private static PrivateKey privateKey(Path pkcs8Pem) throws IOException, GeneralSecurityException {
        String base64 = Files.readString(pkcs8Pem)
                .replace("-----BEGIN PRIVATE KEY-----", "")
                .replace("-----END PRIVATE KEY-----", "")
                .replaceAll("\\s", "");
        return KeyFactory.getInstance("RSA")
                .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
    }
}
