package dev.berth.controller.database;

import io.fabric8.kubernetes.api.model.Secret;
import java.util.Optional;

/**
 * Secrets as the reconciler's informer holds them (every Secret of the watched namespaces): what a look reads instead
 * of asking the API server. Empty when the informer holds no Secret of that name, which may also mean one made a
 * moment ago that it has not seen yet: callers for whom that matters (a Secret to create when missing) ask the API
 * server then.
 */
@FunctionalInterface
public interface CachedSecrets {
    /** No cache: every read goes to the API server. */
    CachedSecrets NONE = (namespace, name) -> Optional.empty();

    Optional<Secret> get(String namespace, String name);
}
