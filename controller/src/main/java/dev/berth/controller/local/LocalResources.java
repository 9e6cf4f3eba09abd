package dev.berth.controller.local;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * LOCAL-ONLY: creates the YAML resources of BERTH_LOCAL_APPLY (a file or a directory of *.yaml / *.yml, e.g.
 * examples/) in the in-process API server at start-up, in file-name order. Secrets' {@code stringData} is turned
 * into {@code data} here, as a real API server would do and the mock does not.
 */
public final class LocalResources {
    private static final Logger log = LoggerFactory.getLogger(LocalResources.class);

    private LocalResources() {
    }

    public static int apply(KubernetesClient client, Path source) throws IOException {
        List<Path> files;
        if (Files.isDirectory(source)) {
            try (Stream<Path> list = Files.list(source)) {
                files = list.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList();
            }
        } else {
            files = List.of(source);
        }
        int created = 0;
        for (Path file : files) {
            try (InputStream in = Files.newInputStream(file)) {
                for (HasMetadata item : client.load(in).items()) {
                    if (item instanceof Secret secret) {
                        moveStringData(secret);
                    }
                    String namespace = item.getMetadata().getNamespace() != null ? item.getMetadata().getNamespace()
                            : client.getNamespace();
                    client.resource(item).inNamespace(namespace).create();
                    created++;
                    log.info("LOCAL-ONLY: created {} {}/{} from {}", item.getKind(), namespace,
                            item.getMetadata().getName(), file.getFileName());
                }
            }
        }
        return created;
    }

    private static void moveStringData(Secret secret) {
        if (secret.getStringData() == null || secret.getStringData().isEmpty()) {
            return;
        }
        Map<String, String> data = secret.getData() == null ? new LinkedHashMap<>() : new LinkedHashMap<>(secret.getData());
        secret.getStringData().forEach((k, v) ->
                data.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
        secret.setData(data);
        secret.setStringData(null);
    }
}
