package dev.berth.controller.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.controller.docker.DockerHost.RegistryAuth;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class RegistryCredentialsTest {
    private static byte[] json(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void registryOfAnImage() {
        assertThat(RegistryCredentials.registryOf("nginx:1.25")).isEqualTo("docker.io");
        assertThat(RegistryCredentials.registryOf("library/nginx")).isEqualTo("docker.io");
        assertThat(RegistryCredentials.registryOf("registry.example.com/shop/web:1")).isEqualTo("registry.example.com");
        assertThat(RegistryCredentials.registryOf("localhost:5000/web")).isEqualTo("localhost:5000");
        assertThat(RegistryCredentials.registryOf("localhost/web")).isEqualTo("localhost");
    }

    @Test
    void usernameAndPasswordOrAuth() {
        String auth = Base64.getEncoder().encodeToString("robot:p@ss:word".getBytes(StandardCharsets.UTF_8));
        byte[] config = json("{\"auths\":{\"https://registry.example.com/\":{\"auth\":\"" + auth + "\"},"
                + "\"https://index.docker.io/v1/\":{\"username\":\"hub\",\"password\":\"hubpw\"}}}");

        assertThat(RegistryCredentials.forImage(config, "registry.example.com/shop/web:1"))
                .contains(new RegistryAuth("https://registry.example.com/", "robot", "p@ss:word"));
        assertThat(RegistryCredentials.forImage(config, "nginx")).contains(new RegistryAuth("https://index.docker.io/v1/", "hub", "hubpw"));
        assertThat(RegistryCredentials.forImage(config, "ghcr.io/x/y")).isEmpty();
    }

    @Test
    void brokenContentIsRefusedWithoutQuotingIt() {
        assertThatThrownBy(() -> RegistryCredentials.forImage(json("{not json topsecret"), "nginx"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining("topsecret");
        assertThatThrownBy(() -> RegistryCredentials.forImage(json("{\"x\":1}"), "nginx"))
                .hasMessageContaining("auths");
        assertThatThrownBy(() -> RegistryCredentials.forImage(
                json("{\"auths\":{\"docker.io\":{\"auth\":\"@@topsecret\"}}}"), "nginx"))
                .hasMessageNotContaining("topsecret");
        assertThat(new RegistryAuth("r", "u", "topsecret").toString()).doesNotContain("topsecret");
    }
}
