package dev.berth.controller.bench;

import dev.berth.controller.backup.store.S3Proxy;
import java.nio.file.Path;

/**
 * s3proxy as a process of its own (for {@link BackupBenchmark}): the benchmark's JVM then holds only Berth's side of
 * the upload, so its RSS is the operator's. Prints {@code endpoint=<url>} once serving; stops when its stdin ends.
 *
 * <p>With a PKCS12 key store (made for the run, with its password) it serves HTTPS only.
 *
 * <pre>java -cp … dev.berth.controller.bench.S3ProxyServer DIR [KEYSTORE PASSWORD]</pre>
 */
public final class S3ProxyServer {
    private S3ProxyServer() {
    }

    public static void main(String[] args) throws Exception {
        try (S3Proxy proxy = args.length > 1 ? new S3Proxy(Path.of(args[0]), Path.of(args[1]), args[2])
                : new S3Proxy(Path.of(args[0]))) {
            System.out.println("endpoint=" + proxy.endpoint());
            System.out.flush();
            while (System.in.read() >= 0) {
                // until the benchmark closes our stdin (or exits)
            }
        }
        System.exit(0);
    }
}
