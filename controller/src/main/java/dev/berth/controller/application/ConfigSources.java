package dev.berth.controller.application;

import dev.berth.api.v1alpha1.Application;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Informers on the Secrets and ConfigMaps Applications read (env, envFrom, the image pull Secret): a change to one
 * reconciles every Application naming it (through an index on the Application cache), which rolls out when the
 * resolved values changed the config hash. In reconcile, the objects come from these caches, decoded into memory
 * only for the time of the reconcile.
 */
final class ConfigSources {
    private ConfigSources() {
    }

    static List<InformerEventSource<?, Application>> eventSources(EventSourceContext<Application> context) {
        return List.of(
                source(Secret.class, context, app -> EnvResolution.referencedSecrets(app.getSpec())),
                source(ConfigMap.class, context, app -> EnvResolution.referencedConfigMaps(app.getSpec())));
    }

    private static <R extends HasMetadata> InformerEventSource<R, Application> source(Class<R> kind,
            EventSourceContext<Application> context, Function<Application, Set<String>> names) {
        String index = "berth-app-" + kind.getSimpleName().toLowerCase();
        context.getPrimaryCache().addIndexer(index, app -> names.apply(app).stream()
                .map(n -> app.getMetadata().getNamespace() + "/" + n).toList());
        InformerEventSourceConfiguration<R> configuration = InformerEventSourceConfiguration
                .from(kind, Application.class)
                .withName("application-" + kind.getSimpleName().toLowerCase() + "s")
                .withNamespacesInheritedFromController()
                .withSecondaryToPrimaryMapper(r -> context.getPrimaryCache()
                        .byIndex(index, r.getMetadata().getNamespace() + "/" + r.getMetadata().getName())
                        .stream().map(ResourceID::fromResource).collect(Collectors.toSet()))
                .withPrimaryToSecondaryMapper((Application app) -> names.apply(app).stream()
                        .map(n -> new ResourceID(n, app.getMetadata().getNamespace())).collect(Collectors.toSet()))
                .build();
        return new InformerEventSource<>(configuration, context);
    }

    /** The Application's Secrets by name, decoded (data is base64; stringData, which only a mock keeps, as is). */
    static Function<String, Optional<Map<String, String>>> secrets(Context<Application> context) {
        Map<String, Map<String, String>> byName = context.getSecondaryResourcesAsStream(Secret.class)
                .collect(Collectors.toMap(s -> s.getMetadata().getName(), ConfigSources::decode, (a, b) -> a));
        return name -> Optional.ofNullable(byName.get(name));
    }

    static Function<String, Optional<Map<String, String>>> configMaps(Context<Application> context) {
        Map<String, Map<String, String>> byName = context.getSecondaryResourcesAsStream(ConfigMap.class)
                .collect(Collectors.toMap(c -> c.getMetadata().getName(),
                        c -> c.getData() == null ? Map.of() : Map.copyOf(c.getData()), (a, b) -> a));
        return name -> Optional.ofNullable(byName.get(name));
    }

    static Map<String, String> decode(Secret secret) {
        Map<String, String> values = new LinkedHashMap<>();
        if (secret.getData() != null) {
            secret.getData().forEach((k, v) -> {
                try {
                    values.put(k, new String(Base64.getDecoder().decode(v == null ? "" : v.trim()), StandardCharsets.UTF_8));
                } catch (IllegalArgumentException e) {
                    // not base64: leave the key out (reported as missing) rather than pass garbage on
                }
            });
        }
        if (secret.getStringData() != null) {
            secret.getStringData().forEach(values::putIfAbsent);
        }
        return values;
    }
}
