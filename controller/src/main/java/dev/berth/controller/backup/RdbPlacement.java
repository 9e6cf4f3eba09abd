package dev.berth.controller.backup;

import dev.berth.api.v1alpha1.Berth;
import dev.berth.controller.backup.store.BackupDigest;
import dev.berth.controller.docker.ContainerSpec;
import dev.berth.controller.docker.DockerHost;
import java.io.InputStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The Redis family's restore ({@link RestoreCommand#placedBeforeStart}): the server loads {@code dump.rdb} from its
 * data directory only when it starts, so the RDB goes into the volume before any server runs on it. A one-off
 * container from the database's own image (so the files get the image's user), with the volume mounted at the data
 * directory and {@code sleep} in place of the server, takes the stored copy through {@link RestoreRun} (sha256 checked
 * before the file gets its final name) and is removed again, whatever happened.
 */
public final class RdbPlacement {
    /** Label of the one-off container: its value is the restore's id. */
    public static final String LABEL = "berth.dev/rdb-placement";

    private RdbPlacement() {
    }

    /**
     * Places {@code stored} (expected to be {@code expected}) into {@code volume}; {@code labels} go on the one-off
     * container besides {@link #LABEL} (never the database's own selector: it is not the database's container).
     */
    public static RestoreResult place(DockerHost docker, String image, String volume, String dataDirectory,
                                      Map<String, String> labels, InputStream stored, BackupDigest expected,
                                      Duration timeout) {
        String id = UUID.randomUUID().toString();
        Map<String, String> all = new HashMap<>(labels);
        all.put(Berth.LABEL_MANAGED, "true");
        all.put(LABEL, id);
        ContainerSpec spec = new ContainerSpec("berth-place-rdb-" + id.substring(0, 8), image, List.of("86400"), Map.of(),
                all, null, List.of(), List.of(), List.of(new ContainerSpec.MountSpec(volume, dataDirectory, true, false)),
                null, null, "no", List.of("sleep"), null);
        String container = docker.createContainer(spec);
        try {
            docker.startContainer(container);
            return new RestoreRun(docker).run(container, RestoreCommand.placeRdb(dataDirectory), stored, expected,
                    timeout);
        } finally {
            docker.removeContainer(container, true);
        }
    }
}
