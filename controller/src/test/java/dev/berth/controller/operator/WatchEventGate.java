package dev.berth.controller.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.WatchEvent;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.HashSet;
import java.util.Set;

/**
 * The serialization of an operator's client, with a gate on its watch events: while a resource's name is held, a
 * watch event about it waits (in the informer's watch thread, before the informer sees it) until it is released.
 * That is an informer lagging behind the API server, made deterministic: the API server has a write, the operator's
 * informer does not, for as long as the test wants. Events of other resources pass (each informer has its own watch).
 */
final class WatchEventGate extends KubernetesSerialization {
    private final Set<String> held = new HashSet<>();

    /** Watch events about resources named {@code name} (any kind) wait from now on. */
    synchronized void hold(String name) {
        held.add(name);
    }

    /** The events held for {@code name} go on, in order, and later ones pass. */
    synchronized void release(String name) {
        held.remove(name);
        notifyAll();
    }

    synchronized void releaseAll() {
        held.clear();
        notifyAll();
    }

    @Override
    public <T> T unmarshal(String json, Class<T> type) {
        T parsed = super.unmarshal(json, type);
        if (parsed instanceof WatchEvent event && event.getObject() instanceof HasMetadata resource) {
            waitWhileHeld(resource.getMetadata().getName());
        }
        return parsed;
    }

    private synchronized void waitWhileHeld(String name) {
        while (held.contains(name)) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
