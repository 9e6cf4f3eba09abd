package dev.berth.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code kubectl get} shows the columns in the CRD's order: Ready, State, the kind's own, Age last (fabric8's
 * generator alone sorts them by JSON path, which put Age first). Read from the generated CRD YAML.
 */
class PrinterColumnOrderTest {
    private static final Path GENERATED = Path.of("target/classes/META-INF/fabric8");

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
            "servers; Ready,State,Host,Docker,Age",
            "applications; Ready,State,Server,Image,Age",
            "standalonedatabases; Ready,State,Engine,Version,Server,Age",
            "scheduledbackups; Ready,State,Schedule,Last Run,Last Success,Next Run,Age"})
    void columnsReadReadyStateOwnThenAge(String plural, String expected) throws IOException {
        CustomResourceDefinition crd = Serialization.unmarshal(
                Files.readString(GENERATED.resolve(plural + ".berth.dev-v1.yml")), CustomResourceDefinition.class);
        List<CustomResourceColumnDefinition> columns = crd.getSpec().getVersions().get(0).getAdditionalPrinterColumns();

        assertThat(columns).extracting(CustomResourceColumnDefinition::getName)
                .containsExactly(expected.split(","));
        assertThat(columns.get(0).getJsonPath()).isEqualTo(".status.conditions[?(@.type==\"Ready\")].status");
        assertThat(columns.get(1).getJsonPath()).isEqualTo(".status.state");
        assertThat(columns.get(columns.size() - 1).getJsonPath()).isEqualTo(".metadata.creationTimestamp");
        assertThat(columns.get(columns.size() - 1).getType()).isEqualTo("date");
    }
}
