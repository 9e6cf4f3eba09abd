package dev.berth.controller.backup.store;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * The CA certificates an S3 endpoint behind a private CA is trusted by ({@code spec.destination.s3.endpointCA}): only
 * these, not the JVM's public CAs, as with {@code AWS_CA_BUNDLE}. Hostname verification stays on.
 */
public record EndpointTrust(List<X509Certificate> authorities) {
    /** The JVM's own trust store: the usual public CAs. */
    public static final EndpointTrust PUBLIC_CAS = new EndpointTrust(List.of());
    private static final String NO_CERTIFICATE = "holds no PEM certificate (-----BEGIN CERTIFICATE-----)";

    public EndpointTrust {
        authorities = List.copyOf(authorities);
    }

    /**
     * The certificates in {@code pem} (one or more {@code BEGIN CERTIFICATE} blocks).
     *
     * @throws IllegalArgumentException when it holds none, or one that cannot be read (the message says which)
     */
    public static EndpointTrust fromPem(String pem) {
        if (pem == null || !pem.contains("-----BEGIN CERTIFICATE-----")) {
            throw new IllegalArgumentException(NO_CERTIFICATE);
        }
        try {
            List<X509Certificate> out = new ArrayList<>();
            for (var c : CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
                out.add((X509Certificate) c);
            }
            if (out.isEmpty()) {
                throw new IllegalArgumentException(NO_CERTIFICATE);
            }
            return new EndpointTrust(out);
        } catch (CertificateException e) {
            throw new IllegalArgumentException("holds a certificate that cannot be read: " + BackupStream.describe(e));
        }
    }

    public boolean usesPublicCas() {
        return authorities.isEmpty();
    }

    /** Trust managers that accept exactly the chains ending at one of {@link #authorities}. */
    TrustManager[] trustManagers() {
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            for (int i = 0; i < authorities.size(); i++) {
                store.setCertificateEntry("endpoint-ca-" + i, authorities.get(i));
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            return factory.getTrustManagers();
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("building the trust store of the endpoint's CA failed", e);
        }
    }

    /**
     * What to tell a person when {@code e} came from a TLS handshake that failed (most often a certificate no trusted
     * CA signed): where to look, given which CAs were trusted. Empty for any other failure.
     */
    public String hint(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SSLException) {
                return usesPublicCas()
                        ? " (the endpoint's TLS certificate was not accepted; if a private CA signed it, name that CA's"
                                + " certificate in spec.destination.s3.endpointCA)"
                        : " (the endpoint's TLS certificate was not accepted: it does not chain to the certificate(s) in"
                                + " spec.destination.s3.endpointCA, or its name does not match the endpoint)";
            }
        }
        return "";
    }
}
