package dev.berth.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.controller.validation.Durations;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BerthConfigTest {
    @Test
    void defaultsWorkLocally() {
        BerthConfig c = BerthConfig.from(Map.of());
        assertThat(c.localMode()).isFalse();
        assertThat(c.watchesAllNamespaces()).isTrue();
        assertThat(c.httpPort()).isEqualTo(8080);
        assertThat(c.leaderElection()).isFalse();
        assertThat(c.leaseName()).isEqualTo("berth-operator");
        assertThat(c.leaseNamespace()).isEqualTo("default");
        assertThat(c.databaseUrl()).isEmpty();
        assertThat(c.embeddedDbDir()).isEqualTo(Path.of(System.getProperty("user.home"), ".berth", "pgdata"));
        assertThat(c.redisUrl()).isEmpty();
        assertThat(c.serverCheckInterval()).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.appRecheckInterval()).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.exitOnStopLeading()).isTrue();
    }

    @Test
    void readsEveryVariable() {
        BerthConfig c = BerthConfig.from(Map.ofEntries(
                Map.entry("BERTH_LOCAL_MODE", "true"),
                Map.entry("BERTH_LOCAL_APPLY", "examples"),
                Map.entry("BERTH_NAMESPACES", " shop, web ,"),
                Map.entry("BERTH_HTTP_PORT", "9090"),
                Map.entry("BERTH_LEADER_ELECTION", "true"),
                Map.entry("BERTH_LEASE_NAME", "lease-x"),
                Map.entry("POD_NAMESPACE", "berth-system"),
                Map.entry("BERTH_DATABASE_URL", "jdbc:postgresql://db/berth"),
                Map.entry("BERTH_DATABASE_USER", "berth"),
                Map.entry("BERTH_DATABASE_PASSWORD", "s3cr3t-pw"),
                Map.entry("BERTH_EMBEDDED_DB_DIR", "/tmp/pg"),
                Map.entry("BERTH_REDIS_URL", "redis://:r3dis-pw@127.0.0.1:6379"),
                Map.entry("BERTH_SERVER_CHECK_INTERVAL", "30s"),
                Map.entry("BERTH_APP_RECHECK_INTERVAL", "2m")));
        assertThat(c.localMode()).isTrue();
        assertThat(c.localApply()).contains(Path.of("examples"));
        assertThat(c.namespaces()).isEqualTo(Set.of("shop", "web"));
        assertThat(c.httpPort()).isEqualTo(9090);
        assertThat(c.leaderElection()).isTrue();
        assertThat(c.leaseName()).isEqualTo("lease-x");
        assertThat(c.leaseNamespace()).isEqualTo("berth-system");
        assertThat(c.databaseUser()).contains("berth");
        assertThat(c.embeddedDbDir()).isEqualTo(Path.of("/tmp/pg"));
        assertThat(c.serverCheckInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.appRecheckInterval()).isEqualTo(Duration.ofMinutes(2));
        assertThat(c.toString()).doesNotContain("s3cr3t-pw").doesNotContain("r3dis-pw").contains("redis://***@127.0.0.1:6379");
    }

    @Test
    void leaseNamespaceVariableWinsOverPodNamespace() {
        assertThat(BerthConfig.from(Map.of("BERTH_LEASE_NAMESPACE", "a", "POD_NAMESPACE", "b")).leaseNamespace()).isEqualTo("a");
    }

    @Test
    void badValuesNameTheVariable() {
        assertThatThrownBy(() -> BerthConfig.from(Map.of("BERTH_HTTP_PORT", "http"))).hasMessageContaining("BERTH_HTTP_PORT");
        assertThatThrownBy(() -> BerthConfig.from(Map.of("BERTH_LEADER_ELECTION", "maybe"))).hasMessageContaining("BERTH_LEADER_ELECTION");
        assertThatThrownBy(() -> BerthConfig.from(Map.of("BERTH_SERVER_CHECK_INTERVAL", "1 minute")))
                .hasMessageContaining("BERTH_SERVER_CHECK_INTERVAL");
    }

    @Test
    void redactMasksUserInfoAndPasswordParameters() {
        assertThat(BerthConfig.redact("jdbc:postgresql://db/berth?user=a&password=pw&ssl=true"))
                .isEqualTo("jdbc:postgresql://db/berth?user=a&password=***&ssl=true");
        assertThat(BerthConfig.redact("redis://user:pw@host:6379/0")).isEqualTo("redis://***@host:6379/0");
    }

    @Test
    void durations() {
        assertThat(Durations.parse("1h30m")).contains(Duration.ofMinutes(90));
        assertThat(Durations.parse("500ms")).contains(Duration.ofMillis(500));
        assertThat(Durations.parse("7d")).contains(Duration.ofDays(7));
        assertThat(Durations.parse("5 m")).isEmpty();
        assertThat(Durations.parse("")).isEmpty();
        assertThat(Durations.format(Duration.ofSeconds(5400))).isEqualTo("1h30m");
        assertThat(Durations.format(Duration.ofSeconds(60))).isEqualTo("1m");
    }
}
