package dev.berth.controller.validation;

import dev.berth.api.v1alpha1.Patterns;
import dev.berth.api.v1alpha1.StandaloneDatabaseSpec;
import java.util.Map;

/**
 * The StandaloneDatabase spec's rules. That {@code engine} is immutable is enforced by the CRD's CEL rule on a real
 * API server; the in-process one does not evaluate CEL (docs/architecture.md).
 */
public final class StandaloneDatabaseSpecValidator {
    private static final String SQL_NAME = "^[A-Za-z_][A-Za-z0-9_]{0,62}$";
    private static final String IMAGE = "^[A-Za-z0-9][A-Za-z0-9._/:@+-]*$";
    private static final String CONFIG_KEY = "^[A-Za-z0-9_.-]+$";
    private static final String RESTORE_RUN = "^(latest|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$";

    private StandaloneDatabaseSpecValidator() {
    }

    public static SpecViolations validate(StandaloneDatabaseSpec spec) {
        SpecViolations v = new SpecViolations();
        if (spec == null) {
            return v.add("spec", "required");
        }
        FieldRules.localRef(v, "spec.serverRef", spec.getServerRef(), true);
        FieldRules.knownValues(v, "spec", spec);
        if (!spec.unknownValues().containsKey("engine")) {
            v.required("spec.engine", spec.getEngine());
        }
        v.matches("spec.image", spec.getImage(), IMAGE, "an image reference such as postgres:16");
        v.matches("spec.databaseName", spec.getDatabaseName(), SQL_NAME,
                "a name of letters, digits and '_' (at most 63, not starting with a digit)");
        v.matches("spec.username", spec.getUsername(), SQL_NAME,
                "a name of letters, digits and '_' (at most 63, not starting with a digit)");
        FieldRules.localRef(v, "spec.credentialsSecretRef", spec.getCredentialsSecretRef(), false);
        if (spec.getStorage() != null) {
            FieldRules.knownValues(v, "spec.storage", spec.getStorage());
            v.matches("spec.storage.volumeName", spec.getStorage().getVolumeName(), Patterns.DOCKER_NAME,
                    "a Docker volume name (letters, digits, '_', '.', '-')");
        }
        FieldRules.resources(v, "spec.resources", spec.getResources());
        v.range("spec.publicPort", spec.getPublicPort(), 1, 65535);
        Map<String, String> config = spec.getConfig();
        if (config != null) {
            config.keySet().stream().sorted().forEach(key -> {
                if (key == null || !key.matches(CONFIG_KEY)) {
                    v.add("spec.config", "keys must be setting names (letters, digits, '_', '.', '-')");
                }
            });
        }
        StandaloneDatabaseSpec.RestoreFrom restoreFrom = spec.getRestoreFrom();
        if (restoreFrom != null) {
            FieldRules.localRef(v, "spec.restoreFrom.backupRef", restoreFrom.getBackupRef(), true);
            v.matches("spec.restoreFrom.run", restoreFrom.getRun(), RESTORE_RUN,
                    "latest or a backup run id (a UUID, status.lastRun.id of the ScheduledBackup)");
            v.matches("spec.restoreFrom.source", restoreFrom.getSource(), "^(s3|host)$", "s3 or host");
        }
        // The engine has a known port, so http/tcp checks never lack one.
        FieldRules.healthCheck(v, "spec.healthCheck", spec.getHealthCheck(), true);
        return v;
    }
}
