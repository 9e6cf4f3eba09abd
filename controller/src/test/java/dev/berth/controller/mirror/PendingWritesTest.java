package dev.berth.controller.mirror;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.api.v1alpha1.Application;
import dev.berth.api.v1alpha1.Server;
import dev.berth.controller.mirror.PendingWrites.HistoryWrite;
import dev.berth.controller.mirror.PendingWrites.ResourceWrite;
import dev.berth.controller.mirror.PendingWrites.ResyncWrite;
import dev.berth.controller.mirror.PendingWrites.Write;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class PendingWritesTest {

    static final OffsetDateTime T1 = OffsetDateTime.parse("2026-11-26T12:00:00Z");
    static final OffsetDateTime T2 = T1.plusMinutes(1);

    final PendingWrites pending = new PendingWrites();
    final Application app = Fixtures.application("ns", "shop", "web-1", Map.of());

    @Test
    void keepsOnlyTheNewestStateOfAResource() {
        pending.add(upsert(app, "berth-test/httpd:1"));
        pending.add(upsert(app, "berth-test/httpd:2"));

        List<Write> batch = pending.drain(100);

        assertThat(batch).hasSize(1);
        assertThat(image((ResourceWrite) batch.get(0))).isEqualTo("berth-test/httpd:2");
        assertThat(pending.isEmpty()).isTrue();
    }

    @Test
    void aDeletionAfterAnUpsertKeepsTheRowAndAnUpsertAfterADeletionRevivesIt() {
        pending.add(upsert(app, "berth-test/httpd:1"));
        pending.add(new ResourceWrite(MirrorRows.of(app, T2), false, T2));
        ResourceWrite deleted = (ResourceWrite) pending.drain(100).get(0);
        assertThat(deleted.full()).isTrue();
        assertThat(image(deleted)).isEqualTo("berth-test/httpd:1");
        assertThat(deleted.deletedAt()).isEqualTo(T2);

        pending.add(deleted);
        pending.add(upsert(app, "berth-test/httpd:3"));
        ResourceWrite revived = (ResourceWrite) pending.drain(100).get(0);
        assertThat(revived.deletedAt()).isNull();
        assertThat(image(revived)).isEqualTo("berth-test/httpd:3");
    }

    @Test
    void anUpsertOfAResourceBeingDeletedKeepsItsDeletion() {
        pending.add(new ResourceWrite(MirrorRows.of(app, T1), false, T1));
        app.getMetadata().setDeletionTimestamp("2026-11-26T12:00:00Z");
        pending.add(upsert(app, "berth-test/httpd:1"));

        ResourceWrite merged = (ResourceWrite) pending.drain(100).get(0);
        assertThat(merged.full()).isTrue();
        assertThat(merged.deletedAt()).isEqualTo(T1);
    }

    @Test
    void restoredWritesGoUnderNewerOnesAndHistoryKeepsItsOrder() {
        pending.add(upsert(app, "berth-test/httpd:1"));
        pending.add(history("h1"));
        pending.add(history("h2"));
        List<Write> inFlight = pending.drain(100);
        pending.add(upsert(app, "berth-test/httpd:2"));
        pending.add(history("h3"));

        pending.restore(inFlight);

        List<Write> batch = pending.drain(100);
        assertThat(batch).hasSize(4);
        assertThat(image((ResourceWrite) batch.get(0))).isEqualTo("berth-test/httpd:2");
        assertThat(batch.subList(1, 4)).extracting(Write::describe).containsExactly("h1", "h2", "h3");
    }

    @Test
    void drainOrdersResourcesThenResyncsThenHistoryAndHonoursTheBatchSize() {
        pending.add(history("h1"));
        pending.add(history("h2"));
        pending.add(new ResyncWrite(MirrorKind.SERVER, Set.of(), Set.of(), T1));
        pending.add(upsert(app, "berth-test/httpd:1"));
        pending.add(upsert(Fixtures.application("ns", "other", "web-1", Map.of()), "berth-test/httpd:1"));

        List<Write> first = pending.drain(1);
        assertThat(first).extracting(w -> w.getClass().getSimpleName())
                .containsExactly("ResourceWrite", "ResyncWrite", "HistoryWrite");
        assertThat(pending.size()).isEqualTo(2);
    }

    @Test
    void aPendingResyncSparesResourcesUpsertedAfterIt() {
        Server kept = Fixtures.server("ns", "kept", Map.of());
        Server fresh = Fixtures.server("ns", "fresh", Map.of());
        pending.add(new ResyncWrite(MirrorKind.SERVER, Set.of(), Set.of(uid(kept)), T1));
        pending.add(new ResourceWrite(MirrorRows.of(fresh, T2), true, null));
        pending.add(new ResourceWrite(MirrorRows.of(app, T2), true, null));

        ResyncWrite resync = pending.drain(100).stream()
                .filter(ResyncWrite.class::isInstance).map(ResyncWrite.class::cast).findFirst().orElseThrow();
        assertThat(resync.live()).containsExactlyInAnyOrder(uid(kept), uid(fresh));
    }

    @Test
    void aResyncPutBackSparesResourcesUpsertedWhileItWasInFlight() {
        Server fresh = Fixtures.server("ns", "fresh", Map.of());
        pending.add(new ResyncWrite(MirrorKind.SERVER, Set.of(), Set.of(), T1));
        List<Write> inFlight = pending.drain(100);
        pending.add(new ResourceWrite(MirrorRows.of(fresh, T2), true, null));

        pending.restore(inFlight);

        ResyncWrite resync = pending.drain(100).stream()
                .filter(ResyncWrite.class::isInstance).map(ResyncWrite.class::cast).findFirst().orElseThrow();
        assertThat(resync.live()).containsExactly(uid(fresh));
    }

    @Test
    void logLinesBeyondTheCapAreDroppedAndCountedOtherHistoryNever() {
        assertThat(pending.add(new HistoryWrite("lines", PendingWrites.MAX_PENDING_LOG_LINES, tx -> { }))).isTrue();
        assertThat(pending.add(new HistoryWrite("more lines", 3, tx -> { }))).isFalse();
        assertThat(pending.add(history("deployment finished"))).isTrue();
        assertThat(pending.droppedLogLines()).isEqualTo(3);

        pending.drain(1);
        assertThat(pending.add(new HistoryWrite("lines after the drain", 3, tx -> { }))).isTrue();
    }

    private static ResourceWrite upsert(Application app, String image) {
        app.getSpec().setImage(image);
        return new ResourceWrite(MirrorRows.of(app, T1), true, null);
    }

    private static HistoryWrite history(String description) {
        return new HistoryWrite(description, 0, tx -> { });
    }

    private static String image(ResourceWrite write) {
        return ((dev.berth.controller.mirror.jooq.tables.records.ApplicationsRecord) write.rows().row()).getImage();
    }

    private static UUID uid(io.fabric8.kubernetes.api.model.HasMetadata resource) {
        return UUID.fromString(resource.getMetadata().getUid());
    }
}
