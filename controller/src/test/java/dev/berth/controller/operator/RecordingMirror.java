package dev.berth.controller.operator;

import dev.berth.controller.mirror.Mirror;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** A stand-in Mirror that keeps the last upserted JSON per uid in memory; for tests that count, not store. */
final class RecordingMirror implements Mirror {
    record Row(String kind, String name, String json, boolean deleted) {
    }

    private static final KubernetesSerialization JSON = new KubernetesSerialization();
    final Map<String, Row> rows = new ConcurrentHashMap<>();
    final AtomicInteger upserts = new AtomicInteger();
    volatile boolean behind;

    @Override
    public void upsert(HasMetadata resource) {
        upserts.incrementAndGet();
        rows.put(resource.getMetadata().getUid(), new Row(resource.getKind(), resource.getMetadata().getName(),
                JSON.asJson(resource), false));
    }

    @Override
    public void markDeleted(HasMetadata resource) {
        rows.computeIfPresent(resource.getMetadata().getUid(), (k, r) -> new Row(r.kind(), r.name(), r.json(), true));
    }

    @Override
    public void resync(Class<? extends HasMetadata> kind, Collection<String> namespaces, Collection<String> liveUids) {
        String k = HasMetadata.getKind(kind);
        rows.replaceAll((uid, r) -> r.kind().equals(k) && !liveUids.contains(uid)
                ? new Row(r.kind(), r.name(), r.json(), true) : r);
    }

    @Override
    public void recordActivity(HasMetadata resource, String action, String detail) {
    }

    @Override
    public boolean isBehind() {
        return behind;
    }

    @Override
    public void close() {
    }
}
