package dev.berth.controller.bench;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Volume;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import dev.berth.controller.backup.BackupDestinations;
import dev.berth.controller.backup.BackupName;
import dev.berth.controller.backup.BackupRun;
import dev.berth.controller.backup.BackupRunResult;
import dev.berth.controller.backup.DumpCommand;
import dev.berth.controller.backup.RestoreCommand;
import dev.berth.controller.backup.RestoreResult;
import dev.berth.controller.backup.RestoreRun;
import dev.berth.controller.backup.store.EndpointTrust;
import dev.berth.controller.backup.store.BackupDigest;
import dev.berth.controller.backup.store.BackupTarget;
import dev.berth.controller.backup.store.S3Proxy;
import dev.berth.controller.backup.store.S3Storage;
import dev.berth.controller.database.DatabaseEngine;
import dev.berth.controller.database.DatabaseLogin;
import dev.berth.controller.docker.SshDockerHost;
import dev.berth.controller.ssh.ExecResult;
import dev.berth.controller.ssh.HostKeyPolicy;
import dev.berth.controller.ssh.SshConnectionPool;
import dev.berth.controller.ssh.SshHostConnection;
import dev.berth.controller.ssh.SshKey;
import dev.berth.controller.ssh.SshSettings;
import dev.berth.controller.ssh.SshTarget;
import dev.berth.controller.testbed.TestBed;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;

/**
 * ScheduledBackup: streamed backup and restore (issue 11, "Benchmark"). One PostgreSQL 15 container on bed host 1 holds
 * two databases made with SQL ({@code generate_series}, md5 text of random numbers, so the dump does not compress to
 * nothing): {@code big} (heap at least SIZE MiB) and {@code small} (a quarter of that). For each, in this order:
 * <ol>
 *   <li><b>floor</b>: the same {@code pg_dump --format=custom} (Berth's own {@link DumpCommand}) inside the container
 *       writing to {@code /dev/null}, by {@code docker exec};</li>
 *   <li><b>docker exec stream</b>: the same dump, its stdout through dockerd to the docker CLI on the host (by SSH),
 *       to {@code /dev/null} there: what streaming a dump out by {@code docker exec} costs, whoever reads it;</li>
 *   <li><b>Berth</b>: {@link BackupRun} — the exec over SSH, streamed through this JVM to s3proxy by multipart upload
 *       ({@link BackupDestinations#targets}, as the runner makes them). While it runs: this JVM's VmRSS and heap every
 *       100 ms, the regular files it has open, and every 2 s the bytes ({@code du}) under the host's Docker data
 *       root (container layers, {@code /tmp} in the container, volumes) and under this JVM's {@code java.io.tmpdir};</li>
 *   <li><b>dump-then-upload</b> (the older tool's way): {@code docker exec … pg_dump > FILE} on the host (by SSH, the
 *       password on the exec's stdin), then a separate S3 client in a process of its own ({@link FileToS3Upload})
 *       uploads FILE;</li>
 *   <li><b>restore</b>: {@link RestoreRun} from the S3 object into a fresh database of a second container, against
 *       {@code pg_restore} with the same options reading the same dump from a file inside that container.</li>
 * </ol>
 * s3proxy runs as a separate process ({@link S3ProxyServer}), so this JVM's RSS is Berth's side only. A warm-up (three
 * backups and a restore of a 64 MiB database, not recorded) loads the classes and gets the hot paths of both JVMs
 * compiled first. Markdown on stdout, progress on stderr.
 *
 * <p>With ROUNDS (a third argument), only {@code big} is made, and each round times, on the same data, the floor and
 * three backups by {@link BackupRun} in alternating order: to s3proxy with Berth's S3 client, to s3proxy with the
 * SDK's aws-chunked bodies (Berth's client before {@link S3Storage#PLAIN_BODIES}), and to a destination that throws the
 * bytes away — what the exec, SSH, this JVM and the digest cost without any storage. Medians per kind.
 *
 * <pre>BERTH_TESTBED_ENV=… java -cp … dev.berth.controller.bench.BackupBenchmark SIZE_MIB WORK_DIR [ROUNDS]</pre>
 */
public final class BackupBenchmark {
    private static final String IMAGE = "berth-test/postgres:15";
    private static final String BUCKET = "backups";
    private static final Duration LONG = Duration.ofMinutes(60);
    private static final double MIB = 1024.0 * 1024.0;
    private static final int WARM_MIB = 64;
    private static final int WARM_RUNS = 3;

    private final TestBed.Host host;
    private final Path work;
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String password = HexFormat.of().formatHex(new SecureRandom().generateSeed(12));
    private final List<Runnable> cleanups = new ArrayList<>();
    private final Path dataRoot;
    private final Path jvmTmp = Path.of(System.getProperty("java.io.tmpdir"));
    private DockerClient local;
    private SshConnectionPool pool;
    private SshHostConnection ssh;
    private SshDockerHost docker;
    private Process s3proxy;
    private String endpoint;
    private S3Storage s3;
    private String source;
    private String target;

