package dev.berth.controller.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.berth.api.v1alpha1.Berth;
import dev.berth.api.v1alpha1.Condition;
import dev.berth.api.v1alpha1.LocalRef;
import dev.berth.api.v1alpha1.ScheduledBackup;
import dev.berth.api.v1alpha1.ScheduledBackupSpec;
import dev.berth.api.v1alpha1.ScheduledBackupStatus;
import dev.berth.api.v1alpha1.SecretKeyRef;
import dev.berth.api.v1alpha1.StandaloneDatabase;
import dev.berth.api.v1alpha1.StandaloneDatabaseSpec;
import dev.berth.controller.BerthOperator;
import dev.berth.controller.application.AppTestBed;
import dev.berth.controller.backup.store.BackupDigest;
import dev.berth.controller.backup.store.EndpointTrust;
import dev.berth.controller.backup.store.S3Proxy;
import dev.berth.controller.backup.store.S3Storage;
import dev.berth.controller.backup.store.TestCa;
import dev.berth.controller.database.DesiredDatabase;
import dev.berth.controller.testbed.LogCapture;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * ScheduledBackups run by the whole operator against a real PostgreSQL 15 on the test bed, streaming to s3proxy (a
 * real S3 API server) and to a directory on the Server: immediate runs, retention from the listing, failures that are
 * failed runs saying why (wrong S3 keys, a dump tool exiting non-zero, a timeout that ends the dump, a database that
 * is not Ready) while other backups go on, slots skipped during a long run, slots missed while the operator was down
 * with one catch-up run, a run its operator left half-done closed and cleaned up, and no secret anywhere.
 */
class ScheduledBackupIT {
    static final Duration WAIT = Duration.ofSeconds(180);
    static final String PG = "berth-test/postgres:15";
    static final String NS = AppTestBed.NS;
    static final String BUCKET = "backups";
    static final String IT_LABEL = "berth-it=backup";

    @TempDir
    Path dataDir;
    @TempDir
    Path s3Dir;
    @TempDir
    Path tlsDir;
    AppTestBed t;
    S3Proxy proxy;
    S3Client s3admin;
    Path hostBase;
    final List<StandaloneDatabase> created = new ArrayList<>();
    final String password = "Pw-planted-'\"$x <&> " + UUID.randomUUID();

