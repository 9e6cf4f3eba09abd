package dev.berth.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The CRDs are generated from the classes by the build; the committed copies (crds/ and the chart's crds/)
 * must be exactly what the build generates. When this fails: {@code mvn -pl api-model -Pupdate-crds process-classes}.
 */
class CommittedCrdsAreCurrentTest {
    private static final Path GENERATED = Path.of("target/classes/META-INF/fabric8");

    @ParameterizedTest
    @ValueSource(strings = {"../crds", "../helm/berth/crds"})
    void committedCrdsEqualGenerated(String committedDir) throws IOException {
        List<Path> generated = list(GENERATED);
        assertThat(generated).extracting(p -> p.getFileName().toString())
                .containsExactlyInAnyOrder("servers.berth.dev-v1.yml", "applications.berth.dev-v1.yml",
                        "standalonedatabases.berth.dev-v1.yml", "scheduledbackups.berth.dev-v1.yml");
        assertThat(list(Path.of(committedDir))).extracting(p -> p.getFileName().toString())
                .as("CRD files in %s", committedDir)
                .containsExactlyInAnyOrderElementsOf(generated.stream().map(p -> p.getFileName().toString()).toList());
        for (Path file : generated) {
            assertThat(Files.readString(Path.of(committedDir).resolve(file.getFileName())))
                    .as("%s/%s is stale; run mvn -pl api-model -Pupdate-crds process-classes", committedDir, file.getFileName())
                    .isEqualTo(Files.readString(file));
        }
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith("-v1.yml")).sorted().toList();
        }
    }
}
