package dev.berth.controller.docker;

import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How long a Docker API request may wait for its response's next bytes.
 *
 * <p>Most requests are calls: Docker answers at once or not at all, and a dockerd that hangs (it happens: `docker ps`
 * that never returns is a classic) must not hold a reconcile for minutes. They get the short call limit. Streams
 * (an image pull, a followed log, an exec's output, waiting for a container) may rightly be silent for a long time
 * and get the idle limit instead. Stopping or restarting a container waits for its grace period first, so those get
 * the call limit plus the grace period ({@code t}, Docker's default 10 s when absent).
 */
final class ResponseLimits {

    /** Streaming endpoints (path without the /v1.xx prefix), with the methods they stream on: one pattern, one match. */
    private static final Pattern STREAMS = Pattern.compile(String.join("|", List.of(
            "POST /images/create",                 // pull
            "POST /images/[^?]+/push",
            "POST /images/load",
            "GET /images/([^?]+/)?get",
            "POST /build",
            "GET /containers/[^/?]+/logs",
            "GET /containers/[^/?]+/stats",
            "GET /containers/[^/?]+/export",
            "(GET|PUT|HEAD) /containers/[^/?]+/archive",
            "(POST|GET) /containers/[^/?]+/attach(/ws)?",
            "POST /containers/[^/?]+/wait",
            "POST /exec/[^/?]+/start",
            "GET /events")));

    private static final Pattern VERSION_PREFIX = Pattern.compile("^/v[0-9]+(\\.[0-9]+)?(?=/)");
    private static final Pattern GRACEFUL = Pattern.compile("POST /containers/[^/?]+/(stop|restart)");
    private static final Pattern GRACE_PARAM = Pattern.compile("[?&]t=(-?[0-9]{1,9})(?:&|$)");
    private static final Duration DOCKER_DEFAULT_GRACE = Duration.ofSeconds(10);

    private ResponseLimits() {
    }

    /** The response limit of {@code method path} (path as sent, with version prefix and query). */
    static Duration of(String method, String path, Duration call, Duration idle) {
        String p = VERSION_PREFIX.matcher(path).replaceFirst("");
        int query = p.indexOf('?');
        String request = method + " " + (query < 0 ? p : p.substring(0, query));
        if (STREAMS.matcher(request).matches()) {
            return idle;
        }
        if (GRACEFUL.matcher(request).matches()) {
            Matcher t = GRACE_PARAM.matcher(query < 0 ? "" : p.substring(query));
            Duration grace = t.find() ? Duration.ofSeconds(Math.max(0, Long.parseLong(t.group(1))))
                    : DOCKER_DEFAULT_GRACE;
            return call.plus(grace);
        }
        return call;
    }
}