    private BackupBenchmark(TestBed.Host host, Path work) {
        this.host = host;
        this.work = work;
        // The bed keeps each host's dockerd data next to its socket (scripts/testbed.sh).
        this.dataRoot = Path.of(host.localDockerHost().replaceFirst("^unix://", "")).resolveSibling("data");
    }

    public static void main(String[] args) throws Exception {
        int sizeMib = args.length > 0 ? Integer.parseInt(args[0]) : 1024;
        Path work = Path.of(args.length > 1 ? args[1] : Files.createTempDirectory("bench-backups").toString());
        BackupBenchmark bench = new BackupBenchmark(TestBed.get().host(1), work);
        try {
            bench.setUp();
            List<Result> results = new ArrayList<>();
            bench.warmUp();
            if (args.length > 2) {
                bench.rounds(sizeMib, Integer.parseInt(args[2]));
                return;
            }
            results.add(bench.measure("small", Math.max(1, sizeMib / 4)));
            results.add(bench.measure("big", sizeMib));
            print(results);
        } finally {
            bench.tearDown();
        }
        System.exit(0);
    }

    // --- set-up -------------------------------------------------------------------------------------------------

    private void setUp() throws Exception {
        local = DockerClientImpl.getInstance(DefaultDockerClientConfig.createDefaultConfigBuilder()
                .withDockerHost(host.localDockerHost()).build(), new ZerodepDockerHttpClient.Builder()
                .dockerHost(URI.create(host.localDockerHost())).build());
        pool = new SshConnectionPool(new SimpleMeterRegistry(), SshSettings.defaults());
        ssh = pool.connection(new SshTarget("bench/backups", host.address(), host.port(), host.user(),
                SshKey.load(host.privateKey(), null), HostKeyPolicy.pinned(host.hostKeyFingerprint()), 8));
        docker = SshDockerHost.on(ssh, host.remoteDockerSocket(), new SimpleMeterRegistry());
        startS3Proxy();
        try (S3Client admin = S3Client.builder().endpointOverride(URI.create(endpoint)).region(Region.US_EAST_1)
                .forcePathStyle(true).credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(S3Proxy.ACCESS_KEY, S3Proxy.SECRET_KEY))).build()) {
            admin.createBucket(b -> b.bucket(BUCKET));
        }
        s3 = S3Storage.connect(endpoint, "us-east-1", true, BUCKET, S3Proxy.ACCESS_KEY, S3Proxy.SECRET_KEY);
        source = startPostgres("src", "big");
        target = startPostgres("restore", "restore");
        psql(source, "big", "CREATE DATABASE small");
        psql(source, "big", "CREATE DATABASE warm");
    }

    private void startS3Proxy() throws IOException {
        Path dir = Files.createDirectories(work.resolve("s3"));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path")));
        Optional.ofNullable(System.getProperty("logback.configurationFile"))
                .ifPresent(l -> cmd.add("-Dlogback.configurationFile=" + l));
        cmd.addAll(List.of(S3ProxyServer.class.getName(), dir.toString()));
        Optional.ofNullable(System.getProperty("bench.s3.keystore")).ifPresent(k -> cmd.addAll(List.of(k,
                System.getProperty("javax.net.ssl.trustStorePassword"))));
        s3proxy = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(s3proxy.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null && !line.startsWith("endpoint=")) {
            // s3proxy's own start-up lines
        }
        if (line == null) {
            throw new IllegalStateException("s3proxy did not start");
        }
        endpoint = line.substring("endpoint=".length());
    }

    private String startPostgres(String role, String database) {
        DatabaseEngine engine = DatabaseEngine.POSTGRESQL;
        DatabaseLogin login = login(database);
        String volume = "berth-bench-" + run + "-" + role;
        String id = local.createContainerCmd(IMAGE).withName("berth-bench-pg-" + run + "-" + role)
                .withEnv(engine.environment(login).entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                        .toList())
                .withCmd(engine.command(Map.of()))
                .withHostConfig(HostConfig.newHostConfig().withBinds(new Bind(volume,
                        new Volume(engine.dataDirectory(IMAGE)))))
                .exec().getId();
        cleanups.add(() -> local.removeVolumeCmd(volume).exec());
        cleanups.add(() -> local.removeContainerCmd(id).withForce(true).exec());
        local.startContainerCmd(id).exec();
        var check = engine.readiness(login);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (docker.exec(id, check.command(), check.envEntries(), null, OutputStream.nullOutputStream(),
                OutputStream.nullOutputStream(), Duration.ofSeconds(30)) != 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("PostgreSQL in " + role + " not ready within 5 min");
            }
            pause(250);
        }
        return id;
    }

    private DatabaseLogin login(String database) {
        return new DatabaseLogin("bench", password, database);
    }

    private void tearDown() {
        for (int i = cleanups.size() - 1; i >= 0; i--) {
            try {
                cleanups.get(i).run();
            } catch (RuntimeException e) {
                System.err.println("bench-backups: clean-up: " + e.getMessage());
            }
        }
        for (AutoCloseable c : new AutoCloseable[] {s3, docker, pool, local}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                System.err.println("bench-backups: closing: " + e.getMessage());
            }
        }
        if (s3proxy != null) {
            s3proxy.destroy();
            try {
                s3proxy.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // --- the data -----------------------------------------------------------------------------------------------

    /** Rows of two 128-character md5 texts of random numbers; inserted in batches until the heap holds {@code mib}. */
    private long fill(String database, int mib) throws Exception {
        long start = System.nanoTime();
        psql(source, database, "CREATE TABLE rows (id bigint PRIMARY KEY, a text, b text)");
        long rows = 0;
        long batch = 50_000;
        long goal = (long) mib * 1024 * 1024;
        while (true) {
            psql(source, database, ("INSERT INTO rows SELECT g, md5(random()::text) || md5(random()::text) || "
                    + "md5(random()::text) || md5(random()::text), md5(random()::text) || md5(random()::text) || "
                    + "md5(random()::text) || md5(random()::text) FROM generate_series(%d, %d) g")
                    .formatted(rows + 1, rows + batch));
            rows += batch;
            long size = Long.parseLong(psql(source, database, "SELECT pg_relation_size('rows')").strip());
            if (size >= goal) {
                break;
            }
            // Next batch: what is left, at most 1M rows (one psql each, well inside the exec's idle timeout).
            batch = Math.max(10_000, Math.min(1_000_000, (long) Math.ceil((goal - size) / ((double) size / rows))
                    + 1000));
            System.err.printf(Locale.ROOT, "bench-backups: %s: %d rows, %.0f MiB%n", database, rows, size / MIB);
        }
        psql(source, database, "VACUUM ANALYZE rows");
        psql(source, database, "CHECKPOINT");
        System.err.printf(Locale.ROOT, "bench-backups: %s filled: %d rows in %.0f s%n", database, rows,
                (System.nanoTime() - start) / 1e9);
        return rows;
    }

    // --- the measurements ---------------------------------------------------------------------------------------

    /**
     * Brings both JVMs (this one and s3proxy's) to the state of a running operator before anything is timed: a database
     * of the measured shape ({@value #WARM_MIB} MiB, a dump of ~{@value #WARM_MIB}/2 MB) backed up {@value #WARM_RUNS}
     * times and restored once, so that the per-byte paths (SSH decryption, the Docker stream, the digest, TLS) are
     * compiled by C2. With the 20 000-row warm-up used to run 16, the first timed backup compiled them itself: this
     * JVM took 20-37 % of the machine for its first 5 s, against 7-10 % after (a JFR profile of a 512 MiB round).
     */
    private void warmUp() throws Exception {
        fill("warm", WARM_MIB);
        DumpCommand dump = DumpCommand.of(DatabaseEngine.POSTGRESQL, login("warm"), false);
        BackupRunResult r = null;
        BackupName name = null;
        for (int i = 0; i < WARM_RUNS; i++) {
            name = new BackupName(Instant.now(), UUID.randomUUID(), dump.extension());
            r = berthBackup("warm", dump, name, null).result;
        }
        restoreBerth("warm", "r_warm", r, name);
        System.err.println("bench-backups: warm-up done");
    }

    private Result measure(String database, int mib) throws Exception {
        Result out = new Result();
        out.database = database;
        out.rows = fill(database, mib);
        out.databaseBytes = Long.parseLong(psql(source, database, "SELECT pg_database_size(current_database())")
                .strip());
        DumpCommand dump = DumpCommand.of(DatabaseEngine.POSTGRESQL, login(database), false);

        // (b) the floor
        Cpu cpu = new Cpu(s3proxy.pid());
        out.floorSeconds = floor(dump);
        out.floorCpu = cpu.stop();
        System.err.printf(Locale.ROOT, "bench-backups: %s floor %.1f s%n", database, out.floorSeconds);

        // (b') Docker's own exec stream: the same dump's stdout out of the container through dockerd to the docker CLI
        // on the host, thrown away there — what any design that streams a dump out by docker exec pays, Berth or not.
        String dumpArgs = dump.command().stream().map(a -> "'" + a + "'").collect(Collectors.joining(" "));
        long t0 = System.nanoTime();
        ExecResult cli = ssh.exec("docker exec -i " + source + " sh -c 'IFS= read -r PGPASSWORD; export PGPASSWORD; "
                + "exec \"$@\"' dump " + dumpArgs + " > /dev/null",
                new ByteArrayInputStream((password + "\n").getBytes(StandardCharsets.UTF_8)),
                OutputStream.nullOutputStream(), System.err, LONG);
        out.cliSeconds = (System.nanoTime() - t0) / 1e9;
        check(cli.succeeded(), "the CLI's dump exited " + cli.exitStatus());
        System.err.printf(Locale.ROOT, "bench-backups: %s docker exec stream to /dev/null %.1f s%n", database,
                out.cliSeconds);

        // (a) Berth
        BackupName name = new BackupName(Instant.now(), UUID.randomUUID(), dump.extension());
        Watch watch = new Watch();
        cpu = new Cpu(s3proxy.pid());
        Backup b = berthBackup(database, dump, name, watch);
        out.berthCpu = cpu.stop();
        check(b.result.succeeded(), "Berth's backup failed: " + b.result.failure().orElse(""));
        out.berth = b;
        out.dumpBytes = b.result.sizeBytes();
        System.err.printf(Locale.ROOT, "bench-backups: %s Berth %.1f s, %d bytes%n", database, b.seconds,
                out.dumpBytes);

        // (c) dump to a file on the host, then upload it with a separate client
        Path file = work.resolve("dump-" + database + ".dump");
        String args = dumpArgs;
        t0 = System.nanoTime();
        ExecResult er = ssh.exec("docker exec -i " + source + " sh -c 'IFS= read -r PGPASSWORD; export PGPASSWORD; "
                + "exec \"$@\"' dump " + args + " > '" + file + "'",
                new ByteArrayInputStream((password + "\n").getBytes(StandardCharsets.UTF_8)),
                OutputStream.nullOutputStream(), System.err, LONG);
        out.fileDumpSeconds = (System.nanoTime() - t0) / 1e9;
        check(er.succeeded(), "the file dump exited " + er.exitStatus());
        out.fileBytes = Files.size(file);
        t0 = System.nanoTime();
        out.uploadSeconds = upload(file, "older-tool/" + name.fileName()) / 1000.0;
        out.uploadProcessSeconds = (System.nanoTime() - t0) / 1e9;
        Files.delete(file);
        System.err.printf(Locale.ROOT, "bench-backups: %s dump-then-upload %.1f + %.1f s%n", database,
                out.fileDumpSeconds, out.uploadSeconds);

        // restore: Berth from S3, the floor from a file inside the container
        Watch restoreWatch = new Watch();
        restoreWatch.start();
        t0 = System.nanoTime();
        RestoreResult rr = restoreBerth(database, "r_berth_" + database, b.result, name);
        out.berthRestoreSeconds = (System.nanoTime() - t0) / 1e9;
        restoreWatch.stop();
        out.restoreWatch = restoreWatch;
        check(rr.succeeded(), "Berth's restore failed: " + rr.failure().orElse(""));
        double[] floorRestore = restoreFloor(database, "r_floor_" + database, name, dump);
        out.copySeconds = floorRestore[0];
        out.floorRestoreSeconds = floorRestore[1];
        String want = Long.toString(out.rows);
        check(psql(target, "r_berth_" + database, "SELECT count(*) FROM rows").strip().equals(want)
                && psql(target, "r_floor_" + database, "SELECT count(*) FROM rows").strip().equals(want),
                "a restored database lacks rows");
        System.err.printf(Locale.ROOT, "bench-backups: %s restore Berth %.1f s, pg_restore %.1f s%n", database,
                out.berthRestoreSeconds, out.floorRestoreSeconds);
        // The restored copies are not needed any more: give the disk back before the next size.
        psql(target, "restore", "DROP DATABASE r_berth_" + database);
        psql(target, "restore", "DROP DATABASE r_floor_" + database);
        return out;
    }

    /** The floor: Berth's own dump command inside the container, to /dev/null; its wall time in s. */
    private double floor(DumpCommand dump) {
        List<String> command = new ArrayList<>(List.of("sh", "-c", "exec \"$@\" >/dev/null", "floor"));
        command.addAll(dump.command());
        long t0 = System.nanoTime();
        long code = docker.exec(source, command, dump.envEntries(), null, OutputStream.nullOutputStream(),
                OutputStream.nullOutputStream(), LONG);
        double seconds = (System.nanoTime() - t0) / 1e9;
        check(code == 0, "the floor's pg_dump exited " + code);
        return seconds;
    }

    /** The same data, backed up by each kind in turn (the order alternating per round); prints times and medians. */
    private void rounds(int mib, int rounds) throws Exception {
        fill("big", mib);
        DumpCommand dump = DumpCommand.of(DatabaseEngine.POSTGRESQL, login("big"), false);
        S3Storage chunked = S3Storage.connect(endpoint, "us-east-1", true, BUCKET, S3Proxy.ACCESS_KEY,
                S3Proxy.SECRET_KEY, EndpointTrust.PUBLIC_CAS, S3Configuration.builder().build());
        cleanups.add(chunked::close);
        List<String> kinds = List.of("floor", "Berth to S3", "Berth to S3, aws-chunked bodies",
                "Berth, bytes discarded");
        Map<String, List<Double>> seconds = new LinkedHashMap<>();
        kinds.forEach(k -> seconds.put(k, new ArrayList<>()));
        for (int i = 0; i < rounds; i++) {
            seconds.get("floor").add(floor(dump));
            List<String> order = new ArrayList<>(kinds.subList(1, kinds.size()));
            if (i % 2 == 1) {
                Collections.reverse(order);
            }
            for (String kind : order) {
                BackupName name = new BackupName(Instant.now(), UUID.randomUUID(), dump.extension());
                List<BackupTarget> targets = kind.endsWith("discarded") ? List.of(new DiscardingTarget())
                        : List.copyOf(BackupDestinations.of(Optional.of(kind.endsWith("bodies") ? chunked : s3),
                                "rounds/", Optional.empty()).targets(name, Map.of(), LONG));
                long t0 = System.nanoTime();
                BackupRunResult r = new BackupRun(docker, Clock.systemUTC()).run(source, dump, name, targets, LONG);
                seconds.get(kind).add((System.nanoTime() - t0) / 1e9);
                check(r.succeeded(), kind + ": the backup failed: " + r.failure().orElse(""));
            }
            System.err.printf(Locale.ROOT, "bench-backups: round %d: %s%n", i + 1, seconds.entrySet().stream()
                    .map(e -> e.getKey() + " " + String.format(Locale.ROOT, "%.2f", e.getValue().get(e.getValue()
                            .size() - 1))).collect(Collectors.joining(", ")));
        }
        double floorMedian = median(seconds.get("floor"));
        System.out.printf(Locale.ROOT, "Rounds: %d, database big (%s MiB heap), the order of the backups alternating; "
                + "wall time in s%n%n", rounds, mib);
        System.out.println("| kind | each round | median | floor / kind (throughput vs the floor) |");
        System.out.println("|---|---|---:|---:|");
        seconds.forEach((kind, times) -> System.out.printf(Locale.ROOT, "| %s | %s | %.2f | %.2f× |%n", kind,
                times.stream().map(t -> String.format(Locale.ROOT, "%.2f", t)).collect(Collectors.joining(", ")),
                median(times), floorMedian / median(times)));
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /** A destination that keeps nothing: what a backup costs before any storage. */
    private static final class DiscardingTarget implements BackupTarget {
        @Override
        public String location() {
            return "nowhere";
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            // thrown away
        }

        @Override
        public void commit(BackupDigest digest) {
            // nothing to confirm
        }

        @Override
        public void abort() {
            // nothing written
        }
    }

    private Backup berthBackup(String database, DumpCommand dump, BackupName name, Watch watch) {
        BackupDestinations destinations = BackupDestinations.of(Optional.of(s3), "bench/" + database + "/",
                Optional.empty());
        List<TimedTarget> targets = destinations.targets(name, Map.of("berth-run-id", name.runId().toString(),
                "berth-engine", "postgresql"), LONG).stream().map(TimedTarget::new).toList();
        Backup b = new Backup();
        b.key = "bench/" + database + "/" + name.fileName();
        if (watch != null) {
            watch.start();
        }
        long t0 = System.nanoTime();
        b.result = new BackupRun(docker, Clock.systemUTC()).run(source, dump, name, List.copyOf(targets), LONG);
        b.seconds = (System.nanoTime() - t0) / 1e9;
        if (watch != null) {
            watch.stop();
        }
        b.watch = watch;
        b.target = targets.get(0);
        b.t0 = t0;
        return b;
    }

    private RestoreResult restoreBerth(String database, String into, BackupRunResult backup, BackupName name)
            throws Exception {
        psql(target, "restore", "CREATE DATABASE " + into);
        RestoreCommand restore = RestoreCommand.of(DatabaseEngine.POSTGRESQL, login(into), "dump").orElseThrow();
        try (InputStream in = s3.read("bench/" + database + "/" + name.fileName())) {
            return new RestoreRun(docker).run(target, restore, in,
                    new BackupDigest(backup.sha256(), backup.sizeBytes()), LONG);
        }
    }

    /** pg_restore with Berth's options, reading the same dump from a file in the container (copied there untimed). */
    private double[] restoreFloor(String database, String into, BackupName name, DumpCommand dump) throws Exception {
        psql(target, "restore", "CREATE DATABASE " + into);
        String file = "/tmp/bench-" + run + ".dump";
        long c0 = System.nanoTime();
        try (InputStream in = s3.read("bench/" + database + "/" + name.fileName())) {
            check(docker.exec(target, List.of("sh", "-c", "cat > " + file), List.of(), in,
                    OutputStream.nullOutputStream(), System.err, LONG) == 0, "copying the dump into the container");
        }
        double copySeconds = (System.nanoTime() - c0) / 1e9;
        RestoreCommand restore = RestoreCommand.of(DatabaseEngine.POSTGRESQL, login(into), "dump").orElseThrow();
        List<String> cmd = new ArrayList<>(restore.command());
        cmd.add(file);
        long t0 = System.nanoTime();
        long code = docker.exec(target, cmd, restore.envEntries(), null, OutputStream.nullOutputStream(), System.err,
                LONG);
        double seconds = (System.nanoTime() - t0) / 1e9;
        check(code == 0, "pg_restore from the file exited " + code);
        docker.exec(target, List.of("rm", "-f", file), OutputStream.nullOutputStream(), System.err,
                Duration.ofMinutes(1));
        return new double[] {copySeconds, seconds};
    }

    /** Runs {@link FileToS3Upload} as its own process; returns the upload's own time in ms. */
    private long upload(Path file, String key) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Dlogback.configurationFile="
                        + System.getProperty("logback.configurationFile", "")));
        for (String trust : List.of("javax.net.ssl.trustStore", "javax.net.ssl.trustStorePassword")) {
            Optional.ofNullable(System.getProperty(trust)).ifPresent(v -> cmd.add("-D" + trust + "=" + v));
        }
        cmd.addAll(List.of(FileToS3Upload.class.getName(), endpoint, BUCKET, key, file.toString()));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        check(p.waitFor() == 0, "the upload process failed");
        return out.lines().filter(l -> l.startsWith("uploadMs=")).mapToLong(l -> Long.parseLong(l.substring(9)))
                .findFirst().orElseThrow();
    }

    private String psql(String container, String database, String sql) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        long code = docker.exec(container, List.of("psql", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-U", "bench",
                "-d", database, "-tAc", sql), List.of("PGPASSWORD=" + password), null, out, err, Duration.ofMinutes(30));
        check(code == 0, "psql: " + err.toString(StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException(what);
        }
    }

    private static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // --- what is watched during a run ---------------------------------------------------------------------------

    /**
     * Every 100 ms: VmRSS and heap used of this JVM, and the regular files it has open; every 2 s the bytes under
     * the host's Docker data root and under {@code java.io.tmpdir}. Before, peak and after.
     */
    private final class Watch implements Runnable {
        private final Set<String> filesBefore = openFiles();
        private final Set<String> newFiles = new ConcurrentSkipListSet<>();
        private volatile boolean running;
        private Thread thread;
        long rssBefore;
        volatile long rssPeak;
        long heapBefore;
        volatile long heapPeak;
        long dataBefore;
        volatile long dataPeak;
        long dataAfter;
        long tmpBefore;
        volatile long tmpPeak;
        long tmpAfter;

        void start() {
            rssBefore = vmRssKib();
            heapBefore = heapUsed();
            dataBefore = du(dataRoot);
            tmpBefore = du(jvmTmp);
            rssPeak = rssBefore;
            heapPeak = heapBefore;
            dataPeak = dataBefore;
            tmpPeak = tmpBefore;
            running = true;
            thread = new Thread(this, "bench-watch");
            thread.setDaemon(true);
            thread.start();
        }

        void stop() {
            running = false;
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            dataAfter = du(dataRoot);
            tmpAfter = du(jvmTmp);
        }

        @Override
        public void run() {
            int tick = 0;
            while (running) {
                rssPeak = Math.max(rssPeak, vmRssKib());
                heapPeak = Math.max(heapPeak, heapUsed());
                for (String f : openFiles()) {
                    if (!filesBefore.contains(f)) {
                        newFiles.add(f);
                    }
                }
                if (tick++ % 20 == 0) { // du walks the data root: every 2 s, not to load the run it watches
                    dataPeak = Math.max(dataPeak, du(dataRoot));
                    tmpPeak = Math.max(tmpPeak, du(jvmTmp));
                }
                pause(100);
            }
        }

        Set<String> newFiles() {
            return new TreeSet<>(newFiles);
        }
    }

    static long vmRssKib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return -1;
    }

    static long heapUsed() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** Regular files this JVM has open, jars and libraries left out. */
    static Set<String> openFiles() {
        Set<String> out = new TreeSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    String to = Files.readSymbolicLink(fd).toString();
                    if (to.startsWith("/") && !to.startsWith("/proc/") && !to.startsWith("/dev/")
                            && !to.startsWith("/sys/") && !to.endsWith(".jar") && !to.endsWith(".so")
                            && !to.contains("/jvm/") && !to.endsWith("/modules")) {
                        out.add(to);
                    }
                } catch (IOException e) {
                    // closed meanwhile
                }
            }
        } catch (IOException e) {
            // no /proc: nothing to say
        }
        return out;
    }

    /** Bytes on disk under {@code dir} ({@code du -sB1}); -1 if it cannot be read. */
    static long du(Path dir) {
        try {
            Process p = new ProcessBuilder("du", "-sB1", dir.toString()).redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            return Long.parseLong(out.split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /**
     * The S3 copy, timed: first and last byte in, and how long its commit took (complete + the sha256 object beside
     * it).
     */
    private static final class TimedTarget implements BackupTarget {
        private final BackupTarget delegate;
        volatile long firstWrite;
        volatile long lastWrite;
        volatile long commitStart;
        volatile long commitEnd;

        TimedTarget(BackupTarget delegate) {
            this.delegate = delegate;
        }

        @Override
        public String location() {
            return delegate.location();
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            if (firstWrite == 0) {
                firstWrite = System.nanoTime();
            }
            delegate.write(bytes, offset, length);
            lastWrite = System.nanoTime();
        }

        @Override
        public void commit(BackupDigest digest) throws IOException {
            commitStart = System.nanoTime();
            try {
                delegate.commit(digest);
            } finally {
                commitEnd = System.nanoTime();
            }
        }

        @Override
        public void abort() {
            delegate.abort();
        }
    }

    /**
     * CPU seconds spent while a run goes: this JVM, the s3proxy process and the whole machine (all processes, every
     * engineer's: the machine is shared), from /proc (clock ticks of 1/100 s).
     */
    private static final class Cpu {
        private final long proxyPid;
        private final long jvm0;
        private final long proxy0;
        private final long machine0;

        Cpu(long proxyPid) {
            this.proxyPid = proxyPid;
            jvm0 = processTicks(ProcessHandle.current().pid());
            proxy0 = processTicks(proxyPid);
            machine0 = machineBusyTicks();
        }

        /** {jvm, s3proxy, machine} CPU seconds since construction. */
        double[] stop() {
            return new double[] {(processTicks(ProcessHandle.current().pid()) - jvm0) / 100.0,
                    (processTicks(proxyPid) - proxy0) / 100.0, (machineBusyTicks() - machine0) / 100.0};
        }

        static long processTicks(long pid) {
            try {
                String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14, 15)
            } catch (IOException | RuntimeException e) {
                return 0;
            }
        }

        static long machineBusyTicks() {
            try {
                String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
                long busy = 0;
                for (int i = 1; i < f.length && i <= 7; i++) {
                    if (i != 4 && i != 5) { // idle, iowait (steal, 8, not counted)
                        busy += Long.parseLong(f[i]);
                    }
                }
                return busy;
            } catch (IOException | RuntimeException e) {
                return 0;
            }
        }
    }

    // --- the report ---------------------------------------------------------------------------------------------

    private static final class Backup {
        BackupRunResult result;
        double seconds;
        long t0;
        String key;
        Watch watch;
        TimedTarget target;
    }

    private static final class Result {
        String database;
        long rows;
        long databaseBytes;
        long dumpBytes;
        double floorSeconds;
        double cliSeconds;
        Backup berth;
        double fileDumpSeconds;
        long fileBytes;
        double uploadSeconds;
        double uploadProcessSeconds;
        double berthRestoreSeconds;
        double floorRestoreSeconds;
        double copySeconds;
        double[] floorCpu;
        double[] berthCpu;
        Watch restoreWatch;
    }

    private static void print(List<Result> results) {
        System.out.println("| database | rows | pg_database_size (MiB) | dump (MiB, custom format) |");
        System.out.println("|---|---:|---:|---:|");
        for (Result r : results) {
            System.out.printf(Locale.ROOT, "| %s | %d | %.0f | %.1f |%n", r.database, r.rows, r.databaseBytes / MIB,
                    r.dumpBytes / MIB);
        }
        System.out.println();
        System.out.println("Backup: wall time in s; throughput in MiB of dump per s (and MiB of database per s)");
        System.out.println();
        System.out.println("| database | floor: pg_dump > /dev/null in the container | Berth: BackupRun to S3 "
                + "(streamed) | Berth / floor throughput | older way: dump to a host file | + upload (separate "
                + "client) | = dump-then-upload | Berth / dump-then-upload time |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|");
        for (Result r : results) {
            double older = r.fileDumpSeconds + r.uploadSeconds;
            System.out.printf(Locale.ROOT, "| %s | %.2f s (%.1f; %.1f) | %.2f s (%.1f; %.1f) | %.2f× | %.2f s | "
                            + "%.2f s (process %.2f s) | %.2f s (%.1f; %.1f) | %.2f× |%n",
                    r.database, r.floorSeconds, r.dumpBytes / MIB / r.floorSeconds, r.databaseBytes / MIB / r.floorSeconds,
                    r.berth.seconds, r.dumpBytes / MIB / r.berth.seconds, r.databaseBytes / MIB / r.berth.seconds,
                    r.floorSeconds / r.berth.seconds, r.fileDumpSeconds, r.uploadSeconds, r.uploadProcessSeconds,
                    older, r.dumpBytes / MIB / older, r.databaseBytes / MIB / older, r.berth.seconds / older);
        }
        System.out.println();
        System.out.println("Docker's own exec stream: the same pg_dump, its stdout through dockerd to the docker CLI "
                + "on the host, to /dev/null (no Berth, no SSH, no S3) — the most any docker-exec streaming can do here");
        System.out.println();
        System.out.println("| database | floor | docker exec stream | stream / floor throughput | Berth | Berth / "
                + "stream throughput |");
        System.out.println("|---|---:|---:|---:|---:|---:|");
        for (Result r : results) {
            System.out.printf(Locale.ROOT, "| %s | %.2f s | %.2f s | %.2f× | %.2f s | %.2f× |%n", r.database,
                    r.floorSeconds, r.cliSeconds, r.floorSeconds / r.cliSeconds, r.berth.seconds,
                    r.cliSeconds / r.berth.seconds);
        }
        System.out.println();
        System.out.println("Berth's run, inside: exec start → first byte at S3 target, → last byte, commit "
                + "(complete multipart + the sha256 object beside it), in s");
        System.out.println();
        System.out.println("| database | → first byte | → last byte | commit | S3 parts (5 MiB) |");
        System.out.println("|---|---:|---:|---:|---:|");
        for (Result r : results) {
            TimedTarget t = r.berth.target;
            System.out.printf(Locale.ROOT, "| %s | %.2f | %.2f | %.2f | %d |%n", r.database,
                    (t.firstWrite - r.berth.t0) / 1e9, (t.lastWrite - r.berth.t0) / 1e9,
                    (t.commitEnd - t.commitStart) / 1e9, (r.dumpBytes + S3Storage.MIN_PART_SIZE - 1)
                            / S3Storage.MIN_PART_SIZE);
        }
        System.out.println();
        System.out.println("CPU seconds during the run (the machine's 2 cores give 2 CPU-s per s of wall time; "
                + "machine = every process, other engineers' included)");
        System.out.println();
        System.out.println("| database | run | wall (s) | this JVM | s3proxy | machine | machine busy |");
        System.out.println("|---|---|---:|---:|---:|---:|---:|");
        for (Result r : results) {
            System.out.printf(Locale.ROOT, "| %s | floor | %.1f | %.1f | %.1f | %.1f | %.0f%% |%n", r.database,
                    r.floorSeconds, r.floorCpu[0], r.floorCpu[1], r.floorCpu[2], 50 * r.floorCpu[2] / r.floorSeconds);
            System.out.printf(Locale.ROOT, "| %s | Berth | %.1f | %.1f | %.1f | %.1f | %.0f%% |%n", r.database,
                    r.berth.seconds, r.berthCpu[0], r.berthCpu[1], r.berthCpu[2],
                    50 * r.berthCpu[2] / r.berth.seconds);
        }
        System.out.println();
        System.out.println("Memory of this JVM (MiB) and bytes on disk during Berth's backup and restore");
        System.out.println();
        System.out.println("| database | run | VmRSS before → peak (growth) | heap used before → peak | Docker data "
                + "root: peak − before, after − before (bytes) | java.io.tmpdir: peak − before (bytes) | files the JVM "
                + "opened | older way's file on the host (bytes) |");
        System.out.println("|---|---|---:|---:|---:|---:|---|---:|");
        for (Result r : results) {
            row(r.database, "backup", r.berth.watch, String.format(Locale.ROOT, "%d", r.fileBytes));
            row(r.database, "restore", r.restoreWatch, "–");
        }
        System.out.println();
        System.out.println("Restore (s): Berth = RestoreRun from the S3 object into a fresh database; floor = "
                + "pg_restore (same options) from the same dump as a file in the container");
        System.out.println();
        System.out.println("| database | Berth | floor | Berth / floor | (not in the floor: copying the dump from S3 "
                + "into the container) |");
        System.out.println("|---|---:|---:|---:|---:|");
        for (Result r : results) {
            System.out.printf(Locale.ROOT, "| %s | %.2f | %.2f | %.2f× | %.2f |%n", r.database, r.berthRestoreSeconds,
                    r.floorRestoreSeconds, r.berthRestoreSeconds / r.floorRestoreSeconds, r.copySeconds);
        }
    }

    private static void row(String database, String what, Watch w, String file) {
        System.out.printf(Locale.ROOT, "| %s | %s | %.0f → %.0f (**%+.0f**) | %.0f → %.0f | %+d, %+d | %+d | %s | %s |%n",
                database, what, w.rssBefore / 1024.0, w.rssPeak / 1024.0, (w.rssPeak - w.rssBefore) / 1024.0,
                w.heapBefore / MIB, w.heapPeak / MIB, w.dataPeak - w.dataBefore, w.dataAfter - w.dataBefore,
                w.tmpPeak - w.tmpBefore, w.newFiles().isEmpty() ? "none" : String.join(", ", w.newFiles()), file);
    }
}