    @BeforeEach
    void bed() throws Exception {
        t = new AppTestBed(dataDir);
        Assumptions.assumeTrue(t.dockerResult(1, "image", "inspect", PG).exit() == 0,
                PG + " is not on the bed: scripts/testbed.sh images postgres15");
        proxy = new S3Proxy(s3Dir);
        s3admin = S3Client.builder().endpointOverride(URI.create(proxy.endpoint())).region(Region.US_EAST_1)
                .forcePathStyle(true).credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(S3Proxy.ACCESS_KEY, S3Proxy.SECRET_KEY)))
                // s3proxy does not understand the SDK's newer default checksums (as in S3Storage).
                .requestChecksumCalculation(software.amazon.awssdk.core.checksums.RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(software.amazon.awssdk.core.checksums.ResponseChecksumValidation.WHEN_REQUIRED)
                .build();
        s3admin.createBucket(b -> b.bucket(BUCKET));
        // The bed's hosts are network namespaces on this machine: their files are this machine's files.
        hostBase = Files.createDirectories(Path.of("/tmp/berth-sbit-" + UUID.randomUUID()));
        secret("s3-keys", Map.of("accessKeyId", S3Proxy.ACCESS_KEY, "secretAccessKey", S3Proxy.SECRET_KEY));
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (t == null) {
            return;
        }
        try {
            t.stopOperators();
            List<String> ids = new ArrayList<>(List.of(t.docker(1, "ps", "-aq", "--filter", "label=" + IT_LABEL)
                    .split("\\s+")));
            for (StandaloneDatabase db : created) {
                ids.addAll(List.of(t.docker(1, "ps", "-aq", "--filter", "label=" + DesiredDatabase.LABEL_DATABASE
                        + "=" + db.getMetadata().getUid()).split("\\s+")));
            }
            ids.removeIf(String::isBlank);
            if (!ids.isEmpty()) {
                List<String> rm = new ArrayList<>(List.of("rm", "-f"));
                rm.addAll(ids);
                t.dockerResult(1, rm.toArray(String[]::new));
            }
            for (StandaloneDatabase db : created) {
                t.dockerResult(1, "volume", "rm", "-f", DesiredDatabase.volumeName(db));
            }
            if (hostBase != null) {
                try (Stream<Path> walk = Files.walk(hostBase)) {
                    walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        } finally {
            if (s3admin != null) {
                s3admin.close();
            }
            if (proxy != null) {
                proxy.close();
            }
            t.close();
        }
    }

    @Test
    void aRunStreamsToS3AndTheServerRetentionKeepsThreeFromTheListingAndNoSecretLeaks() throws Exception {
        try (LogCapture log = new LogCapture()) {
            BerthOperator operator = t.startOperator();
            Map<String, String> conn = readyPostgres("pgsrc");
            psql(conn, "CREATE TABLE t (n int, s text); INSERT INTO t SELECT i, md5(i::text) FROM generate_series(1, 5000) i");

            // Five older backups Berth made (no mirror rows for them) and a file that is not Berth's.
            String s3dir = BackupName.directory("berth", NS, "nightly");
            Path hostDir = Files.createDirectories(hostBase.resolve(NS).resolve("nightly"));
            Instant now = Instant.now();
            for (int i = 5; i >= 1; i--) {
                String name = new BackupName(now.minus(i, ChronoUnit.HOURS), UUID.randomUUID(), "dump").fileName();
                s3admin.putObject(b -> b.bucket(BUCKET).key(s3dir + name), RequestBody.fromString("old " + name));
                Files.writeString(hostDir.resolve(name), "old " + name);
            }
            Files.writeString(hostDir.resolve("notes.txt"), "a person's file");

            create(backup("nightly", "pgsrc", spec -> {
                spec.setSchedule("0 3 * * *");
                spec.setImmediate(true);
                spec.setDestination(bothDestinations());
                spec.getRetention().setKeepLast(3);
            }));
            ScheduledBackup done = awaitLastRun("nightly", "succeeded");
            ScheduledBackupStatus.LastRun run = done.getStatus().getLastRun();
            assertThat(run.getTrigger()).isEqualTo("immediate");
            assertThat(run.getRestorableLocations()).hasSize(2);
            assertThat(ready(done)).map(Condition::getStatus).contains(Condition.TRUE);
            assertThat(done.getStatus().getLastSuccessfulTime()).isEqualTo(run.getCompletionTime());
            assertThat(Instant.parse(done.getStatus().getNextScheduleTime()).atZone(java.time.ZoneOffset.UTC).getHour())
                    .isEqualTo(3);

            // Both copies hold the bytes whose sha256 and size status gives.
            String fileName = new BackupName(Instant.parse(run.getStartTime()), UUID.fromString(run.getId()), "dump")
                    .fileName();
            byte[] object = s3admin.getObjectAsBytes(b -> b.bucket(BUCKET).key(s3dir + fileName)).asByteArray();
            assertThat(sha256(object)).isEqualTo(run.getSha256());
            assertThat((long) object.length).isEqualTo(run.getSizeBytes());
            assertThat(sha256(Files.readAllBytes(hostDir.resolve(fileName)))).isEqualTo(run.getSha256());
            // A real dump: pg_restore lists the table in it.
            assertThat(new String(object, 0, 5, StandardCharsets.US_ASCII)).isEqualTo("PGDMP");

            // Retention from the listings: the newest three of six, on each side; the person's file stays.
            List<String> stored = s3admin.listObjectsV2(b -> b.bucket(BUCKET).prefix(s3dir)).contents().stream()
                    .map(S3Object::key).map(k -> k.substring(s3dir.length())).sorted().toList();
            List<String> objects = stored.stream().filter(k -> !k.endsWith(".sha256")).toList();
            assertThat(objects).hasSize(3).last().isEqualTo(fileName);
            // Berth's own object has its sha256 beside it, as on the host (the hand-made older ones had none).
            assertThat(stored).containsExactlyElementsOf(Stream.concat(objects.stream(), Stream.of(fileName
                    + ".sha256")).sorted().toList());
            assertThat(s3admin.getObjectAsBytes(b -> b.bucket(BUCKET).key(s3dir + fileName + ".sha256"))
                    .asUtf8String()).isEqualTo(run.getSha256() + "  " + fileName + "\n");
            List<String> files;
            try (Stream<Path> list = Files.list(hostDir)) {
                files = list.map(p -> p.getFileName().toString()).sorted().toList();
            }
            // Berth's own copy has its sha256 sidecar beside it (the hand-made older ones had none).
            assertThat(files).containsExactlyElementsOf(Stream.concat(objects.stream(), Stream.of("notes.txt",
                    fileName + ".sha256")).sorted().toList());

            // maxTotalSize: older copies go while all together exceed it; the newest stays whatever its size.
            Path sizedDir = Files.createDirectories(hostBase.resolve(NS).resolve("sized"));
            for (int i = 3; i >= 1; i--) {
                String name = new BackupName(now.minus(i, ChronoUnit.HOURS), UUID.randomUUID(), "dump").fileName();
                Files.write(sizedDir.resolve(name), new byte[600]);
            }
            create(backup("sized", "pgsrc", spec -> {
                spec.setImmediate(true);
                spec.getRetention().setMaxTotalSize("1k");
            }));
            ScheduledBackupStatus.LastRun sized = awaitLastRun("sized", "succeeded").getStatus().getLastRun();
            assertThat(filesUnder(sizedDir)).filteredOn(f -> BackupName.parse(f).isPresent()).singleElement()
                    .asString().contains(sized.getId());

            // The mirror row says the same.
            var row = t.database.dsl().fetchOne("select status, trigger_kind, sha256, size_bytes, restorable_locations "
                    + "from backup_executions where id = ?::uuid", run.getId());
            assertThat(row).isNotNull();
            assertThat(row.get(0, String.class)).isEqualTo("succeeded");
            assertThat(row.get(1, String.class)).isEqualTo("immediate");
            assertThat(row.get(2, String.class)).isEqualTo(run.getSha256());
            assertThat(row.get(3, Long.class)).isEqualTo(run.getSizeBytes());
            assertThat(row.get(4, String.class)).contains("s3://" + BUCKET + "/" + s3dir + fileName)
                    .contains(hostDir.resolve(fileName).toString());

            String metrics = scrape(operator);
            assertThat(metrics).containsPattern("berth_backup_runs_total\\{[^}]*name=\"nightly\"[^}]*result=\"succeeded\"[^}]*\\} 1\\.0");
            assertThat(metrics).containsPattern("berth_backup_last_success_timestamp_seconds\\{[^}]*name=\"nightly\"[^}]*\\} [1-9]");

            // No secret anywhere: the database password, the S3 secret key.
            var json = t.client.getKubernetesSerialization();
            String statuses = json.asJson(t.client.resources(ScheduledBackup.class).inNamespace(NS).list())
                    + json.asJson(t.client.resources(StandaloneDatabase.class).inNamespace(NS).list());
            String events = json.asJson(t.client.v1().events().inNamespace(NS).list());
            List<String> rows = new ArrayList<>();
            for (String table : t.database.dsl().fetch("select table_name from information_schema.tables "
                    + "where table_schema = 'public'").getValues(0, String.class)) {
                rows.addAll(t.database.dsl().fetch("select row_to_json(t)::text from "
                        + org.jooq.impl.DSL.quotedName(table) + " t").getValues(0, String.class));
            }
            String metadata = s3admin.headObject(b -> b.bucket(BUCKET).key(s3dir + fileName)).metadata().toString()
                    + s3admin.getObjectAsBytes(b -> b.bucket(BUCKET).key(s3dir + fileName + ".sha256")).asUtf8String();
            assertThat(metadata).contains(run.getSha256());
            List<String> lines = log.lines();
            assertThat(lines).isNotEmpty();
            for (String secret : List.of(password, S3Proxy.SECRET_KEY)) {
                assertThat(statuses).as("statuses").doesNotContain(secret);
                assertThat(events).as("Events").doesNotContain(secret);
                assertThat(rows).as("mirror rows").noneMatch(r -> r.contains(secret));
                assertThat(lines).as("log lines").noneMatch(l -> l.contains(secret));
                assertThat(metadata).as("object metadata and sha256 object").doesNotContain(secret);
            }
        }
    }

    @Test
    void failedRunsSayWhyLeaveNoPartialCopyAndOtherBackupsGoOn() throws Exception {
        BerthOperator operator = t.startOperator();
        Map<String, String> conn = readyPostgres("pgfail");
        psql(conn, "CREATE TABLE t (n int); INSERT INTO t SELECT generate_series(1, 100)");
        secret("wrong-keys", Map.of("accessKeyId", S3Proxy.ACCESS_KEY, "secretAccessKey", "not-the-key-" + UUID.randomUUID()));

        create(backup("wrongkeys", "pgfail", spec -> {
            spec.setImmediate(true);
            ScheduledBackupSpec.Destination d = bothDestinations();
            d.getS3().setCredentialsSecretRef(new LocalRef("wrong-keys"));
            spec.setDestination(d);
        }));
        create(backup("nodb", "pgfail", spec -> {
            spec.setImmediate(true);
            spec.setDatabases(List.of("nosuchdb"));
        }));
        create(backup("good", "pgfail", spec -> {
            spec.setImmediate(true);
            spec.setVerify(true);
        }));
        create(backup("unreachable", "pgfail", spec -> {
            spec.setImmediate(true);
            ScheduledBackupSpec.Destination d = bothDestinations();
            d.getS3().setEndpoint("http://127.0.0.1:9"); // nothing listens there
            d.setHost(null);
            spec.setDestination(d);
        }));
        create(backup("paused", "pgfail", spec -> {
            spec.setImmediate(true);
            spec.setSuspend(true);
        }));

        ScheduledBackup wrong = awaitLastRun("wrongkeys", "failed");
        ScheduledBackupStatus.LastRun w = wrong.getStatus().getLastRun();
        assertThat(w.getReason()).isEqualTo("DestinationFailed");
        assertThat(w.getMessage()).contains("s3://" + BUCKET);
        // Partial success is failure; the complete copy on the Server is kept and said to be restorable.
        assertThat(w.getRestorableLocations()).singleElement().asString().contains(hostBase.toString());
        assertThat(ready(wrong)).map(Condition::getReason).contains("BackupFailed");
        assertThat(s3admin.listObjectsV2(b -> b.bucket(BUCKET).prefix("berth/" + NS + "/wrongkeys/")).contents()).isEmpty();

        ScheduledBackup nodb = awaitLastRun("nodb", "failed");
        assertThat(nodb.getStatus().getLastRun().getReason()).isEqualTo("ToolFailed");
        assertThat(nodb.getStatus().getLastRun().getMessage()).contains("pg_dump exited with").contains("nosuchdb");
        assertThat(filesUnder(hostBase.resolve(NS).resolve("nodb"))).as("no copy, no .partial").isEmpty();
        assertThat(t.client.v1().events().inNamespace(NS).list().getItems()).anyMatch(e ->
                "BackupFailed".equals(e.getReason()) && "nodb".equals(e.getInvolvedObject().getName()));

        ScheduledBackupStatus.LastRun good = awaitLastRun("good", "succeeded").getStatus().getLastRun();
        assertThat(good.getRestorableLocations()).hasSize(1);
        // verify: restored into a throwaway container and counted; the container and its volume are gone.
        assertThat(good.getVerified()).isEqualTo("tables=1 rows=100");
        assertThat(t.database.dsl().fetchValue("select verified from backup_executions where id = ?::uuid",
                good.getId())).isEqualTo("tables=1 rows=100");
        assertThat(t.docker(1, "ps", "-aq", "--filter", "label=" + BackupVerification.LABEL).strip()).isEmpty();
        assertThat(t.docker(1, "volume", "ls", "-q", "--filter", "label=" + BackupVerification.LABEL).strip()).isEmpty();
        ScheduledBackup unreachable = awaitLastRun("unreachable", "failed");
        assertThat(unreachable.getStatus().getLastRun().getReason()).isEqualTo("DestinationFailed");
        assertThat(unreachable.getStatus().getLastRun().getMessage()).contains("127.0.0.1:9");

        // A dump that cannot finish (a lock it waits on) is ended by the timeout, inside the container too.
        String locker = t.docker(1, "run", "-d", "--label", IT_LABEL, "--network", "berth", "-e", "PGPASSWORD="
                + conn.get("password"), "--entrypoint", "psql", PG, "-h", conn.get("host"), "-U", conn.get("username"),
                "-d", conn.get("database"), "-c", "BEGIN; LOCK TABLE t IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(120);").strip();
        await().atMost(WAIT).until(() -> psql(conn, "SELECT count(*) FROM pg_locks WHERE mode = 'AccessExclusiveLock' "
                + "AND relation = 't'::regclass").equals("1"));
        create(backup("slow", "pgfail", spec -> {
            spec.setImmediate(true);
            spec.setTimeout("3s");
        }));
        ScheduledBackup slow = awaitLastRun("slow", "failed");
        assertThat(slow.getStatus().getLastRun().getReason()).isEqualTo("TimedOut");
        String container = fetchDb("pgfail").getStatus().getContainerId();
        assertThat(t.docker(1, "exec", container, "sh", "-c", "grep -l " + BackupProcesses.MARKER
                + " /proc/[0-9]*/environ 2>/dev/null | wc -l").strip()).as("dump processes left").isEqualTo("0");
        assertThat(filesUnder(hostBase.resolve(NS).resolve("slow"))).isEmpty();
        release(locker, conn);

        // The database stopped mid-dump (suspended while pg_dump waits on a lock): a failed run, nothing stored.
        String locker2 = t.docker(1, "run", "-d", "--label", IT_LABEL, "--network", "berth", "-e", "PGPASSWORD="
                + conn.get("password"), "--entrypoint", "psql", PG, "-h", conn.get("host"), "-U", conn.get("username"),
                "-d", conn.get("database"), "-c", "BEGIN; LOCK TABLE t IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(120);").strip();
        await().atMost(WAIT).until(() -> psql(conn, "SELECT count(*) FROM pg_locks WHERE mode = 'AccessExclusiveLock' "
                + "AND relation = 't'::regclass").equals("1"));
        create(backup("stopped", "pgfail", spec -> {
            spec.setImmediate(true);
            spec.setTimeout("5m");
        }));
        await().atMost(WAIT).until(() -> psql(conn, "SELECT count(*) FROM pg_stat_activity "
                + "WHERE application_name = 'pg_dump'").equals("1"));
        // A database that is not Ready: the run is a failed run with the reason, not a log line.
        t.edit(StandaloneDatabase.class, "pgfail", d -> d.getSpec().setSuspend(true));
        ScheduledBackup stopped = awaitLastRun("stopped", "failed");
        assertThat(stopped.getStatus().getLastRun().getReason()).isIn("ToolFailed", "StreamFailed");
        assertThat(filesUnder(hostBase.resolve(NS).resolve("stopped"))).as("no copy, no .partial").isEmpty();
        t.dockerResult(1, "rm", "-f", locker2); // its session ended with the stopped database
        await().atMost(WAIT).until(() -> ready(fetchDb("pgfail")).map(c -> Berth.REASON_SUSPENDED.equals(c.getReason()))
                .orElse(false));
        create(backup("late", "pgfail", spec -> spec.setImmediate(true)));
        ScheduledBackup late = awaitLastRun("late", "failed");
        assertThat(late.getStatus().getLastRun().getReason()).isEqualTo("DatabaseNotReady");
        assertThat(ready(late)).map(Condition::getReason).contains("BackupFailed");

        String metrics = scrape(operator);
        for (String name : List.of("wrongkeys", "nodb", "slow", "late")) {
            assertThat(metrics).containsPattern("berth_backup_runs_total\\{[^}]*name=\"" + name
                    + "\"[^}]*result=\"failed\"[^}]*\\} 1\\.0");
        }
        assertThat(fetch("good").getStatus().getLastRun().getResult()).isEqualTo("succeeded");
        // Suspended from the start: no run, immediate or not.
        ScheduledBackup paused = fetch("paused");
        assertThat(paused.getStatus().getLastRun()).isNull();
        assertThat(ready(paused)).map(Condition::getReason).contains(Berth.REASON_SUSPENDED);
        assertThat(t.database.dsl().fetchCount(t.database.dsl().selectFrom("backup_executions")
                .where("scheduled_backup_id = ?::uuid", paused.getMetadata().getUid()))).isZero();
    }

    @Test
    void slotsMissedWhileTheOperatorWasDownAndTheRunItLeftAreClosedThenOneCatchUpRuns() throws Exception {
        BerthOperator first = t.startOperator(Map.of("BERTH_BACKUP_ON_TIME", "5s"));
        Map<String, String> conn = readyPostgres("pgcatch");
        psql(conn, "CREATE TABLE t (n int); INSERT INTO t SELECT generate_series(1, 100)");
        create(backup("every5", "pgcatch", spec -> {
            spec.setSchedule("*/5 * * * *");
            spec.setImmediate(true);
            spec.setDestination(bothDestinations());
            spec.getRetention().setKeepLast(1);
        }));
        String firstRun = awaitLastRun("every5", "succeeded").getStatus().getLastRun().getId();
        t.stopOperator(first);

        // What an operator killed mid-upload leaves: an open multipart upload, a .partial file (and, killed just
        // before its rename, the sha256 sidecar beside it), the dump still running in the container, and status
        // saying the run is going.
        UUID left = UUID.randomUUID();
        Instant started = Instant.now().minus(7, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.SECONDS);
        String fileName = new BackupName(started, left, "dump").fileName();
        String key = BackupName.directory("berth", NS, "every5") + fileName;
        String uploadId = s3admin.createMultipartUpload(b -> b.bucket(BUCKET).key(key)).uploadId();
        s3admin.uploadPart(b -> b.bucket(BUCKET).key(key).uploadId(uploadId).partNumber(1),
                RequestBody.fromBytes(new byte[5 * 1024 * 1024]));
        Path hostDir = Files.createDirectories(hostBase.resolve(NS).resolve("every5"));
        Files.writeString(hostDir.resolve(fileName + BackupName.PARTIAL_SUFFIX), "half a dump");
        Files.writeString(hostDir.resolve(fileName + ".sha256"), "0".repeat(64) + "  " + fileName + "\n");
        String container = fetchDb("pgcatch").getStatus().getContainerId();
        t.docker(1, "exec", "-d", "-e", BackupProcesses.MARKER + "=" + left, container, "sleep", "600");
        await().atMost(WAIT).until(() -> markedProcesses(container).equals("1"));
        t.client.resources(ScheduledBackup.class).inNamespace(NS).withName("every5").editStatus(b -> {
            b.getStatus().setLastScheduleTime(started.minus(13, ChronoUnit.MINUTES).toString());
            ScheduledBackupStatus.LastRun r = new ScheduledBackupStatus.LastRun();
            r.setId(left.toString());
            r.setResult("running");
            r.setTrigger("scheduled");
            r.setStartTime(started.toString());
            b.getStatus().setLastRun(r);
            return b;
        });

        // Not within the on-time window of a slot: then the newest slot would run on time instead of a catch-up.
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            Instant n = Instant.now();
            return n.getEpochSecond() % 300 >= 10 && n.getEpochSecond() % 300 <= 290;
        });
        t.startOperator(Map.of("BERTH_BACKUP_ON_TIME", "5s"));
        ScheduledBackup caught = awaitLastRun("every5", "succeeded");
        assertThat(caught.getStatus().getLastRun().getTrigger()).isEqualTo("catch-up");
        var interrupted = t.database.dsl().fetchOne("select status, reason, message from backup_executions "
                + "where id = ?::uuid", left.toString());
        assertThat(interrupted).isNotNull();
        assertThat(interrupted.get(0, String.class)).isEqualTo("failed");
        assertThat(interrupted.get(1, String.class)).isEqualTo("Interrupted");
        assertThat(s3admin.listMultipartUploads(b -> b.bucket(BUCKET)).uploads()).as("open uploads").isEmpty();
        assertThat(filesUnder(hostDir)).noneMatch(f -> f.endsWith(BackupName.PARTIAL_SUFFIX))
                .doesNotContain(fileName + ".sha256");
        assertThat(markedProcesses(container)).as("the left dump ended").isEqualTo("0");
        List<String> missed = t.database.dsl().fetch("select status from backup_executions where status = 'missed' "
                + "and scheduled_backup_id = ?::uuid", caught.getMetadata().getUid()).getValues(0, String.class);
        assertThat(missed).as("the slots between the last handled one and now").hasSizeGreaterThanOrEqualTo(3);
        assertThat(t.client.v1().events().inNamespace(NS).list().getItems()).anyMatch(e ->
                "BackupsMissed".equals(e.getReason()) && e.getMessage().contains("one catch-up run starts now"));
        assertThat(t.database.dsl().fetchCount(t.database.dsl().selectFrom("backup_executions")
                .where("scheduled_backup_id = ?::uuid and trigger_kind = 'catch-up'", caught.getMetadata().getUid())))
                .as("exactly one catch-up run").isEqualTo(1);
        // keepLast: 1 — the catch-up run's retention deleted the first run's copies, on its row.
        String deletions = t.database.dsl().fetchValue("select deletions from backup_executions where id = ?::uuid",
                firstRun).toString();
        assertThat(deletions).contains("s3://" + BUCKET + "/berth/" + NS + "/every5/").contains(":" + hostDir)
                .contains("deleted by retention (keepLast)");
        assertThat(filesUnder(hostDir)).filteredOn(f -> BackupName.parse(f).isPresent()).singleElement().asString()
                .contains(caught.getStatus().getLastRun().getId());
    }

    @Test
    void aSlotThatComesWhileARunIsStillGoingIsRecordedSkipped() throws Exception {
        // The operator's clock is set ahead just before the backup is made, so that its next minute comes within
        // seconds instead of up to a minute of waiting.
        AheadClock clock = new AheadClock();
        t.startOperator(Map.of(), clock);
        Map<String, String> conn = readyPostgres("pgskip");
        psql(conn, "CREATE TABLE t (n int); INSERT INTO t SELECT generate_series(1, 100)");
        String locker = t.docker(1, "run", "-d", "--label", IT_LABEL, "--network", "berth", "-e", "PGPASSWORD="
                + conn.get("password"), "--entrypoint", "psql", PG, "-h", conn.get("host"), "-U", conn.get("username"),
                "-d", conn.get("database"), "-c", "BEGIN; LOCK TABLE t IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(150);").strip();
        await().atMost(WAIT).until(() -> psql(conn, "SELECT count(*) FROM pg_locks WHERE mode = 'AccessExclusiveLock' "
                + "AND relation = 't'::regclass").equals("1"));
        // The immediate run waits on the lock; the next minute's slot comes while it is going.
        clock.nearTheNextMinute();
        create(backup("minutely", "pgskip", spec -> {
            spec.setSchedule("* * * * *");
            spec.setImmediate(true);
            spec.setTimeout("5m");
        }));
        String uid = fetch("minutely").getMetadata().getUid();
        await().atMost(Duration.ofSeconds(100)).until(() -> t.database.dsl().fetchCount(t.database.dsl()
                .selectFrom("backup_executions").where("scheduled_backup_id = ?::uuid and status = 'skipped'", uid)) >= 1);
        assertThat(fetch("minutely").getStatus().getLastRun().getResult()).isEqualTo("running");
        String message = t.database.dsl().fetchValue("select message from backup_executions where status = 'skipped' "
                + "and scheduled_backup_id = ?::uuid limit 1", uid).toString();
        assertThat(message).contains("was still going");
        release(locker, conn);
        ScheduledBackup done = awaitLastRun("minutely", "succeeded");
        assertThat(done.getStatus().getLastRun().getTrigger()).isEqualTo("immediate");
    }

    // --- helpers --------------------------------------------------------------------------------------------

    /**
     * The system clock, moved ahead once to 6 s before the next minute. Never by more than 50 s: the schedule counts
     * slots from the resource's creation time (the API server's clock), and a whole minute between the two would be a
     * slot missed.
     */
    static final class AheadClock extends java.time.Clock {
        private volatile Duration ahead = Duration.ZERO;

        void nearTheNextMinute() throws InterruptedException {
            long wanted = Math.floorMod(54_000 - System.currentTimeMillis() % 60_000, 60_000);
            if (wanted > 50_000) {
                Thread.sleep(10_000); // within 4 s after that point: ten seconds later it is 40-50 s ahead
                wanted = Math.floorMod(54_000 - System.currentTimeMillis() % 60_000, 60_000);
            }
            ahead = Duration.ofMillis(wanted);
            assertThat(ahead).isLessThanOrEqualTo(Duration.ofSeconds(50));
        }

        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public java.time.Clock withZone(java.time.ZoneId zone) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Instant instant() {
            return Instant.now().plus(ahead);
        }
    }

    /**
     * S3-compatible storage behind a private CA (s3proxy over HTTPS, its key signed by a CA made for this test): with
     * {@code endpointCA} naming the CA's certificate a run succeeds and a new database is restored from it; without it
     * the run fails saying where to name the CA; a Secret key holding no certificate fails the run saying so.
     */
    @Test
    void anEndpointBehindAPrivateCaIsUsedWithItsCaForBackupAndRestoreAndRefusedWithout() throws Exception {
        TestCa ca = TestCa.create(tlsDir, "company-ca");
        // The bucket: on s3proxy's filesystem backend, a directory.
        Files.createDirectories(tlsDir.resolve("s3").resolve(BUCKET));
        try (S3Proxy https = new S3Proxy(tlsDir.resolve("s3"),
                ca.serverKeyStore("s3proxy", "ip:127.0.0.1"), TestCa.PASSWORD);
             S3Storage admin = S3Storage.connect(https.endpoint(), "us-east-1", true, BUCKET, S3Proxy.ACCESS_KEY,
                     S3Proxy.SECRET_KEY, EndpointTrust.fromPem(ca.certificatePem()), S3Storage.PLAIN_BODIES)) {
            t.startOperator();
            Map<String, String> conn = readyPostgres("pgca");
            psql(conn, "CREATE TABLE t (n int); INSERT INTO t SELECT generate_series(1, 321)");
            secret("company-ca", Map.of("ca.crt", ca.certificatePem()));
            secret("not-a-ca", Map.of("ca.crt", "-----BEGIN CERTIFICATE-----\nbm90IGRlcg==\n-----END CERTIFICATE-----\n"));
            create(backup("privateca", "pgca", spec -> {
                spec.setImmediate(true);
                spec.setDestination(s3Only(https, new SecretKeyRef("company-ca", null)));
            }));
            create(backup("publiccas", "pgca", spec -> {
                spec.setImmediate(true);
                spec.setDestination(s3Only(https, null));
            }));
            create(backup("notaca", "pgca", spec -> {
                spec.setImmediate(true);
                spec.setDestination(s3Only(https, new SecretKeyRef("not-a-ca", "ca.crt")));
            }));

            ScheduledBackupStatus.LastRun ok = awaitLastRun("privateca", "succeeded").getStatus().getLastRun();
            String key = BackupName.directory("berth", NS, "privateca") + new BackupName(Instant.parse(ok.getStartTime()),
                    UUID.fromString(ok.getId()), "dump").fileName();
            assertThat(admin.expectedDigest(key)).contains(new BackupDigest(ok.getSha256(), ok.getSizeBytes()));

            ScheduledBackup refused = awaitLastRun("publiccas", "failed");
            assertThat(refused.getStatus().getLastRun().getReason()).isEqualTo("DestinationFailed");
            assertThat(refused.getStatus().getLastRun().getMessage()).contains(https.endpoint())
                    .contains("if a private CA signed it, name that CA's certificate in spec.destination.s3.endpointCA");
            assertThat(ready(refused)).map(Condition::getReason).contains("BackupFailed");
            assertThat(admin.list(BackupName.directory("berth", NS, "publiccas"))).isEmpty();

            ScheduledBackup notACa = awaitLastRun("notaca", "failed");
            assertThat(notACa.getStatus().getLastRun().getReason()).isEqualTo(BackupDestinations.INVALID_ENDPOINT_CA);
            assertThat(notACa.getStatus().getLastRun().getMessage()).startsWith("key ca.crt of Secret " + NS
                    + "/not-a-ca (spec.destination.s3.endpointCA) holds a certificate that cannot be read");
            assertThat(ready(notACa)).map(Condition::getReason).contains("BackupFailed");

            // A restore reads the same bucket through the same endpointCA.
            StandaloneDatabaseSpec.RestoreFrom from = new StandaloneDatabaseSpec.RestoreFrom();
            from.setBackupRef(new LocalRef("privateca"));
            Map<String, String> restored = readyPostgres("pgca-restored", from);
            assertThat(psql(restored, "SELECT count(*) FROM t")).isEqualTo("321");
            assertThat(fetchDb("pgca-restored").getStatus().getRestoredRunId()).isEqualTo(ok.getId());
        }
    }

    /**
     * {@code all: true} on PostgreSQL (pg_dumpall): the run is verified in a throwaway container, and a new database
     * restored from it has every database and role of the source, while its own login keeps its own password.
     */
    @Test
    void aWholeClusterBackupIsVerifiedAndRestoredWithEveryDatabaseAndRoleAndTheNewLoginsPassword() throws Exception {
        t.startOperator();
        Map<String, String> conn = readyPostgres("pgall");
        psql(conn, "CREATE TABLE t (n int, s text); INSERT INTO t SELECT i, md5(i::text) FROM generate_series(1, 2000) i");
        psql(conn, "CREATE DATABASE analytics");
        Map<String, String> analytics = new LinkedHashMap<>(conn);
        analytics.put("database", "analytics");
        psql(analytics, "CREATE TABLE events (id int); INSERT INTO events SELECT generate_series(1, 77)");
        psql(conn, "CREATE ROLE reporting LOGIN PASSWORD 'reporting-" + UUID.randomUUID() + "'; "
                + "GRANT SELECT ON t TO reporting");
        String fingerprint = psql(conn, "SELECT count(*) || '|' || md5(string_agg(s, ',' ORDER BY n)) FROM t");

        create(backup("cluster", "pgall", spec -> {
            spec.setImmediate(true);
            spec.setAll(true);
            spec.setVerify(true);
        }));
        ScheduledBackupStatus.LastRun run = awaitLastRun("cluster", "succeeded").getStatus().getLastRun();
        assertThat(run.getVerified()).isEqualTo("tables=1 rows=2000");

        StandaloneDatabaseSpec.RestoreFrom from = new StandaloneDatabaseSpec.RestoreFrom();
        from.setBackupRef(new LocalRef("cluster"));
        String otherPassword = "Other-pw-'\"$y " + UUID.randomUUID();
        Map<String, String> restored = readyPostgres("pgall-restored", from, otherPassword);
        assertThat(restored.get("password")).isEqualTo(otherPassword);
        // psql logs in with the restored database's own password: the source's hash was not restored over it.
        assertThat(psql(restored, "SELECT count(*) || '|' || md5(string_agg(s, ',' ORDER BY n)) FROM t"))
                .isEqualTo(fingerprint);
        Map<String, String> restoredAnalytics = new LinkedHashMap<>(restored);
        restoredAnalytics.put("database", "analytics");
        assertThat(psql(restoredAnalytics, "SELECT count(*) FROM events")).isEqualTo("77");
        assertThat(psql(restored, "SELECT has_table_privilege('reporting', 't', 'SELECT')")).isEqualTo("t");
        assertThat(fetchDb("pgall-restored").getStatus().getRestoredRunId()).isEqualTo(run.getId());
    }

    ScheduledBackupSpec.Destination s3Only(S3Proxy to, SecretKeyRef endpointCA) {
        ScheduledBackupSpec.Destination d = bothDestinations();
        d.setHost(null);
        d.getS3().setEndpoint(to.endpoint());
        d.getS3().setEndpointCA(endpointCA);
        return d;
    }

    /** A PostgreSQL database on bed host 1, Ready; its connection Secret. */
    Map<String, String> readyPostgres(String name) {
        return readyPostgres(name, null);
    }

    /** As {@link #readyPostgres(String)}, restored from {@code from} when it is given. */
    Map<String, String> readyPostgres(String name, StandaloneDatabaseSpec.RestoreFrom from) {
        return readyPostgres(name, from, password);
    }

    /** As {@link #readyPostgres(String, StandaloneDatabaseSpec.RestoreFrom)}, its login's password {@code pw}. */
    Map<String, String> readyPostgres(String name, StandaloneDatabaseSpec.RestoreFrom from, String pw) {
        if (t.client.resources(dev.berth.api.v1alpha1.Server.class).inNamespace(NS).withName("h1").get() == null) {
            t.server("h1", 1);
        }
        secret(name + "-login", Map.of("username", "app", "password", pw));
        StandaloneDatabase db = new StandaloneDatabase();
        db.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).build());
        StandaloneDatabaseSpec spec = new StandaloneDatabaseSpec();
        spec.setServerRef(new LocalRef("h1"));
        spec.setEngine(StandaloneDatabaseSpec.Engine.POSTGRESQL);
        spec.setImage(PG);
        spec.setCredentialsSecretRef(new LocalRef(name + "-login"));
        spec.setConfig(new LinkedHashMap<>());
        spec.setRestoreFrom(from);
        db.setSpec(spec);
        created.add(t.client.resource(db).create());
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> ready(fetchDb(name))
                .map(c -> Condition.TRUE.equals(c.getStatus())).orElse(false));
        await().atMost(WAIT).until(() -> t.client.secrets().inNamespace(NS).withName(name + "-connection").get() != null);
        Secret s = t.client.secrets().inNamespace(NS).withName(name + "-connection").get();
        Map<String, String> out = new LinkedHashMap<>();
        s.getData().forEach((k, v) -> out.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
        return out;
    }

    ScheduledBackupSpec.Destination bothDestinations() {
        ScheduledBackupSpec.Destination d = new ScheduledBackupSpec.Destination();
        ScheduledBackupSpec.S3Destination s3 = new ScheduledBackupSpec.S3Destination();
        s3.setEndpoint(proxy.endpoint());
        s3.setBucket(BUCKET);
        s3.setPrefix("berth");
        s3.setCredentialsSecretRef(new LocalRef("s3-keys"));
        d.setS3(s3);
        d.setHost(hostDestination());
        return d;
    }

    ScheduledBackupSpec.HostDestination hostDestination() {
        ScheduledBackupSpec.HostDestination h = new ScheduledBackupSpec.HostDestination();
        h.setPath(hostBase.toString());
        return h;
    }

    ScheduledBackup backup(String name, String database, Consumer<ScheduledBackupSpec> change) {
        ScheduledBackup b = new ScheduledBackup();
        b.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).build());
        ScheduledBackupSpec spec = new ScheduledBackupSpec();
        spec.setDatabaseRef(new LocalRef(database));
        spec.setSchedule("0 3 * * *");
        ScheduledBackupSpec.Destination d = new ScheduledBackupSpec.Destination();
        d.setHost(hostDestination());
        spec.setDestination(d);
        change.accept(spec);
        b.setSpec(spec);
        return b;
    }

    void create(ScheduledBackup b) {
        t.client.resource(b).create();
    }

    void secret(String name, Map<String, String> values) {
        Map<String, String> data = new LinkedHashMap<>();
        values.forEach((k, v) -> data.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
        t.client.resource(new SecretBuilder().withNewMetadata().withName(name).withNamespace(NS).endMetadata()
                .withData(data).build()).create();
    }

    ScheduledBackup fetch(String name) {
        return t.client.resources(ScheduledBackup.class).inNamespace(NS).withName(name).get();
    }

    StandaloneDatabase fetchDb(String name) {
        return t.client.resources(StandaloneDatabase.class).inNamespace(NS).withName(name).get();
    }

    static java.util.Optional<Condition> ready(dev.berth.api.v1alpha1.BerthStatus status) {
        return status == null ? java.util.Optional.empty() : status.condition(Berth.CONDITION_READY);
    }

    static java.util.Optional<Condition> ready(ScheduledBackup b) {
        return b == null ? java.util.Optional.empty() : ready(b.getStatus());
    }

    static java.util.Optional<Condition> ready(StandaloneDatabase d) {
        return d == null ? java.util.Optional.empty() : ready(d.getStatus());
    }

    ScheduledBackup awaitLastRun(String name, String result) {
        try {
            await().atMost(WAIT).pollInterval(Duration.ofMillis(250)).until(() -> {
                ScheduledBackup b = fetch(name);
                return b.getStatus() != null && b.getStatus().getLastRun() != null
                        && result.equals(b.getStatus().getLastRun().getResult());
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            ScheduledBackup b = fetch(name);
            throw new AssertionError("ScheduledBackup " + name + " never had a " + result + " run; last status: "
                    + (b == null ? null : b.getStatus()), e);
        }
        return fetch(name);
    }

    String psql(Map<String, String> conn, String sql) {
        return t.docker(1, "run", "--rm", "--label", IT_LABEL, "--network", "berth", "-e", "PGPASSWORD="
                + conn.get("password"), "--entrypoint", "psql", PG, "-v", "ON_ERROR_STOP=1", "-h", conn.get("host"),
                "-U", conn.get("username"), "-d", conn.get("database"), "-tAc", sql).strip();
    }

    /** Ends the session holding the lock (its backend would sleep on after its client went away). */
    void release(String locker, Map<String, String> conn) {
        t.dockerResult(1, "rm", "-f", locker);
        psql(conn, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE query LIKE '%pg_sleep%' "
                + "AND pid <> pg_backend_pid()");
    }

    String markedProcesses(String container) {
        return t.docker(1, "exec", container, "sh", "-c", "grep -l " + BackupProcesses.MARKER
                + " /proc/[0-9]*/environ 2>/dev/null | wc -l").strip();
    }

    static List<String> filesUnder(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> list = Files.list(dir)) {
            return list.map(p -> p.getFileName().toString()).toList();
        }
    }

    static String scrape(BerthOperator operator) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + operator.httpPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
