package dev.berth.controller.mirror;

import static dev.berth.controller.mirror.jooq.Tables.SERVERS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.api.v1alpha1.Server;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.FileOutputStream;
import java.lang.reflect.Field;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded PostgreSQL keeps its data across operator restarts, including after a killed operator. */
class MirrorDatabaseIT {

    @TempDir
    Path dataDir;

    @Test
    void rowsSurviveARestartOfTheEmbeddedServer() {
        Server server = Fixtures.server("keep", "web-1", Map.of());
        try (MirrorDatabase db = MirrorDatabase.open(null, null, null, dataDir); PostgresMirror mirror = new PostgresMirror(db)) {
            assertThat(db.isEmbedded()).isTrue();
            assertThat(db.isMigrated()).isTrue();
            mirror.upsert(server);
        }
        try (MirrorDatabase db = MirrorDatabase.open(null, null, null, dataDir)) {
            assertThat(db.dsl().fetchOne(SERVERS, SERVERS.ID.eq(UUID.fromString(server.getMetadata().getUid()))))
                    .isNotNull();
        }
    }

    @Test
    void aServerLeftRunningByAKilledOperatorIsStoppedAndItsDataUsed() throws Exception {
        Server server = Fixtures.server("orphan", "web-1", Map.of());
        try (MirrorDatabase db = MirrorDatabase.open(null, null, null, dataDir); PostgresMirror mirror = new PostgresMirror(db)) {
            mirror.upsert(server);
        }
        // Started and never closed, like the embedded server of an operator that was killed.
        EmbeddedPostgres orphan = EmbeddedPostgres.builder().setDataDirectory(dataDir).setCleanDataDirectory(false).start();
        long orphanPid = Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).trim());
        forgetLikeAKilledProcess(orphan);

        try (MirrorDatabase db = MirrorDatabase.open(null, null, null, dataDir)) {
            assertThat(db.dsl().fetchOne(SERVERS, SERVERS.ID.eq(UUID.fromString(server.getMetadata().getUid()))))
                    .isNotNull();
        }
        assertThat(ProcessHandle.of(orphanPid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    }

    /**
     * What the kernel does for a killed JVM: its lock on the data directory goes away. zonky keeps the lock in
     * private fields; release it, and mark the instance closed so it does not try to stop the server later.
     */
    private static void forgetLikeAKilledProcess(EmbeddedPostgres postgres) throws Exception {
        Field lock = EmbeddedPostgres.class.getDeclaredField("lock");
        lock.setAccessible(true);
        ((FileLock) lock.get(postgres)).release();
        Field lockStream = EmbeddedPostgres.class.getDeclaredField("lockStream");
        lockStream.setAccessible(true);
        ((FileOutputStream) lockStream.get(postgres)).close();
        Field closed = EmbeddedPostgres.class.getDeclaredField("closed");
        closed.setAccessible(true);
        ((AtomicBoolean) closed.get(postgres)).set(true);
    }
}
