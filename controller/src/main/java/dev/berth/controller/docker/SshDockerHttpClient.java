package dev.berth.controller.docker;

import com.github.dockerjava.transport.DockerHttpClient;
import dev.berth.controller.ssh.SshHostConnection;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.DefaultSchemePortResolver;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.DefaultHttpClientConnectionOperator;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.impl.DefaultConnectionReuseStrategy;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.InputStreamEntity;
import org.apache.hc.core5.http.message.BasicClassicHttpRequest;
import org.apache.hc.core5.pool.PoolConcurrencyPolicy;
import org.apache.hc.core5.pool.PoolReusePolicy;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

/**
 * docker-java's transport, on Apache httpclient5, whose connections are {@code direct-streamlocal} channels to the
 * host's Docker socket on its pooled SSH connection.
 *
 * <p>The HTTP pool is as large as the host's channel slots and never validates idle connections (a stale check
 * would block: channel streams ignore SO_TIMEOUT); a dead idle connection is simply replaced. When an operation
 * finds no free slot, idle HTTP connections are closed to give theirs back, and while anyone waits for a slot a
 * connection is closed after its response instead of being kept for the next request. Hijacked stdin (attach) is not
 * supported here; {@link SshDockerHost#exec} with input speaks it on a channel of its own.
 */
final class SshDockerHttpClient implements DockerHttpClient {

    // The host name is never resolved or dialled: every connection is an SSH channel.
    private static final HttpHost DOCKER = new HttpHost("http", "docker", 80);

    /** An HTTP connection (a channel, holding one of the host's slots) unused this long is closed. */
    static final Duration IDLE_CONNECTION = Duration.ofSeconds(30);

    private final SshChannelSocket.ReadDeadlines deadlines;
    private final ScheduledFuture<?> evictor;
    private final PoolingHttpClientConnectionManager connections;
    private final CloseableHttpClient http;
    private final RequestConfig defaults;
    private final Duration callTimeout;
    private final Duration idleReadTimeout;

    /**
     * @param callTimeout     how long a call (not a stream) may wait for Docker's answer, see {@link ResponseLimits}
     * @param idleReadTimeout how long a stream may be silent
     */
    SshDockerHttpClient(SshHostConnection ssh, String socketPath, Duration callTimeout, Duration idleReadTimeout,
                        ScheduledExecutorService watchdogs) {
        this.callTimeout = callTimeout;
        this.idleReadTimeout = idleReadTimeout;
        deadlines = new SshChannelSocket.ReadDeadlines(watchdogs);
        DnsResolver noDns = new DnsResolver() {
            @Override
            public InetAddress[] resolve(String host) {
                return new InetAddress[] {InetAddress.getLoopbackAddress()};
            }

            @Override
            public String resolveCanonicalHostname(String host) {
                return host;
            }
        };
        DefaultHttpClientConnectionOperator operator = new DefaultHttpClientConnectionOperator(
                proxy -> new SshChannelSocket(ssh, socketPath, deadlines),
                DefaultSchemePortResolver.INSTANCE, noDns, name -> null);
        int max = ssh.target().maxConcurrentOperations();
        connections = new PoolingHttpClientConnectionManager(operator, PoolConcurrencyPolicy.STRICT,
                PoolReusePolicy.LIFO, TimeValue.ofMinutes(10), null);
        connections.setMaxTotal(max);
        connections.setDefaultMaxPerRoute(max);
        connections.setDefaultConnectionConfig(ConnectionConfig.custom()
                .setConnectTimeout(Timeout.ofSeconds(30))
                .setSocketTimeout(Timeout.of(idleReadTimeout))
                .setValidateAfterInactivity(TimeValue.NEG_ONE_MILLISECOND)
                .setTimeToLive(TimeValue.ofMinutes(10))
                .build());
        ssh.onSlotShortage(() -> connections.closeIdle(TimeValue.ZERO_MILLISECONDS));
        defaults = RequestConfig.custom()
                .setConnectionRequestTimeout(Timeout.ofSeconds(60))
                .setResponseTimeout(Timeout.of(idleReadTimeout))
                .setRedirectsEnabled(false)
                .build();
        http = HttpClients.custom()
                .setConnectionManager(connections)
                .setDefaultRequestConfig(defaults)
                // Keep a connection (and its channel slot) for the next request only while nobody waits for a slot:
                // otherwise a busy HTTP pool would starve exec sessions that share the slots.
                .setConnectionReuseStrategy((req, resp, ctx) ->
                        !ssh.hasSlotWaiters() && DefaultConnectionReuseStrategy.INSTANCE.keepAlive(req, resp, ctx))
                .disableAutomaticRetries()
                .disableRedirectHandling()
                .disableCookieManagement()
                .disableAuthCaching()
                .disableContentCompression()
                .build();
        // Idle connections are closed by a task on the shared timer, not by httpclient5's own evictor, which would be
        // a thread per host.
        evictor = watchdogs.scheduleWithFixedDelay(() -> {
            try {
                connections.closeExpired();
                connections.closeIdle(TimeValue.of(IDLE_CONNECTION));
            } catch (RuntimeException e) {
                // never let the shared timer drop this task; the next round tries again
            }
        }, IDLE_CONNECTION.toSeconds() / 3, IDLE_CONNECTION.toSeconds() / 3, TimeUnit.SECONDS);
    }

    @Override
    public Response execute(Request request) {
        if (request.hijackedInput() != null) {
            throw new UnsupportedOperationException("attaching to a container's stdin is not supported over SSH");
        }
        BasicClassicHttpRequest r = new BasicClassicHttpRequest(request.method(), DOCKER, request.path());
        request.headers().forEach(r::addHeader);
        byte[] bytes = request.bodyBytes();
        if (bytes != null) {
            r.setEntity(new ByteArrayEntity(bytes, null));
        } else {
            InputStream body = request.body();
            if (body != null) {
                r.setEntity(new InputStreamEntity(body, null));
            }
        }
        HttpClientContext context = HttpClientContext.create();
        context.setRequestConfig(RequestConfig.copy(defaults).setResponseTimeout(Timeout.of(
                ResponseLimits.of(request.method(), request.path(), callTimeout, idleReadTimeout))).build());
        try {
            return new HttpResponse(http.executeOpen(DOCKER, r, context));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws IOException {
        http.close();
        connections.close();
        evictor.cancel(false);
        deadlines.close();
    }

    private static final class HttpResponse implements Response {
        private final ClassicHttpResponse response;

        HttpResponse(ClassicHttpResponse response) {
            this.response = response;
        }

        @Override
        public int getStatusCode() {
            return response.getCode();
        }

        @Override
        public Map<String, List<String>> getHeaders() {
            Map<String, List<String>> headers = new LinkedHashMap<>();
            for (Header h : response.getHeaders()) {
                headers.computeIfAbsent(h.getName(), k -> new ArrayList<>()).add(h.getValue());
            }
            return headers;
        }

        @Override
        public String getHeader(String name) {
            Header h = response.getFirstHeader(name);
            return h == null ? null : h.getValue();
        }

        @Override
        public InputStream getBody() {
            HttpEntity entity = response.getEntity();
            try {
                return entity == null ? new ByteArrayInputStream(new byte[0]) : entity.getContent();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close() {
            try {
                response.close();
            } catch (IOException ignored) {
                // the connection is discarded either way
            }
        }
    }
}
