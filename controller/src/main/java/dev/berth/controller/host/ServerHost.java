package dev.berth.controller.host;

import dev.berth.api.v1alpha1.Berth;
import dev.berth.api.v1alpha1.Server;
import dev.berth.controller.docker.ContainerSpec;
import dev.berth.controller.docker.DockerHost;
import dev.berth.controller.docker.DockerHostException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One look's Docker engine on a Server, with what every kind that runs containers there needs from it: the image
 * present (pulled when missing or floating), the Berth network made sure of, a container created and started even
 * when {@link HostFacts} was a few seconds behind the host, and the last lines of a container's log for a status
 * message. Applications and databases both go through here; what they record about it is theirs.
 */
public final class ServerHost {
    static final Duration LOGS_TIMEOUT = Duration.ofSeconds(10);
    static final int LOG_TAIL = 20;
    static final int LOG_CHARS = 2_000;

    private final DockerHost docker;
    private final String key;
    private final HostFacts facts;

    private ServerHost(DockerHost docker, String key, HostFacts facts) {
        this.docker = docker;
        this.key = key;
        this.facts = facts;
    }

    /** The engine of {@code server}, keyed in {@code facts} by the Server's id and where it points. */
    public static ServerHost of(DockerHost docker, Server server, HostFacts facts) {
        return new ServerHost(docker, HostFacts.hostKey(docker.id(), server.getSpec().getHost(),
                server.getSpec().getPort(),
                server.getSpec().getDocker() == null ? null : server.getSpec().getDocker().getSocketPath()), facts);
    }

    public DockerHost docker() {
        return docker;
    }

    public String key() {
        return key;
    }

    /** The image on the host (cached for a few seconds when present). */
    public Optional<DockerHost.ImageInfo> image(String image) {
        return facts.image(key, image, () -> docker.inspectImage(image));
    }

    /** Makes sure the network exists (asked at most once per {@link HostFacts#TTL}). */
    public void ensureNetwork(String network) {
        facts.network(key, network, () -> docker.ensureNetwork(network, Map.of(Berth.LABEL_MANAGED, "true")));
    }

    /** A Docker call said NotFound: the image or the network may have gone behind Berth's back. */
    public void forget(String image, String network) {
        facts.forget(key, image, network);
    }

    /**
     * Creates the container. Docker's NotFound means the image went since {@link HostFacts} last saw it: when it
     * is there after all (asked afresh), the create is tried once more; otherwise the failure stands (the next look
     * pulls it).
     */
    public String create(ContainerSpec spec) {
        try {
            return docker.createContainer(spec);
        } catch (DockerHostException e) {
            if (e.kind() != DockerHostException.Kind.NotFound) {
                throw e;
            }
            facts.forgetImage(key, spec.image());
            if (image(spec.image()).isEmpty()) {
                throw e;
            }
            return docker.createContainer(spec);
        }
    }

    /**
     * Starts the container. Docker checks the network at start: NotFound may mean it was deleted since
     * {@link HostFacts} last saw it, so it is made sure of afresh and the start tried once more.
     */
    public void start(String id, String network) {
        try {
            docker.startContainer(id);
        } catch (DockerHostException e) {
            if (e.kind() != DockerHostException.Kind.NotFound || network == null) {
                throw e;
            }
            facts.forgetNetwork(key, network);
            ensureNetwork(network);
            docker.startContainer(id);
        }
    }

    /** What {@link #ensureImage} reports on the way. */
    public interface PullLog {
        /** A line worth keeping (not the per-layer download counters). */
        void line(String text);

        /** The image was pulled. */
        void pulled(String image);
    }

    /**
     * Makes sure the image is on the host: pulled when missing (with {@code auth}'s credentials, which may throw
     * {@link IllegalArgumentException} saying why they cannot be used), and re-pulled for {@code :latest} or untagged
     * references (a failed re-pull of an image that is there is only noted). Returns why it cannot be had, or empty;
     * {@code redact} cleans Docker's messages of anything secret before they reach a person.
     */
    public Optional<String> ensureImage(String image, Supplier<DockerHost.RegistryAuth> auth, String authSource,
            Duration timeout, Function<String, String> redact, PullLog pullLog) {
        boolean present = image(image).isPresent();
        if (present && !floating(image)) {
            return Optional.empty();
        }
        DockerHost.RegistryAuth credentials;
        try {
            credentials = auth.get();
        } catch (IllegalArgumentException e) {
            return Optional.of("the image pull Secret cannot be used: " + e.getMessage());
        }
        pullLog.line("pulling " + image + (credentials == null || authSource == null ? ""
                : " (with the credentials of " + authSource + ")"));
        try {
            docker.pullImage(image, credentials, (layer, what, progress) -> {
                if (what != null && !what.startsWith("Downloading") && !what.startsWith("Extracting")
                        && !what.startsWith("Waiting")) {
                    pullLog.line((layer == null ? "" : layer + ": ") + what);
                }
            }, timeout);
            facts.forgetImage(key, image); // a new digest, maybe
            pullLog.pulled(image);
            return Optional.empty();
        } catch (DockerHostException e) {
            facts.forgetImage(key, image); // a failed pull may have left part of it, or changed the tag
            if (e.kind() == DockerHostException.Kind.Unavailable) {
                throw e;
            }
            String why = redact.apply(e.getMessage());
            if (present) {
                pullLog.line("re-pull failed, using the image on the host: " + why);
                return Optional.empty();
            }
            return Optional.of("image " + image + " could not be pulled: " + why);
        }
    }

    /** {@code :latest} or no tag at all: what the name points at moves, so it is pulled again. */
    public static boolean floating(String image) {
        return image.endsWith(":latest")
                || (!image.contains("@") && !image.substring(image.lastIndexOf('/') + 1).contains(":"));
    }

    /** The last lines of the container's log (stdout and stderr), shortened from the front; never throws. */
    public String lastLogLines(String containerId) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            docker.logs(containerId, LOG_TAIL, false, out, out, LOGS_TIMEOUT);
        } catch (DockerHostException e) {
            return "(logs unavailable: " + e.kind() + ")";
        }
        String text = out.toString(StandardCharsets.UTF_8).strip();
        return text.length() <= LOG_CHARS ? text : "..." + text.substring(text.length() - LOG_CHARS);
    }

    /** The digest the image was pulled by (repo@sha256:...), else the local image id; null without the image. */
    public static String digest(String image, Optional<DockerHost.ImageInfo> info) {
        return info.map(i -> {
            String repo = image.contains("@") ? image.substring(0, image.indexOf('@'))
                    : image.lastIndexOf(':') > image.lastIndexOf('/') ? image.substring(0, image.lastIndexOf(':')) : image;
            return i.repoDigests().stream().filter(d -> d.startsWith(repo + "@")).findFirst()
                    .map(d -> d.substring(d.indexOf('@') + 1)).orElse(i.id());
        }).orElse(null);
    }
}
