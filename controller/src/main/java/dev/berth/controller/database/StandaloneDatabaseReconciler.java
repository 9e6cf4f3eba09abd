package dev.berth.controller.database;

import dev.berth.api.v1alpha1.Berth;
import dev.berth.api.v1alpha1.ScheduledBackup;
import dev.berth.api.v1alpha1.Server;
import dev.berth.api.v1alpha1.StandaloneDatabase;
import dev.berth.api.v1alpha1.StandaloneDatabaseStatus;
import dev.berth.controller.docker.DockerHostException;
import dev.berth.controller.host.ServerAccessException;
import dev.berth.controller.reconcile.BerthReconciler;
import dev.berth.controller.reconcile.ReconcilerServices;
import dev.berth.controller.reconcile.ReferenceEventSources;
import dev.berth.controller.status.EventRecorder;
import dev.berth.controller.status.Outcome;
import dev.berth.controller.status.Reasons;
import dev.berth.controller.validation.SpecViolations;
import dev.berth.controller.validation.StandaloneDatabaseSpecValidator;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.rate.RateLimited;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.retry.GradualRetry;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * StandaloneDatabases: validated, their Server reference resolved (re-reconciled when that Server appears), the login
 * resolved ({@link DatabaseCredentials}: the spec's Secret, or one generated once), then converged onto the Server's
 * host by {@link DatabaseDeployer} (observe → {@link DesiredDatabase} → {@link DatabasePlanner} → apply); once the
 * engine accepts the login, the connection Secret is written ({@link ConnectionSecret}). Mirrored, status written when
 * it changed. Suspend is handled in converge (the container is stopped and kept); deletion removes the container, and
 * the volume only with {@code deletionPolicy: Delete}.
 */
@ControllerConfiguration(name = StandaloneDatabaseReconciler.NAME, finalizerName = Berth.FINALIZER,
        generationAwareEventProcessing = true)
@GradualRetry(maxAttempts = 10, initialInterval = 2_000, intervalMultiplier = 2.0, maxInterval = 300_000)
@RateLimited(maxReconciliations = 5, within = 1, unit = TimeUnit.SECONDS)
public class StandaloneDatabaseReconciler extends BerthReconciler<StandaloneDatabase, StandaloneDatabaseStatus> {
    public static final String NAME = "standalonedatabase";

    static final Duration CLEANUP_RETRY = Duration.ofSeconds(30);

    private final DatabaseDeployer deployer;
    private final DatabaseRestore restore;

    public StandaloneDatabaseReconciler(ReconcilerServices services) {
        super("StandaloneDatabase", StandaloneDatabaseStatus.class, services);
        this.deployer = new DatabaseDeployer(services);
        this.restore = new DatabaseRestore(services);
    }

    @Override
    public List<EventSource<?, StandaloneDatabase>> prepareEventSources(EventSourceContext<StandaloneDatabase> context) {
        // The credentials Secret too: a password changed there is taken by the engine without waiting for the re-check.
        return List.of(ReferenceEventSources.byName(Server.class, context,
                db -> db.getSpec() == null || db.getSpec().getServerRef() == null ? null
                        : db.getSpec().getServerRef().getName()),
                ReferenceEventSources.byName(Secret.class, context,
                        db -> db.getSpec() == null ? null : DatabaseCredentials.secretName(db)),
                // restoreFrom's ScheduledBackup: its appearance starts a restore that waited for it.
                ReferenceEventSources.byName(ScheduledBackup.class, context, StandaloneDatabaseReconciler::backupName));
    }

    private static String backupName(StandaloneDatabase db) {
        return db.getSpec() == null || db.getSpec().getRestoreFrom() == null
                || db.getSpec().getRestoreFrom().getBackupRef() == null ? null
                : db.getSpec().getRestoreFrom().getBackupRef().getName();
    }

    /** A restore is still to happen: restoreFrom is set and no run was restored yet. */
    private static boolean restorePending(StandaloneDatabase db) {
        return backupName(db) != null && (db.getStatus() == null || db.getStatus().getRestoredRunId() == null);
    }

    @Override
    protected SpecViolations validate(StandaloneDatabase resource) {
        return StandaloneDatabaseSpecValidator.validate(resource.getSpec());
    }

    @Override
    protected Optional<Outcome> checkReferences(StandaloneDatabase resource, Context<StandaloneDatabase> context) {
        String server = resource.getSpec().getServerRef().getName();
        if (context.getSecondaryResource(Server.class).isEmpty()) {
            return Optional.of(Outcome.missingReference(Reasons.SERVER_NOT_FOUND, "Server", server,
                    "spec.serverRef.name", resource.getMetadata().getNamespace()));
        }
        if (restorePending(resource) && context.getSecondaryResource(ScheduledBackup.class).isEmpty()) {
            return Optional.of(Outcome.missingReference(DatabaseReasons.BACKUP_NOT_FOUND, "ScheduledBackup",
                    backupName(resource), "spec.restoreFrom.backupRef.name", resource.getMetadata().getNamespace()));
        }
        return Optional.empty();
    }

    /** Suspend is part of converging here: the container is stopped (and kept), which takes the host. */
    @Override
    protected boolean suspended(StandaloneDatabase resource) {
        return false;
    }

    @Override
    protected Outcome converge(StandaloneDatabase db, Context<StandaloneDatabase> context,
            StandaloneDatabaseStatus status) {
        Server server = context.getSecondaryResource(Server.class).orElseThrow();
        KubernetesClient client = context.getClient();
        CachedSecrets secrets = secrets(context);
        CredentialsResult credentials = new DatabaseCredentials(client, secrets).resolve(db);
        if (credentials instanceof CredentialsResult.Unusable unusable) {
            return unusable.outcome(); // the database is left as it runs
        }
        CredentialsResult.Resolved login = (CredentialsResult.Resolved) credentials;
        status.setCredentialsSecretName(login.secretName());
        ConnectionSecret connection = new ConnectionSecret(client, secrets);
        DatabaseDeployer.Inputs inputs = new DatabaseDeployer.Inputs(db, server, login.login(), login.secretName(),
                connection.appliedPassword(db));
        // restoreFrom: the restore decides when the deployer looks, and the database is Ready only once restored.
        Outcome outcome = restore.converge(inputs, status, context.getSecondaryResource(ScheduledBackup.class), client,
                () -> deployer.converge(inputs, status));
        if (outcome.ready()) {
            // Only once the engine accepted the login: the Secret's password is one that works.
            DatabaseEngine engine = DatabaseEngine.of(db.getSpec().getEngine());
            connection.write(db, engine.connection(status.getHost(), status.getPort(), login.login()));
            status.setConnectionSecretName(ConnectionSecret.name(db));
        }
        return outcome;
    }

    /** The Secrets the informer of this controller holds (it watches every Secret of the watched namespaces). */
    @SuppressWarnings("unchecked")
    private static CachedSecrets secrets(Context<StandaloneDatabase> context) {
        var source = context.eventSourceRetriever().getEventSourceFor(Secret.class);
        if (source instanceof InformerEventSource<?, ?> informer) {
            var secrets = (InformerEventSource<Secret, StandaloneDatabase>) informer;
            return (namespace, name) -> secrets.get(new ResourceID(name, namespace));
        }
        return CachedSecrets.NONE;
    }

    @Override
    public DeleteControl cleanup(StandaloneDatabase db, Context<StandaloneDatabase> context) {
        Optional<Server> server = context.getSecondaryResource(Server.class);
        if (server.isEmpty()) {
            String msg = "Server " + db.getSpec().getServerRef().getName() + " no longer exists: the container of this "
                    + "database on its host (label " + DesiredDatabase.LABEL_DATABASE + "=" + db.getMetadata().getUid()
                    + ") could not be removed; its volume " + DesiredDatabase.volumeName(db) + " is kept";
            log.warn("StandaloneDatabase {}: {}", ref(db), msg);
            services.events().record(db, EventRecorder.WARNING, "ContainersLeftBehind", msg);
        } else {
            try {
                deployer.remove(db, server.get());
            } catch (ServerAccessException | DockerHostException e) {
                log.warn("StandaloneDatabase {}: cannot remove its container yet ({}); retrying in {}s", ref(db),
                        e.getMessage(), CLEANUP_RETRY.toSeconds());
                return DeleteControl.noFinalizerRemoval().rescheduleAfter(CLEANUP_RETRY);
            }
        }
        new DatabaseCredentials(context.getClient()).releaseForDeletion(db);
        return super.cleanup(db, context);
    }
}
