package dev.berth.controller.backup.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A private CA made with the JDK's keytool for one test, and server keys it signs: what a self-hosted S3 endpoint
 * (MinIO behind a company CA) presents. Nothing here is trusted by the JVM.
 */
public final class TestCa {
    public static final String PASSWORD = "berth-it-only";

    private final Path dir;
    private final Path caStore;
    private final String caPem;

    private TestCa(Path dir, Path caStore, String caPem) {
        this.dir = dir;
        this.caStore = caStore;
        this.caPem = caPem;
    }

    /** A new CA named {@code name}, its files under {@code dir}. */
    public static TestCa create(Path dir, String name) throws IOException, InterruptedException {
        Path store = dir.resolve(name + ".p12");
        Path pem = dir.resolve(name + ".pem");
        keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + name,
                "-ext", "bc:c", "-validity", "2", "-storetype", "PKCS12", "-keystore", store.toString(),
                "-storepass", PASSWORD, "-keypass", PASSWORD);
        keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", store.toString(), "-storepass", PASSWORD,
                "-file", pem.toString());
        return new TestCa(dir, store, Files.readString(pem, StandardCharsets.US_ASCII));
    }

    /** The CA's certificate, PEM: what a user puts into the Secret {@code endpointCA} names. */
    public String certificatePem() {
        return caPem;
    }

    /**
     * A PKCS12 key store (password {@link #PASSWORD}) for a server whose certificate this CA signed for
     * {@code subjectAltName} (keytool's form: {@code ip:127.0.0.1}, {@code dns:s3.example}), chain included.
     */
    public Path serverKeyStore(String name, String subjectAltName) throws IOException, InterruptedException {
        Path store = dir.resolve(name + ".p12");
        Path csr = dir.resolve(name + ".csr");
        Path cert = dir.resolve(name + ".pem");
        Path ca = dir.resolve(name + "-ca.pem");
        Files.writeString(ca, caPem, StandardCharsets.US_ASCII);
        keytool("-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-dname",
                "CN=" + name, "-validity", "2", "-storetype", "PKCS12", "-keystore", store.toString(),
                "-storepass", PASSWORD, "-keypass", PASSWORD);
        keytool("-certreq", "-alias", "server", "-keystore", store.toString(), "-storepass", PASSWORD,
                "-file", csr.toString());
        keytool("-gencert", "-alias", "ca", "-keystore", caStore.toString(), "-storepass", PASSWORD,
                "-infile", csr.toString(), "-outfile", cert.toString(), "-rfc", "-ext", "san=" + subjectAltName,
                "-validity", "2");
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", ca.toString(), "-keystore", store.toString(),
                "-storepass", PASSWORD);
        keytool("-importcert", "-noprompt", "-alias", "server", "-file", cert.toString(), "-keystore",
                store.toString(), "-storepass", PASSWORD);
        return store;
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("keytool " + args[0] + " failed: " + out);
        }
    }
}
