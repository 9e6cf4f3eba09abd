package dev.berth.api.build;

import dev.berth.api.v1alpha1.Application;
import dev.berth.api.v1alpha1.ScheduledBackup;
import dev.berth.api.v1alpha1.Server;
import dev.berth.api.v1alpha1.StandaloneDatabase;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crdv2.generator.CRDGenerator;
import io.fabric8.crdv2.generator.CRDPostProcessor;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import java.io.File;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Build-time only (run by the api-model build at process-classes; not used at run time): writes the four CRDs with
 * fabric8's generator, as its Maven plugin would, but keeps the printer columns in the order each kind declares them
 * (Ready, State, the kind's own, Age) instead of the generator's order by JSON path, which put Age first.
 */
public final class GenerateCrds {
    static final List<Class<? extends HasMetadata>> KINDS =
            List.of(Server.class, Application.class, StandaloneDatabase.class, ScheduledBackup.class);

    private GenerateCrds() {
    }

    public static void main(String[] args) {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: GenerateCrds <output directory>");
        }
        File out = new File(args[0]);
        if (!out.isDirectory() && !out.mkdirs()) {
            throw new IllegalStateException("cannot create " + out);
        }
        int written = new CRDGenerator()
                .inOutputDir(out)
                .forCRDVersions("v1")
                .withPostProcessor(new DeclaredColumnOrder())
                .customResourceClasses(KINDS)
                .generate();
        if (written != KINDS.size()) {
            throw new IllegalStateException("expected " + KINDS.size() + " CRDs, the generator wrote " + written);
        }
    }

    /** Sorts each version's printer columns by their position among the kind's {@code @AdditionalPrinterColumn}s. */
    static final class DeclaredColumnOrder implements CRDPostProcessor {
        private final Map<String, List<String>> columnsByKind = KINDS.stream().collect(Collectors.toMap(
                HasMetadata::getKind,
                k -> Stream.of(k.getAnnotationsByType(AdditionalPrinterColumn.class))
                        .map(AdditionalPrinterColumn::name).toList()));

        @Override
        public HasMetadata process(HasMetadata resource, String crdSpecVersion) {
            if (resource instanceof CustomResourceDefinition crd) {
                List<String> declared = columnsByKind.get(crd.getSpec().getNames().getKind());
                for (CustomResourceDefinitionVersion version : crd.getSpec().getVersions()) {
                    if (declared != null && version.getAdditionalPrinterColumns() != null) {
                        version.getAdditionalPrinterColumns().sort(
                                Comparator.comparingInt((CustomResourceColumnDefinition c) -> declared.indexOf(c.getName())));
                    }
                }
            }
            return resource;
        }
    }
}
