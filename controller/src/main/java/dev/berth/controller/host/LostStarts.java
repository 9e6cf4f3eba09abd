package dev.berth.controller.host;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Starts whose answer was lost (the connection dropped mid-call): Docker may have started the container all the
 * same. The first look that finds such a container tells which, so the history says what happened on the host.
 */
public final class LostStarts {
    private final Map<String, String> unanswered = new ConcurrentHashMap<>();

    /** A start of container {@code id} ({@code name}) got no answer. */
    public void remember(String id, String name) {
        unanswered.put(id, name);
    }

    /**
     * Of the containers found, the names of those whose unanswered start went through (running, or ran since); every
     * container found is forgotten (one still only created is started again by the plan, and recorded then).
     */
    public List<String> wentThrough(List<ObservedContainer> observed) {
        List<String> started = new ArrayList<>();
        for (ObservedContainer c : observed) {
            String name = unanswered.remove(c.id());
            if (name != null && (c.running() || c.startedAt() != null)) {
                started.add(name);
            }
        }
        return started;
    }
}
