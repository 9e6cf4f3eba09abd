package dev.berth.controller.backup;

import dev.berth.api.v1alpha1.Berth;
import dev.berth.api.v1alpha1.StandaloneDatabase;
import dev.berth.controller.backup.store.BackupDigest;
import dev.berth.controller.database.DatabaseEngine;
import dev.berth.controller.database.DatabaseLogin;
import dev.berth.controller.database.DesiredDatabase;
import dev.berth.controller.database.ReadinessCheck;
import dev.berth.controller.docker.ContainerSpec;
import dev.berth.controller.docker.DockerHost;
import dev.berth.controller.docker.DockerHostException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A backup proven by restoring it: {@link #verify} starts a throwaway container from the database's own image on the
 * database's Server (same engine, same login, the spec's settings; no public port, no Berth network, a throwaway
 * volume; both labelled {@link #LABEL}{@code =<verification id>} and {@link #LABEL_OF}{@code =<database uid>} so that
 * they can be found and removed), restores the stored copy into it with {@link RestoreRun} (Redis family:
 * {@link RdbPlacement} before the server starts), counts what it holds, and removes container and volume — always,
 * also when anything failed. The stored copy's sha256 is checked on the way, as in every restore.
 *
 * <p>What is counted: PostgreSQL, MySQL, MariaDB — the tables of the database and their exact total of rows
 * ({@code tables=3 rows=1200}); ClickHouse — its tables (views not counted) and the rows of its active parts; the Redis
 * family — the keys of every logical database ({@code keys=500}). MongoDB is not verified in this version.
 *
 * <p>Usage (the ScheduledBackup run, when {@code spec.verify} is true, after the run succeeded):
 * <pre>{@code
 * BackupVerification.Result r = new BackupVerification(docker, timeout)
 *         .verify(db, login, name.extension(), () -> destinations.s3().get().read(key), digest);
 * if (r.succeeded()) lastRun.setVerified(r.counts()); else fail the run with r.failure()
 * }</pre>
 * The call blocks for the whole verification (a container start and a restore: seconds to minutes); call it from the
 * backup run's own thread, never from a reconcile.
 */
public final class BackupVerification {
    /** Label on the throwaway container and volume: the verification's id. */
    public static final String LABEL = "berth.dev/verification";
    /** Label on the throwaway container and volume: the uid of the database whose backup is verified. */
    public static final String LABEL_OF = "berth.dev/verification-of";
    private static final Logger LOG = LoggerFactory.getLogger(BackupVerification.class);
    private static final Duration START_WITHIN = Duration.ofMinutes(5);
    private static final Duration EXEC_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration POLL = Duration.ofMillis(500);

    private final DockerHost docker;
    private final Duration restoreTimeout;

    /**
     * @param docker         the Docker host of the database's Server
     * @param restoreTimeout how long the restore itself may take (the engine's start has a bound of its own)
     */
    public BackupVerification(DockerHost docker, Duration restoreTimeout) {
        this.docker = docker;
        this.restoreTimeout = restoreTimeout;
    }

    /** How the stored copy is read: a fresh stream each call (read to its end, then closed by the caller). */
    @FunctionalInterface
    public interface StoredCopy {
        InputStream open() throws IOException;
    }

    /**
     * What the verification found.
     *
     * @param counts  on success, what the restored copy holds, e.g. {@code tables=3 rows=1200} or {@code keys=500}
     * @param failure on failure, why (the restore tool's last lines, secrets scrubbed), e.g. a sha256 mismatch
     */
    public record Result(Optional<String> counts, Optional<String> failure) {
        public static Result counted(String counts) {
            return new Result(Optional.of(counts), Optional.empty());
        }

        public static Result failed(String why) {
            return new Result(Optional.empty(), Optional.of(why));
        }

        public boolean succeeded() {
            return counts.isPresent();
        }
    }

    /**
     * Restores the copy of {@code db}'s backup ({@code extension} as in {@link BackupName}, expected to be
     * {@code expected}) into a throwaway container logged in as {@code login}, and counts what it holds. Never throws
     * for a failed verification: Docker refusing a call, the engine not starting and the restore failing are all a
     * {@link Result#failed}.
     */
    public Result verify(StandaloneDatabase db, DatabaseLogin login, String extension, StoredCopy copy,
                         BackupDigest expected) {
        DatabaseEngine engine = DatabaseEngine.of(db.getSpec().getEngine());
        String image = DesiredDatabase.image(db.getSpec());
        String dataDirectory = engine.dataDirectory(image);
        String id = UUID.randomUUID().toString();
        String volume = "berth-verify-" + id.substring(0, 13);
        Map<String, String> labels = Map.of(Berth.LABEL_MANAGED, "true", LABEL, id, LABEL_OF,
                db.getMetadata().getUid() == null ? "" : db.getMetadata().getUid());
        if (countCommand(engine).isEmpty()) {
            return Result.failed("verifying a " + engine.name().toLowerCase() + " backup is not supported");
        }
        String container = null;
        try {
            docker.ensureVolume(volume, labels);
            boolean placed = RestoreCommand.placedBeforeStart(engine);
            if (placed) {
                RestoreResult r = restoreFrom(copy, in -> RdbPlacement.place(docker, image, volume, dataDirectory,
                        labels, in, expected, restoreTimeout));
                if (!r.succeeded()) {
                    return Result.failed("the restore failed: " + r.failure().orElseThrow());
                }
            }
            ContainerSpec spec = new ContainerSpec("berth-verify-" + id.substring(0, 8), image,
                    engine.command(db.getSpec().getConfig()), engine.environment(login), labels, null, List.of(),
                    List.of(), List.of(new ContainerSpec.MountSpec(volume, dataDirectory, true, false)), null, null,
                    "no", null, null);
            container = docker.createContainer(spec);
            docker.startContainer(container);
            Optional<String> notStarted = awaitAnswer(container, engine.readiness(login));
            if (notStarted.isPresent()) {
                return Result.failed(notStarted.get());
            }
            if (!placed) {
                Optional<RestoreCommand> restore = RestoreCommand.of(engine, login, extension);
                if (restore.isEmpty()) {
                    return Result.failed("a ." + extension + " backup of " + engine.name().toLowerCase()
                            + " cannot be restored by Berth in this version");
                }
                String target = container;
                RestoreResult r = restoreFrom(copy, in -> new RestoreRun(docker).run(target, restore.get(), in,
                        expected, restoreTimeout));
                if (!r.succeeded()) {
                    return Result.failed("the restore failed: " + r.failure().orElseThrow());
                }
            }
            return count(container, engine, login);
        } catch (DockerHostException | IOException e) {
            return Result.failed("the verification could not run: " + scrub(e.getMessage(), login));
        } finally {
            remove(container, volume);
        }
    }

    private interface Restore {
        RestoreResult into(InputStream in);
    }

    private static RestoreResult restoreFrom(StoredCopy copy, Restore restore) throws IOException {
        try (InputStream in = copy.open()) {
            return restore.into(in);
        }
    }

    /** Waits (on this thread: verification is never called from a reconcile) until the engine accepts the login. */
    private Optional<String> awaitAnswer(String container, ReadinessCheck check) {
        Instant until = Instant.now().plus(START_WITHIN);
        while (Instant.now().isBefore(until)) {
            Optional<DockerHost.ContainerState> state = docker.inspectContainer(container);
            if (state.isEmpty() || !state.get().running()) {
                return Optional.of("the engine in the throwaway container exited before it accepted a connection");
            }
            try {
                if (docker.exec(container, check.command(), check.envEntries(), null, OutputStream.nullOutputStream(),
                        OutputStream.nullOutputStream(), Duration.ofSeconds(15)) == 0) {
                    return Optional.empty();
                }
            } catch (DockerHostException e) {
                if (e.kind() != DockerHostException.Kind.Conflict) {
                    throw e;
                }
            }
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.of("the verification was cancelled");
            }
        }
        return Optional.of("the engine in the throwaway container did not accept a connection within " + START_WITHIN);
    }

    private Result count(String container, DatabaseEngine engine, DatabaseLogin login) {
        CountCommand c = countCommand(engine).orElseThrow();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ToolOutputTail err = new ToolOutputTail(4096);
        long code = docker.exec(container, c.command(login), c.env(login), null, out, err, EXEC_TIMEOUT);
        String text = out.toString(StandardCharsets.UTF_8);
        if (code != 0) {
            return Result.failed("counting what the restored copy holds failed (exit " + code + "): "
                    + err.lastLines(5, List.of(login.password())).replace('\n', ' '));
        }
        return summary(engine, text).map(Result::counted)
                .orElseGet(() -> Result.failed("the count's output was not understood: "
                        + scrub(text.strip(), login)));
    }

    private static final Pattern TWO_NUMBERS = Pattern.compile("^\\s*(\\d+) *[|\\t] *(\\d*)\\s*$");
    private static final Pattern KEYS = Pattern.compile("^db\\d+:keys=(\\d+)");

    /**
     * The counts as status shows them (pure): {@code tables=N rows=M} from a count command's {@code N|M} (or
     * {@code N<tab>M}; an empty M is 0), {@code keys=N} from {@code INFO keyspace}.
     */
    static Optional<String> summary(DatabaseEngine engine, String output) {
        if (RestoreCommand.placedBeforeStart(engine)) {
            long keys = 0;
            for (String line : output.split("\\R")) {
                Matcher m = KEYS.matcher(line.strip());
                if (m.find()) {
                    keys += Long.parseLong(m.group(1));
                }
            }
            return output.contains("# Keyspace") || output.isBlank() ? Optional.of("keys=" + keys) : Optional.empty();
        }
        Matcher m = TWO_NUMBERS.matcher(output);
        if (!m.matches()) {
            return Optional.empty();
        }
        return Optional.of("tables=" + m.group(1) + " rows=" + (m.group(2).isEmpty() ? "0" : m.group(2)));
    }

    /** One engine's count: a command and its environment (the password only there). */
    private record CountCommand(java.util.function.Function<DatabaseLogin, List<String>> argv,
                                java.util.function.Function<DatabaseLogin, Map<String, String>> environment) {
        List<String> command(DatabaseLogin login) {
            return argv.apply(login);
        }

        List<String> env(DatabaseLogin login) {
            return DumpCommand.envEntries(environment.apply(login));
        }
    }

    /** Exact counts, by the engine's own client inside the container. */
    private static final String POSTGRES_COUNT = "SELECT count(*) || '|' || coalesce(sum((xpath('/row/c/text()', "
            + "query_to_xml(format('SELECT count(*) AS c FROM %I.%I', schemaname, tablename), false, true, '')))[1]"
            + "::text::bigint), 0) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')";
    private static final String MYSQL_COUNT = "c=\"$0 --protocol=TCP -h 127.0.0.1 -P $1 -u $BERTH_DB_USER -N -B\"; "
            + "q=$($c -e \"SELECT CONCAT('SELECT COUNT(*) FROM \\`', table_schema, '\\`.\\`', table_name, '\\`;') "
            + "FROM information_schema.tables WHERE table_schema = '$BERTH_DB_NAME' AND table_type = 'BASE TABLE'\") "
            + "|| exit 1; n=0; r=0; if [ -n \"$q\" ]; then n=$(printf '%s\\n' \"$q\" | wc -l); "
            + "r=$(printf '%s\\n' \"$q\" | $c | awk '{s += $1} END {print s + 0}') || exit 1; fi; echo \"$n|$r\"";
    private static final String CLICKHOUSE_COUNT = "f=$(mktemp) || exit 1; chmod 600 \"$f\"; trap 'rm -f \"$f\"' EXIT; "
            + "esc() { printf '%s' \"$1\" | sed -e 's/&/\\&amp;/g' -e 's/</\\&lt;/g' -e 's/>/\\&gt;/g'; }; "
            + "printf '<config><user>%s</user><password>%s</password></config>' "
            + "\"$(esc \"$BERTH_DB_USER\")\" \"$(esc \"$" + DumpCommand.PASSWORD_VARIABLE + "\")\" >\"$f\"; "
            + "clickhouse-client --config-file \"$f\" --host 127.0.0.1 --port $1 --query \"SELECT "
            + "(SELECT count() FROM system.tables WHERE database = '$BERTH_DB_NAME' AND engine NOT LIKE '%View'), "
            + "(SELECT sum(rows) FROM system.parts WHERE database = '$BERTH_DB_NAME' AND active) FORMAT TSVRaw\"";

    private static Optional<CountCommand> countCommand(DatabaseEngine engine) {
        String port = Integer.toString(engine.port());
        return switch (engine) {
            case POSTGRESQL -> Optional.of(new CountCommand(l -> List.of("psql", "--no-password", "-h", "127.0.0.1",
                    "-p", port, "-U", l.username(), "-d", l.database(), "-v", "ON_ERROR_STOP=1", "-tAc", POSTGRES_COUNT),
                    l -> Map.of("PGPASSWORD", l.password())));
            case MYSQL, MARIADB -> Optional.of(new CountCommand(l -> List.of("sh", "-c", MYSQL_COUNT,
                    engine == DatabaseEngine.MYSQL ? "mysql" : "mariadb", port),
                    l -> Map.of("MYSQL_PWD", l.password(), "BERTH_DB_USER", l.username(), "BERTH_DB_NAME",
                            l.database())));
            case CLICKHOUSE -> Optional.of(new CountCommand(l -> List.of("sh", "-c", CLICKHOUSE_COUNT,
                    "clickhouse-count", port),
                    l -> Map.of("BERTH_DB_USER", l.username(), "BERTH_DB_NAME", l.database(),
                            DumpCommand.PASSWORD_VARIABLE, l.password())));
            case REDIS, VALKEY, KEYDB, DRAGONFLY -> Optional.of(new CountCommand(l -> List.of(DumpCommand.cli(engine),
                    "-h", "127.0.0.1", "-p", port, "INFO", "keyspace"), l -> Map.of("REDISCLI_AUTH", l.password())));
            case MONGODB -> Optional.empty();
        };
    }

    private void remove(String container, String volume) {
        try {
            if (container != null) {
                docker.removeContainer(container, true);
            }
        } catch (DockerHostException e) {
            LOG.warn("verification container {} could not be removed: {}", container, e.getMessage());
        }
        try {
            docker.removeVolume(volume);
        } catch (DockerHostException e) {
            LOG.warn("verification volume {} could not be removed: {}", volume, e.getMessage());
        }
    }

    private static String scrub(String text, DatabaseLogin login) {
        return text == null || login.password().isEmpty() ? text : text.replace(login.password(), "[redacted]");
    }
}
