package dev.berth.controller.mirror;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mirror's PostgreSQL: a HikariCP pool on a configured server, or an embedded PostgreSQL (zonky) when none is
 * configured, migrated by Flyway, reached through jOOQ.
 *
 * <p>Takes plain values, not the operator's configuration object. An unreachable configured server does not fail
 * start-up: the pool is created lazily and {@link #migrateIfNeeded()} is retried by {@link PostgresMirror} until it
 * succeeds. Timeouts are short on purpose (connect 1 s, socket 5 s): a reconcile that writes through this pool
 * must never hang on a database that went away.
 */
public final class MirrorDatabase implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MirrorDatabase.class);

    private final HikariDataSource dataSource;
    private final EmbeddedPostgres embedded;
    private final DSLContext dsl;
    private final String description;
    private volatile boolean migrated;

    private MirrorDatabase(HikariDataSource dataSource, EmbeddedPostgres embedded, String description) {
        this.dataSource = dataSource;
        this.embedded = embedded;
        this.description = description;
        this.dsl = DSL.using(dataSource, SQLDialect.POSTGRES, new Settings()
                .withQueryTimeout(5)
                // jOOQ's debug logging would print rows; the mirror logs what it wrote by kind and uid only.
                .withExecuteLogging(false)
                .withRenderSchema(false));
    }

    /**
     * Opens the mirror database: the server at {@code jdbcUrl} when it is set, otherwise an embedded PostgreSQL
     * keeping its data in {@code embeddedDataDir} (null: {@code $HOME/.berth/pgdata}) on a free port. Runs the
     * migrations when the server can be reached now; otherwise they run later, see {@link #migrateIfNeeded()}.
     *
     * @throws IllegalStateException when the embedded server cannot start or a migration is rejected
     */
    public static MirrorDatabase open(String jdbcUrl, String user, String password, Path embeddedDataDir) {
        MirrorDatabase db = jdbcUrl == null || jdbcUrl.isBlank()
                ? embedded(embeddedDataDir != null ? embeddedDataDir : defaultEmbeddedDataDir(), 0)
                : external(jdbcUrl, user, password);
        db.tryMigrate();
        return db;
    }

    /** {@code $HOME/.berth/pgdata}, the documented default of BERTH_EMBEDDED_DB_DIR. */
    static Path defaultEmbeddedDataDir() {
        return Path.of(System.getProperty("user.home"), ".berth", "pgdata");
    }

    /** A pool on an existing PostgreSQL server. Does not connect yet and does not migrate. */
    public static MirrorDatabase external(String jdbcUrl, String user, String password) {
        HikariConfig config = poolConfig(jdbcUrl, user, password);
        return new MirrorDatabase(new HikariDataSource(config), null, describe(jdbcUrl));
    }

    /**
     * Starts an embedded PostgreSQL keeping its data in {@code dataDir} (created if missing, reused across
     * restarts) on {@code port} (0: any free port), and a pool on it. Does not migrate yet.
     */
    public static MirrorDatabase embedded(Path dataDir, int port) {
        try {
            Files.createDirectories(dataDir);
            stopOrphanedServer(dataDir);
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(false);
            if (port > 0) {
                builder.setPort(port);
            }
            EmbeddedPostgres pg = builder.start();
            String url = pg.getJdbcUrl("postgres", "postgres");
            LOG.info("Mirror: started embedded PostgreSQL on port {} with data in {}", pg.getPort(), dataDir);
            try {
                return new MirrorDatabase(new HikariDataSource(poolConfig(url, "postgres", null)), pg,
                        "embedded PostgreSQL " + describe(url));
            } catch (RuntimeException e) {
                pg.close();
                throw e;
            }
        } catch (IOException e) {
            throw new IllegalStateException("Cannot start the embedded PostgreSQL in " + dataDir + ": " + e.getMessage(), e);
        }
    }

    /**
     * An operator process killed outright (SIGKILL, OOM) leaves its embedded PostgreSQL running, holding the data
     * directory; the next start would fail on its lock. Stop it: it is ours (the postmaster.pid in our data
     * directory names it) and nobody else can be using it. SIGTERM is PostgreSQL's smart shutdown.
     */
    private static void stopOrphanedServer(Path dataDir) {
        Path pidFile = dataDir.resolve("postmaster.pid");
        if (!Files.isRegularFile(pidFile)) {
            return;
        }
        try {
            long pid = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
            ProcessHandle postmaster = ProcessHandle.of(pid).orElse(null);
            boolean isPostgres = postmaster != null && postmaster.isAlive()
                    && postmaster.info().command().map(c -> c.contains("postgres")).orElse(false);
            if (!isPostgres) {
                return; // a stale pid file: PostgreSQL ignores it by itself
            }
            LOG.warn("Mirror: stopping the embedded PostgreSQL (pid {}) an earlier operator process left running in {}",
                    pid, dataDir);
            postmaster.destroy();
            postmaster.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (IOException | RuntimeException | java.util.concurrent.ExecutionException
                | java.util.concurrent.TimeoutException e) {
            LOG.warn("Mirror: could not check for a PostgreSQL left running in {} ({})", dataDir, e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static HikariConfig poolConfig(String jdbcUrl, String user, String password) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("berth-mirror");
        config.setJdbcUrl(jdbcUrl);
        if (user != null && !user.isBlank()) {
            config.setUsername(user);
        }
        if (password != null && !password.isEmpty()) {
            config.setPassword(password);
        }
        // JOSDK runs many reconciles at once; a pool much smaller than that turns a burst into a false "outage".
        config.setMaximumPoolSize(16);
        config.setMinimumIdle(1);
        // Fail fast instead of stalling a reconcile; never fail start-up on an unreachable server.
        config.setConnectionTimeout(1000);
        config.setValidationTimeout(500);
        config.setInitializationFailTimeout(-1);
        config.setKeepaliveTime(60_000);
        config.addDataSourceProperty("connectTimeout", "1");
        config.addDataSourceProperty("loginTimeout", "2");
        config.addDataSourceProperty("socketTimeout", "5");
        config.addDataSourceProperty("tcpKeepAlive", "true");
        config.addDataSourceProperty("ApplicationName", "berth-operator");
        return config;
    }

    /** The URL without anything after '?' (where a password could be). */
    private static String describe(String jdbcUrl) {
        int q = jdbcUrl.indexOf('?');
        String base = q < 0 ? jdbcUrl : jdbcUrl.substring(0, q);
        // jdbc:postgresql://user:password@host/db is not a form pgjdbc accepts, but strip it anyway.
        return base.replaceAll("//[^/@]*@", "//");
    }

    /**
     * Runs the Flyway migrations once; later calls return at once. Throws when the server cannot be reached or a
     * migration fails.
     */
    public synchronized void migrateIfNeeded() {
        if (migrated) {
            return;
        }
        Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .connectRetries(0)
                .load()
                .migrate();
        migrated = true;
        LOG.info("Mirror: schema of {} is current", description);
    }

    private void tryMigrate() {
        try {
            migrateIfNeeded();
        } catch (RuntimeException e) {
            if (!Failures.isTransient(e)) {
                close();
                throw new IllegalStateException("Mirror: migrating " + description + " failed: "
                        + Failures.describe(e), e);
            }
            LOG.warn("Mirror: {} is not reachable now ({}); the mirror starts behind and catches up when it is",
                    description, Failures.describe(e));
        }
    }

    /** True once the schema is known to be current. */
    public boolean isMigrated() {
        return migrated;
    }

    public DSLContext dsl() {
        return dsl;
    }

    public DataSource dataSource() {
        return dataSource;
    }

    /** Where the mirror lives, for logs: the JDBC URL without parameters or credentials. */
    public String description() {
        return description;
    }

    public boolean isEmbedded() {
        return embedded != null;
    }

    @Override
    public void close() {
        dataSource.close();
        if (embedded != null) {
            try {
                embedded.close();
            } catch (IOException e) {
                throw new UncheckedIOException("Stopping the embedded PostgreSQL failed", e);
            }
        }
    }
}
