package dev.berth.controller.backup.store;

import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.gaul.s3proxy.AuthenticationType;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;

/** s3proxy in-process on loopback, on a filesystem backend under {@code dir}: a real S3 API server for tests. */
public final class S3Proxy implements AutoCloseable {
    public static final String ACCESS_KEY = "berth-it-access";
    public static final String SECRET_KEY = "berth-it-secret-Zq8w3Xk0";

    private final org.gaul.s3proxy.S3Proxy proxy;
    private final BlobStoreContext context;
    private final boolean secure;

    public S3Proxy(Path dir) throws Exception {
        this(dir, null, null);
    }

    /**
     * With {@code keyStore} (PKCS12, its password {@code keyStorePassword}) s3proxy serves HTTPS only, with that key:
     * the form a real S3 endpoint has (clients then send bodies unsigned, TLS protecting them).
     */
    public S3Proxy(Path dir, Path keyStore, String keyStorePassword) throws Exception {
        Properties props = new Properties();
        props.setProperty("jclouds.filesystem.basedir", dir.toString());
        context = ContextBuilder.newBuilder("filesystem").credentials("unused", "unused").overrides(props)
                .build(BlobStoreContext.class);
        var builder = org.gaul.s3proxy.S3Proxy.builder()
                .blobStore(context.getBlobStore())
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY);
        if (keyStore == null) {
            builder.endpoint(URI.create("http://127.0.0.1:0"));
        } else {
            builder.secureEndpoint(URI.create("https://127.0.0.1:0")).keyStore(keyStore.toString(), keyStorePassword);
        }
        secure = keyStore != null;
        proxy = builder.build();
        proxy.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> AbstractLifeCycle.STARTED.equals(proxy.getState()));
    }

    public String endpoint() {
        return secure ? "https://127.0.0.1:" + proxy.getSecurePort() : "http://127.0.0.1:" + proxy.getPort();
    }

    @Override
    public void close() throws Exception {
        proxy.stop();
        context.close();
    }
}
