package dev.berth.controller.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.berth.controller.BerthConfig;
import dev.berth.controller.BerthOperator;
import dev.berth.controller.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the README's first command runs: Main in LOCAL-ONLY mode (in-process API server, embedded PostgreSQL),
 * applying examples/ and printing the status table.
 */
class LocalModeIT {
    @TempDir
    Path dir;

    @Test
    void localModeAppliesTheExamplesAndPrintsTheirStatus() throws Exception {
        Path examples = Path.of("..", "examples").toAbsolutePath().normalize();
        assertThat(Files.isDirectory(examples)).as("examples/ at %s", examples).isTrue();
        BerthConfig config = BerthConfig.from(Map.of(
                "BERTH_LOCAL_MODE", "true",
                "BERTH_LOCAL_APPLY", examples.toString(),
                "BERTH_HTTP_PORT", "0",
                "BERTH_EMBEDDED_DB_DIR", dir.resolve("pgdata").toString()));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (BerthOperator operator = Main.run(config, new PrintStream(out, true, StandardCharsets.UTF_8))) {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(out.toString(StandardCharsets.UTF_8))
                    .contains("LOCAL-ONLY")
                    .contains("Server ")
                    .contains("Application ")
                    .contains("StandaloneDatabase ")
                    .contains("ScheduledBackup ")
                    .doesNotContain("REPLACE-WITH-YOUR-PRIVATE-KEY"));
            HttpResponse<String> ready = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + operator.httpPort() + "/readyz")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(ready.body()).contains("operator: ok").contains("mirror: ok");
        }
    }
}
