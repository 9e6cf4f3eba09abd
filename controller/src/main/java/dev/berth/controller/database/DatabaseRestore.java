package dev.berth.controller.database;

import dev.berth.api.v1alpha1.Condition;
import dev.berth.api.v1alpha1.ScheduledBackup;
import dev.berth.api.v1alpha1.Server;
import dev.berth.api.v1alpha1.StandaloneDatabase;
import dev.berth.api.v1alpha1.StandaloneDatabaseSpec;
import dev.berth.api.v1alpha1.StandaloneDatabaseStatus;
import dev.berth.controller.backup.BackupDestinations;
import dev.berth.controller.backup.BackupName;
import dev.berth.controller.backup.RdbPlacement;
import dev.berth.controller.backup.RestoreCommand;
import dev.berth.controller.backup.RestoreResult;
import dev.berth.controller.backup.RestoreRun;
import dev.berth.controller.backup.RestoreSource;
import dev.berth.controller.backup.StoredRunChoice;
import dev.berth.controller.backup.store.BackupDigest;
import dev.berth.controller.database.RestoreDecision.Action;
import dev.berth.controller.docker.DockerHost;
import dev.berth.controller.docker.DockerHostException;
import dev.berth.controller.host.HostFacts;
import dev.berth.controller.host.ServerAccessException;
import dev.berth.controller.host.ServerHost;
import dev.berth.controller.reconcile.ReconcilerServices;
import dev.berth.controller.ssh.SshHostConnection;
import dev.berth.controller.status.EventRecorder;
import dev.berth.controller.status.Outcome;
import dev.berth.controller.validation.Durations;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code spec.restoreFrom}, the I/O half (the decisions are {@link RestoreDecision}'s): a new database is made from a
 * stored backup of a ScheduledBackup before it is ever Ready. The chosen run is written on the volume this creates
 * ({@link RestoreDecision#LABEL_RESTORE_FROM}), so every later look restores the same copy; the Redis family's RDB is
 * placed in the volume before the server starts ({@link RdbPlacement}); the other engines are started by the
 * {@link DatabaseDeployer} as usual and, once the engine accepts the login, the dump is streamed into the running
 * container with {@link RestoreRun} (sha256 checked before the tool sees the end of its input). Only then are
 * {@code status.restoredRunId} and the {@code Restored} condition set and the database reported Ready. The host copy is
 * read over the SSH connection of the SOURCE database's Server (ScheduledBackup → databaseRef → its Server), so a
 * restore onto another Server works. A restore takes as long as it takes inside the reconcile of this one database.
 */
final class DatabaseRestore {
    private static final Logger log = LoggerFactory.getLogger(DatabaseRestore.class);
    /** How soon to look again when the backup cannot be found or read yet (nothing was touched). */
    static final Duration RETRY = Duration.ofSeconds(30);
    static final Duration DEFAULT_TIMEOUT = Duration.ofHours(1);
    /** Volume label: where the copy being restored is, for the Restored condition. */
    static final String LABEL_RESTORE_LOCATION = "berth.dev/restore-location";
    private static final String AFTER_FAILURE = "Nothing is retried on a half-restored volume: delete this "
            + "StandaloneDatabase with spec.storage.deletionPolicy Delete (so its volume goes too) and create it again "
            + "(docs/databases.md, Restore)";

    private final ReconcilerServices services;
    private final HostFacts facts;

    DatabaseRestore(ReconcilerServices services) {
        this.services = services;
        this.facts = new HostFacts(services.clock());
    }

    /** A look at a database; {@code deploy} is the deployer's own look, run where the restore lets it. */
    Outcome converge(DatabaseDeployer.Inputs in, StandaloneDatabaseStatus status, Optional<ScheduledBackup> backup,
            KubernetesClient client, Supplier<Outcome> deploy) {
        StandaloneDatabase db = in.db();
        Optional<Condition> restored = status.condition(DatabaseReasons.CONDITION_RESTORED);
        boolean failedBefore = restored.map(c -> Condition.FALSE.equals(c.getStatus())
                && DatabaseReasons.RESTORE_FAILED.equals(c.getReason())).orElse(false);
        if (failedBefore && status.getRestoredRunId() == null) {
            // Held, also when restoreFrom was taken out of the spec: the volume is half-restored (RestoreDecision).
            return with(notReady(DatabaseReasons.RESTORE_FAILED, restored.get().getMessage(), null), restored.get());
        }
        if (db.getSpec().getRestoreFrom() == null || status.getRestoredRunId() != null) {
            Outcome outcome = deploy.get();
            // The Restored condition stays as long as the database is the one that restore made.
            return status.getRestoredRunId() == null ? outcome
                    : restored.map(c -> with(outcome, c)).orElse(outcome);
        }
        DockerHost docker;
        try {
            docker = services.serverAccess().dockerHost(in.server());
        } catch (ServerAccessException e) {
            return deploy.get(); // the deployer says ServerUnavailable, touching nothing
        }
        try {
            Optional<Map<String, String>> labels = docker.volumeLabels(DesiredDatabase.volumeName(db));
            String volumeKey = PasswordFingerprint.volumeKey(labels);
            DesiredDatabase desired = DesiredDatabase.compute(db, in.login(), DatabaseDeployer.network(in.server()),
                    volumeKey);
            boolean containerExists = !docker.findContainers(DesiredDatabase.selector(db)).isEmpty();
            Action action = RestoreDecision.decide(new RestoreDecision.Input(true, null, failedBefore, labels,
                    db.getMetadata().getUid(), RestoreCommand.placedBeforeStart(desired.engine()), containerExists));
            Look look = new Look(in, status, backup, client, docker, desired, volumeKey);
            return switch (action) {
                case NONE -> deploy.get();
                case HOLD_FAILED -> with(notReady(DatabaseReasons.RESTORE_FAILED, restored.get().getMessage(), null),
                        restored.get());
                case REFUSE_NOT_EMPTY -> notReady(DatabaseReasons.RESTORE_TARGET_NOT_EMPTY, "volume "
                        + desired.volume() + " already exists on Server " + in.server().getMetadata().getName()
                        + " and was not made by this restore: spec.restoreFrom restores only into a new, empty volume, "
                        + "so nothing was touched. Use another spec.storage.volumeName, or remove that volume on the "
                        + "Server if its data is not wanted", null);
                case PREPARE -> prepare(look, deploy);
                case PLACE -> place(look, labels.get()).orElseGet(() -> started(look, deploy, labels.get()));
                case START_THEN_RECORD -> started(look, deploy, labels.get());
                case START_THEN_RESTORE -> started(look, deploy, labels.get());
            };
        } catch (DockerHostException e) {
            boolean unreachable = e.kind() == DockerHostException.Kind.Unavailable
                    || e.kind() == DockerHostException.Kind.Timeout;
            return notReady(unreachable ? DatabaseReasons.SERVER_UNAVAILABLE : DatabaseReasons.DOCKER_ERROR,
                    "Docker on Server " + in.server().getMetadata().getName() + ": "
                            + DatabaseDeployer.scrub(e.getMessage(), in.login()), DatabaseDeployer.HOST_RETRY);
        }
    }

    private record Look(DatabaseDeployer.Inputs in, StandaloneDatabaseStatus status, Optional<ScheduledBackup> backup,
            KubernetesClient client, DockerHost docker, DesiredDatabase desired, String volumeKey) {
        StandaloneDatabase db() {
            return in.db();
        }

        StandaloneDatabaseSpec.RestoreFrom restoreFrom() {
            return in.db().getSpec().getRestoreFrom();
        }

        String serverName() {
            return in.server().getMetadata().getName();
        }
    }

    /** Finds the run, then creates the volume labelled with it (and places the RDB); nothing before that is touched. */
    private Outcome prepare(Look look, Supplier<Outcome> deploy) {
        StandaloneDatabaseSpec.RestoreFrom from = look.restoreFrom();
        if (look.backup().isEmpty()) {
            return notReady(DatabaseReasons.BACKUP_NOT_FOUND, backupMissing(look), null);
        }
        ScheduledBackup backup = look.backup().get();
        Optional<String> which = RestoreSource.which(backup.getSpec().getDestination(), from.getSource());
        if (which.isEmpty()) {
            return notReady(DatabaseReasons.RESTORE_FAILED, "spec.restoreFrom.source " + from.getSource()
                    + " is not a destination of ScheduledBackup " + backup.getMetadata().getName()
                    + "; nothing was touched", null);
        }
        Map<String, String> labels = new HashMap<>(DesiredDatabase.volumeLabels(look.db(), look.volumeKey()));
        labels.put(RestoreDecision.LABEL_RESTORE_SOURCE, which.get());
        try (Opened opened = open(look, backup, which.get())) {
            Optional<BackupName> chosen = StoredRunChoice.choose(opened.source().list(), from.getRun());
            if (chosen.isEmpty()) {
                return notReady(DatabaseReasons.RESTORE_FAILED, "no backup to restore: looked for "
                        + StoredRunChoice.describe(from.getRun()) + " of ScheduledBackup "
                        + backup.getMetadata().getName() + " in " + opened.source().describe()
                        + "; nothing was touched. Berth looks again every " + RETRY.toSeconds() + "s", RETRY);
            }
            BackupName name = chosen.get();
            if (!RestoreCommand.placedBeforeStart(look.desired().engine()) && RestoreCommand.of(
                    look.desired().engine(), look.in().login(), name.extension()).isEmpty()) {
                return notReady(DatabaseReasons.RESTORE_FAILED, "a ." + name.extension() + " backup of "
                        + look.desired().engine().name().toLowerCase() + " (" + name.fileName()
                        + ") cannot be restored by Berth in this version (docs/backups.md); nothing was touched", null);
            }
            labels.put(RestoreDecision.LABEL_RESTORE_FROM, name.fileName());
            labels.put(LABEL_RESTORE_LOCATION, opened.source().location(name));
        } catch (Unavailable e) {
            return notReady(DatabaseReasons.RESTORE_FAILED, e.getMessage() + "; nothing was touched. Berth looks "
                    + "again every " + RETRY.toSeconds() + "s", RETRY);
        } catch (IOException e) {
            return notReady(DatabaseReasons.RESTORE_FAILED, "the backups of ScheduledBackup "
                    + backup.getMetadata().getName() + " cannot be listed: " + e.getMessage()
                    + "; nothing was touched. Berth looks again every " + RETRY.toSeconds() + "s", RETRY);
        }
        if (look.docker().ensureVolume(look.desired().volume(), labels)) {
            services.mirror().recordActivity(look.db(), "volume.create", "volume " + look.desired().volume()
                    + " on Server " + look.serverName() + " for the restore of " + labels.get(
                            RestoreDecision.LABEL_RESTORE_FROM));
        }
        if (RestoreCommand.placedBeforeStart(look.desired().engine())) {
            Optional<Outcome> failed = place(look, labels);
            if (failed.isPresent()) {
                return failed.get();
            }
        }
        return started(look, deploy, labels);
    }

    /** The Redis family: the RDB into the volume, before any server runs on it. Empty when placed. */
    private Optional<Outcome> place(Look look, Map<String, String> labels) {
        BackupName name = BackupName.parse(labels.get(RestoreDecision.LABEL_RESTORE_FROM)).orElseThrow();
        Optional<String> noImage = ServerHost.of(look.docker(), look.in().server(), facts).ensureImage(
                look.desired().image(), () -> null, null, DatabaseDeployer.MAX_PULL,
                text -> DatabaseDeployer.scrub(text, look.in().login()), new ServerHost.PullLog() {
                    @Override
                    public void line(String text) {
                    }

                    @Override
                    public void pulled(String image) {
                        services.mirror().recordActivity(look.db(), "image.pull", image + " on Server "
                                + look.serverName());
                    }
                });
        if (noImage.isPresent()) {
            return Optional.of(notReady(DatabaseReasons.IMAGE_UNAVAILABLE, noImage.get(), RETRY));
        }
        return restoreWith(look, labels, name, (in, digest, timeout) -> RdbPlacement.place(look.docker(),
                look.desired().image(), look.desired().volume(), look.desired().engine().dataDirectory(
                        look.desired().image()), Map.of(DesiredDatabase.LABEL_DATABASE + "-restore",
                        look.db().getMetadata().getUid()), in, digest, timeout), "placing the RDB");
    }

    /** The deployer's look; once the engine answers, the stream restore (or, for a placed RDB, only the record). */
    private Outcome started(Look look, Supplier<Outcome> deploy, Map<String, String> labels) {
        Outcome outcome = deploy.get();
        if (!outcome.ready()) {
            return with(outcome, condition(false, DatabaseReasons.RESTORING, "restoring "
                    + labels.get(RestoreDecision.LABEL_RESTORE_FROM) + " from " + labels.get(LABEL_RESTORE_LOCATION)
                    + " once the engine accepts connections"));
        }
        BackupName name = BackupName.parse(labels.get(RestoreDecision.LABEL_RESTORE_FROM)).orElseThrow();
        if (!RestoreCommand.placedBeforeStart(look.desired().engine())) {
            RestoreCommand command = RestoreCommand.of(look.desired().engine(), look.in().login(), name.extension())
                    .orElseThrow();
            String container = look.status().getContainerId();
            Optional<Outcome> failed = restoreWith(look, labels, name, (in, digest, timeout) ->
                    new RestoreRun(look.docker()).run(container, command, in, digest, timeout), "the restore");
            if (failed.isPresent()) {
                return failed.get();
            }
        }
        String location = labels.get(LABEL_RESTORE_LOCATION);
        look.status().setRestoredRunId(name.runId().toString());
        String message = "restored backup run " + name.runId() + " (" + name.fileName() + ") from " + location
                + "; its sha256 was checked";
        services.mirror().recordActivity(look.db(), "database.restore", message);
        services.events().record(look.db(), EventRecorder.NORMAL, DatabaseReasons.RESTORED, message);
        log.info("StandaloneDatabase {}/{}: {}", look.db().getMetadata().getNamespace(),
                look.db().getMetadata().getName(), message);
        return with(outcome, condition(true, DatabaseReasons.RESTORED, message));
    }

    @FunctionalInterface
    private interface Restore {
        RestoreResult run(InputStream stored, BackupDigest expected, Duration timeout);
    }

    /**
     * Opens the copy named on the volume and runs {@code restore} on it. A copy that cannot be opened is a failure
     * that is tried again (nothing was restored); a restore that ran and failed is final ({@link #failed}).
     */
    private Optional<Outcome> restoreWith(Look look, Map<String, String> labels, BackupName name, Restore restore,
            String what) {
        if (look.backup().isEmpty()) {
            return Optional.of(notReady(DatabaseReasons.BACKUP_NOT_FOUND, backupMissing(look), null));
        }
        ScheduledBackup backup = look.backup().get();
        Duration timeout = Durations.parse(backup.getSpec().getTimeout()).orElse(DEFAULT_TIMEOUT);
        String location = labels.get(LABEL_RESTORE_LOCATION);
        try (Opened opened = open(look, backup, labels.get(RestoreDecision.LABEL_RESTORE_SOURCE))) {
            Optional<BackupDigest> digest = opened.source().expectedDigest(name).or(() -> lastRunDigest(backup, name));
            if (digest.isEmpty()) {
                return Optional.of(failed(look, "no sha256 is recorded for " + location + " (object metadata "
                        + "berth-sha256, or the host's .sha256 file beside it): Berth restores only a copy it can check"));
            }
            RestoreResult result;
            try (InputStream in = opened.source().open(name, timeout)) {
                result = restore.run(in, digest.get(), timeout);
            }
            if (!result.succeeded()) {
                return Optional.of(failed(look, what + " of " + location + " failed: " + DatabaseDeployer.scrub(
                        result.failure().orElseThrow(), look.in().login())));
            }
            return Optional.empty();
        } catch (Unavailable e) {
            return Optional.of(notReady(DatabaseReasons.RESTORE_FAILED, e.getMessage() + "; Berth looks again every "
                    + RETRY.toSeconds() + "s", RETRY));
        } catch (IOException e) {
            return Optional.of(notReady(DatabaseReasons.RESTORE_FAILED, location + " cannot be read: "
                    + e.getMessage() + "; Berth looks again every " + RETRY.toSeconds() + "s", RETRY));
        }
    }

    /**
     * The digest the ScheduledBackup's status recorded for its last run, when that is the run restored: the one place
     * the sha256 of an S3 object larger than one server-side copy (5 GiB, {@code S3Upload}) is kept besides the mirror.
     */
    private static Optional<BackupDigest> lastRunDigest(ScheduledBackup backup, BackupName name) {
        var last = backup.getStatus() == null ? null : backup.getStatus().getLastRun();
        if (last == null || !name.runId().toString().equals(last.getId()) || last.getSha256() == null
                || !last.getSha256().matches("[0-9a-f]{64}") || last.getSizeBytes() == null) {
            return Optional.empty();
        }
        return Optional.of(new BackupDigest(last.getSha256(), last.getSizeBytes()));
    }

    /** A restore that ran and failed: final, said on Ready and on Restored. */
    private Outcome failed(Look look, String why) {
        String message = why + ". " + AFTER_FAILURE;
        services.events().record(look.db(), EventRecorder.WARNING, DatabaseReasons.RESTORE_FAILED, message);
        services.mirror().recordActivity(look.db(), "database.restore", "failed: " + why);
        log.warn("StandaloneDatabase {}/{}: restore failed: {}", look.db().getMetadata().getNamespace(),
                look.db().getMetadata().getName(), why);
        Condition condition = condition(false, DatabaseReasons.RESTORE_FAILED, message);
        return with(notReady(DatabaseReasons.RESTORE_FAILED, message, null), condition);
    }

    private String backupMissing(Look look) {
        return "ScheduledBackup " + look.restoreFrom().getBackupRef().getName() + " (spec.restoreFrom.backupRef.name) "
                + "does not exist in namespace " + look.db().getMetadata().getNamespace()
                + "; nothing was touched. Berth reconciles again when it is created";
    }

    /** The ScheduledBackup's destinations and the one read from; closed after the look. */
    private record Opened(BackupDestinations destinations, RestoreSource source) implements AutoCloseable {
        @Override
        public void close() {
            destinations.close();
        }
    }

    /** The destinations cannot be used yet (a Secret, the source Server); the message says which. */
    private static final class Unavailable extends Exception {
        Unavailable(String message) {
            super(message);
        }
    }

    private Opened open(Look look, ScheduledBackup backup, String which) throws Unavailable {
        SshHostConnection sourceConnection = RestoreSource.HOST.equals(which) ? sourceServer(look, backup) : null;
        try {
            BackupDestinations destinations = BackupDestinations.open(backup, look.client(), sourceConnection);
            return new Opened(destinations, new RestoreSource(destinations, which));
        } catch (BackupDestinations.Unusable e) {
            throw new Unavailable("the destinations of ScheduledBackup " + backup.getMetadata().getName()
                    + " cannot be opened (" + e.reason() + "): " + e.getMessage());
        }
    }

    /** The SSH connection of the Server the backed-up database runs on: where the host copies are. */
    private SshHostConnection sourceServer(Look look, ScheduledBackup backup) throws Unavailable {
        String namespace = backup.getMetadata().getNamespace();
        String dbName = backup.getSpec().getDatabaseRef() == null ? null : backup.getSpec().getDatabaseRef().getName();
        StandaloneDatabase source = dbName == null ? null : look.client().resources(StandaloneDatabase.class)
                .inNamespace(namespace).withName(dbName).get();
        if (source == null || source.getSpec() == null || source.getSpec().getServerRef() == null) {
            throw new Unavailable("the host copies of ScheduledBackup " + backup.getMetadata().getName()
                    + " are on the Server of StandaloneDatabase " + dbName + " (its databaseRef), which does not "
                    + "exist in namespace " + namespace);
        }
        String serverName = source.getSpec().getServerRef().getName();
        Server server = look.client().resources(Server.class).inNamespace(namespace).withName(serverName).get();
        if (server == null) {
            throw new Unavailable("the host copies of ScheduledBackup " + backup.getMetadata().getName()
                    + " are on Server " + serverName + ", which does not exist in namespace " + namespace);
        }
        try {
            return services.serverAccess().connection(server);
        } catch (ServerAccessException e) {
            throw new Unavailable("Server " + serverName + ", where the host copies of ScheduledBackup "
                    + backup.getMetadata().getName() + " are, cannot be reached (" + e.reason() + "): "
                    + e.getMessage());
        }
    }

    private static Condition condition(boolean status, String reason, String message) {
        Condition c = new Condition();
        c.setType(DatabaseReasons.CONDITION_RESTORED);
        c.setStatus(status ? Condition.TRUE : Condition.FALSE);
        c.setReason(reason);
        c.setMessage(message);
        return c;
    }

    private static Outcome with(Outcome outcome, Condition condition) {
        List<Condition> all = new ArrayList<>(outcome.extraConditions());
        all.removeIf(c -> condition.getType().equals(c.getType()));
        all.add(condition);
        return outcome.withExtraConditions(all);
    }

    private static Outcome notReady(String reason, String message, Duration recheck) {
        return DatabaseDeployer.notReady(reason, message, "Failed", recheck, true);
    }
}
