package io.herald.dispatch.fcm.http2;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A CA and a server certificate it signed, for 127.0.0.1 and localhost, made by {@code openssl} at test time (as
 * testkit's APNs emulator makes its own): nothing secret is checked in, and nothing expires in the repository.
 *
 * @param ca the CA certificate (PEM), for a client to trust
 * @param serverCertificate the server's certificate (PEM)
 * @param serverKey the server's private key (PKCS#8 PEM)
 */
public record TestCertificates(Path ca, Path serverCertificate, Path serverKey) {

    /** Makes them in {@code directory}; needs {@code openssl} on the {@code PATH}. */
    public static TestCertificates makeIn(Path directory) throws IOException, InterruptedException {
        run(
                directory,
                "openssl",
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
                "2",
                "-subj",
                "/CN=Herald HTTP2 test CA");
        run(
                directory,
                "openssl",
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
        run(
                directory,
                "openssl",
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
                "2",
                "-extfile",
                "ext.cnf");
        run(directory, "openssl", "pkcs8", "-topk8", "-nocrypt", "-in", "server.key", "-out", "server.pk8");
        return new TestCertificates(
                directory.resolve("ca.pem"), directory.resolve("server.pem"), directory.resolve("server.pk8"));
    }

    private static void run(Path directory, String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command)
                .directory(directory.toFile())
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output);
        }
    }
}
