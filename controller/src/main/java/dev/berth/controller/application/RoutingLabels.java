package dev.berth.controller.application;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Traefik (v2/v3) Docker-provider labels routing {@code spec.domains} to the Application's containers. Pure.
 *
 * <p>What the reverse proxy on the Server needs (docs/architecture.md, "Application deployment"): Traefik's Docker
 * provider with {@code exposedByDefault=false}, attached to the Server's Berth network; entry points named
 * {@code web} (:80) and {@code websecure} (:443); a certificate resolver named {@code letsencrypt}.
 */
public final class RoutingLabels {
    public static final String ENTRYPOINT_HTTP = "web";
    public static final String ENTRYPOINT_HTTPS = "websecure";
    public static final String CERT_RESOLVER = "letsencrypt";

    private RoutingLabels() {
    }

    /**
     * @param router a name unique on the host (namespace and name of the Application)
     * @param port the container port to route to, or null to let Traefik take the one the image exposes
     */
    public static Map<String, String> of(String router, List<String> domains, String network, Integer port) {
        Map<String, String> labels = new LinkedHashMap<>();
        if (domains == null || domains.isEmpty()) {
            return labels;
        }
        String rule = domains.stream().map(RoutingLabels::rule).collect(Collectors.joining(" || "));
        labels.put("traefik.enable", "true");
        labels.put("traefik.docker.network", network);
        String http = "traefik.http.routers." + router + "-http.";
        labels.put(http + "rule", rule);
        labels.put(http + "entrypoints", ENTRYPOINT_HTTP);
        labels.put(http + "middlewares", router + "-https");
        labels.put("traefik.http.middlewares." + router + "-https.redirectscheme.scheme", "https");
        String https = "traefik.http.routers." + router + ".";
        labels.put(https + "rule", rule);
        labels.put(https + "entrypoints", ENTRYPOINT_HTTPS);
        labels.put(https + "tls", "true");
        labels.put(https + "tls.certresolver", CERT_RESOLVER);
        labels.put(https + "service", router);
        labels.put(http + "service", router);
        if (port != null) {
            labels.put("traefik.http.services." + router + ".loadbalancer.server.port", Integer.toString(port));
        }
        return labels;
    }

    /** {@code Host(`a.example.com`)}; a wildcard {@code *.example.com} matches one label in front of it. */
    static String rule(String domain) {
        if (domain.startsWith("*.")) {
            String rest = domain.substring(2).replace(".", "\\.");
            return "HostRegexp(`^[^.]+\\." + rest + "$`)";
        }
        return "Host(`" + domain + "`)";
    }
}
