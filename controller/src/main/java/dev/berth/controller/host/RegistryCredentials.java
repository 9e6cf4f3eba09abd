package dev.berth.controller.host;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.controller.docker.DockerHost.RegistryAuth;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;

/**
 * The registry credentials for an image, from the content of a {@code kubernetes.io/dockerconfigjson} Secret
 * ({@code {"auths": {"registry.example.com": {"username": .., "password": .., "auth": base64(user:pass)}}}}).
 * Pure. Nothing of the JSON is ever quoted in an exception: a parse error says only that it is not valid.
 */
public final class RegistryCredentials {
    public static final String DOCKER_CONFIG_KEY = ".dockerconfigjson";
    static final String DOCKER_HUB = "docker.io";
    private static final ObjectMapper JSON = new ObjectMapper();

    private RegistryCredentials() {
    }

    /** The registry host of an image reference: the first path part when it looks like a host, else Docker Hub. */
    public static String registryOf(String image) {
        int slash = image.indexOf('/');
        if (slash < 0) {
            return DOCKER_HUB;
        }
        String first = image.substring(0, slash);
        boolean host = first.contains(".") || first.contains(":") || first.equals("localhost");
        return host ? first : DOCKER_HUB;
    }

    /**
     * The credentials of {@code dockerConfigJson} for the image's registry; empty when it has none for it.
     *
     * @throws IllegalArgumentException when the content is not a Docker config (message without content)
     */
    public static Optional<RegistryAuth> forImage(byte[] dockerConfigJson, String image) {
        JsonNode root;
        try {
            root = JSON.readTree(dockerConfigJson);
        } catch (IOException e) {
            throw new IllegalArgumentException("the " + DOCKER_CONFIG_KEY + " key does not hold valid JSON");
        }
        JsonNode auths = root == null ? null : root.get("auths");
        if (auths == null || !auths.isObject()) {
            throw new IllegalArgumentException("the " + DOCKER_CONFIG_KEY + " key has no \"auths\" object");
        }
        String registry = registryOf(image);
        for (Iterator<Map.Entry<String, JsonNode>> it = auths.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (registry.equals(normalise(e.getKey()))) {
                return credentials(e.getKey(), e.getValue());
            }
        }
        return Optional.empty();
    }

    /** "https://index.docker.io/v1/" → docker.io; "https://registry.example.com/" → registry.example.com. */
    static String normalise(String key) {
        String k = key.replaceFirst("^https?://", "");
        int slash = k.indexOf('/');
        if (slash >= 0) {
            k = k.substring(0, slash);
        }
        if (k.equals("index.docker.io") || k.equals("registry-1.docker.io") || k.equals("registry.hub.docker.com")) {
            return DOCKER_HUB;
        }
        return k;
    }

    private static Optional<RegistryAuth> credentials(String server, JsonNode entry) {
        String user = text(entry, "username");
        String password = text(entry, "password");
        String auth = text(entry, "auth");
        if ((user == null || password == null) && auth != null) {
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(auth.trim()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("the \"auth\" of registry " + server + " is not base64");
            }
            int colon = decoded.indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("the \"auth\" of registry " + server + " is not user:password");
            }
            user = decoded.substring(0, colon);
            password = decoded.substring(colon + 1);
        }
        if (user == null || password == null) {
            return Optional.empty();
        }
        return Optional.of(new RegistryAuth(server, user, password));
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
