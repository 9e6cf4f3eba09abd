package dev.berth.controller.reconcile;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * An informer on a kind that primaries reference by name in their own namespace (an Application's serverRef, a
 * ScheduledBackup's databaseRef). When the referenced object appears, changes or goes away, every primary naming
 * it is reconciled again (secondary → primary through an index on the primary cache); in reconcile,
 * {@code context.getSecondaryResource(kind)} returns the referenced object (primary → secondary by name).
 */
public final class ReferenceEventSources {
    private ReferenceEventSources() {
    }

    public static <R extends HasMetadata, P extends HasMetadata> InformerEventSource<R, P> byName(
            Class<R> referenced, EventSourceContext<P> context, Function<P, String> referenceName) {
        String index = "berth-reference-" + referenced.getSimpleName();
        context.getPrimaryCache().addIndexer(index, primary -> {
            String name = referenceName.apply(primary);
            return name == null ? List.of() : List.of(key(primary.getMetadata().getNamespace(), name));
        });
        InformerEventSourceConfiguration<R> configuration = InformerEventSourceConfiguration
                .from(referenced, context.getPrimaryResourceClass())
                .withName(referenced.getSimpleName().toLowerCase() + "-references")
                .withNamespacesInheritedFromController()
                .withSecondaryToPrimaryMapper(target -> context.getPrimaryCache()
                        .byIndex(index, key(target.getMetadata().getNamespace(), target.getMetadata().getName()))
                        .stream()
                        .map(ResourceID::fromResource)
                        .collect(Collectors.toSet()))
                .withPrimaryToSecondaryMapper((P primary) -> {
                    String name = referenceName.apply(primary);
                    return name == null ? Set.of() : Set.of(new ResourceID(name, primary.getMetadata().getNamespace()));
                })
                .build();
        return new InformerEventSource<>(configuration, context);
    }

    private static String key(String namespace, String name) {
        return namespace + "/" + name;
    }
}
