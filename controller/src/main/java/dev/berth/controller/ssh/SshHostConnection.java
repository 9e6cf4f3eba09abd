package dev.berth.controller.ssh;

import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import net.schmizz.concurrent.Promise;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.common.DisconnectReason;
import net.schmizz.sshj.common.SSHPacket;
import net.schmizz.sshj.connection.Connection;
import net.schmizz.sshj.connection.ConnectionException;
import net.schmizz.sshj.connection.channel.OpenFailException;
import net.schmizz.sshj.connection.channel.direct.Session;
import net.schmizz.sshj.transport.TransportException;
import net.schmizz.sshj.userauth.UserAuthException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one long-lived SSH connection to a host, shared by every operation on it.
 *
 * <ul>
 *   <li>Channels (exec sessions, socket forwards) are bounded by a fair semaphore of
 *       {@link SshTarget#maxConcurrentOperations()} slots.</li>
 *   <li>The underlying sshj client is a <em>generation</em>, reference-counted by the operations using it. When it
 *       drops (or is recycled, or this handle closed) it is retired: new operations get a new generation, and the
 *       retired one is disconnected only when its last operation has finished — nobody's operation is killed because
 *       someone else reconnected.</li>
 *   <li>Connecting is lazy, serialized, and paced by exponential backoff after failures: during the pause, callers
 *       get the last failure at once instead of hammering the host.</li>
 * </ul>
 */
public final class SshHostConnection implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SshHostConnection.class);
    /** Keep-alives in a row without an answer after which the connection is given up. */
    static final int MAX_UNANSWERED_KEEP_ALIVES = 4;
    /** How long a command's stdin copy may still run after its output ended, before the command is asked if it exited. */
    private static final Duration STDIN_GRACE = Duration.ofMillis(500);

    private final SshTarget target;
    private final SshSettings settings;
    private final SshMetrics metrics;
    private final ScheduledExecutorService scheduler;
    private final ExecutorService pumps;
    private final HostKeyVerifier verifier;
    private final Semaphore slots;
    private final AtomicInteger openChannels = new AtomicInteger();
    private final AtomicInteger peakChannels = new AtomicInteger();
    private final Timer execTimer;
    private final Timer channelOpenTimer;
    private final List<Runnable> idleReclaimers = new CopyOnWriteArrayList<>();

    private final ReentrantLock connectLock = new ReentrantLock();
    /** Written under connectLock; volatile for {@link #isConnected()}, which does not wait for a connect. */
    private volatile Generation current;
    private int generationCounter;
    private SshFailure lastFailure;
    private long nextAttemptNanos;
    private Duration backoff;
    private volatile boolean closed;
    private volatile String cipherSuite;
    private final AtomicLong keyExchanges = new AtomicLong();
    private final Consumer<String> onLost;

    SshHostConnection(SshTarget target, SshSettings settings, SshMetrics metrics,
                      ScheduledExecutorService scheduler, ExecutorService pumps, Consumer<String> onLost) {
        this.onLost = onLost;
        this.target = target;
        this.settings = settings;
        this.metrics = metrics;
        this.scheduler = scheduler;
        this.pumps = pumps;
        this.verifier = new HostKeyVerifier(target.id(), target.hostKeyPolicy());
        this.slots = new Semaphore(target.maxConcurrentOperations(), true);
        this.backoff = settings.backoffInitial();
        metrics.trackOpenChannels(target.id(), openChannels);
        this.execTimer = metrics.operation(target.id(), "exec");
        this.channelOpenTimer = metrics.operation(target.id(), "channel-open");
    }

    public SshTarget target() {
        return target;
    }

    /** The host-key fingerprint now trusted (pinned, recorded, or just trusted on first use), or null. */
    public String trustedHostKeyFingerprint() {
        return verifier.trustedFingerprint();
    }

    /** What the last host-key check decided (e.g. TRUSTED_ON_FIRST_USE: the caller should record the fingerprint). */
    public HostKeyVerifier.Verdict lastHostKeyVerdict() {
        return verifier.lastVerdict();
    }

    /**
     * The cipher and MAC of the last connection's packets, e.g. {@code aes128-ctr with hmac-sha2-256-etm@openssh.com}
     * (both directions, or each one's when they differ); null before the first key exchange.
     */
    public String cipherSuite() {
        return cipherSuite;
    }

    /** Key exchanges on this handle's connections: one per connection, plus one per re-key the host or sshj asked for. */
    public long keyExchanges() {
        return keyExchanges.get();
    }

    /**
     * Whether the current connection is up (false before the first operation, after it was lost — a keep-alive
     * found the host silent, say — and until the next operation reconnects).
     */
    public boolean isConnected() {
        Generation g = current;
        return g != null && g.client.isConnected();
    }

    /** Channels open now. */
    public int openChannels() {
        return openChannels.get();
    }

    /** The most channels ever open at once on this handle. */
    public int peakOpenChannels() {
        return peakChannels.get();
    }

    /** Number of the current connection generation (1 for the first connection, +1 per reconnect). */
    public int generation() {
        connectLock.lock();
        try {
            return generationCounter;
        } finally {
            connectLock.unlock();
        }
    }

    /**
     * Registers something that can give channel slots back on demand (e.g. an HTTP pool closing its idle
     * connections); run when an operation finds no free slot.
     */
    public void onSlotShortage(Runnable reclaimer) {
        idleReclaimers.add(reclaimer);
    }

    /** Whether operations are waiting for a channel slot: holders of idle channels should give theirs back. */
    public boolean hasSlotWaiters() {
        return slots.hasQueuedThreads();
    }

    /** Connects (or checks the live connection) without running anything. */
    public void ensureConnected() throws SshFailure {
        Generation g = acquireGeneration();
        g.release();
    }

    /** Retires the current connection: the next operation reconnects; operations in flight finish on the old one. */
    public void recycle() {
        connectLock.lock();
        try {
            if (current != null) {
                current.retire();
                current = null;
            }
        } finally {
            connectLock.unlock();
        }
    }

    /**
     * Runs {@code command} on the host, streaming its output to {@code stdout} and {@code stderr} as it comes
     * (nothing is held in memory). On timeout the remote command's channel is closed.
     */
    public ExecResult exec(String command, OutputStream stdout, OutputStream stderr, Duration timeout)
            throws SshFailure, IOException, InterruptedException {
        return exec(command, null, stdout, stderr, timeout);
    }

    /**
     * Like {@link #exec(String, OutputStream, OutputStream, Duration)}, with {@code stdin} streamed to the command as
     * it is read (flow-controlled by the channel's window, nothing buffered beyond it) and closed (EOF) at its end.
     * When reading {@code stdin} fails, the channel is closed without EOF and that failure is thrown: the command
     * never sees a clean end of its input followed by a success reported here.
     */
    public ExecResult exec(String command, InputStream stdin, OutputStream stdout, OutputStream stderr,
                           Duration timeout) throws SshFailure, IOException, InterruptedException {
        Duration limit = timeout != null ? timeout : settings.operationTimeout();
        long started = System.nanoTime();
        acquireSlot();
        Generation g = null;
        Session session = null;
        ScheduledFuture<?> watchdog = null;
        AtomicBoolean timedOut = new AtomicBoolean();
        channelOpened();
        try {
            g = acquireGeneration();
            try {
                session = g.client.startSession();
            } catch (OpenFailException e) {
                throw refused("an exec session", e);
            } catch (ConnectionException | TransportException e) {
                throw lost(g, e);
            }
            Session.Command cmd;
            try {
                cmd = session.exec(command);
            } catch (ConnectionException | TransportException e) {
                throw lost(g, e);
            }
            Session toClose = session;
            watchdog = scheduler.schedule(() -> {
                timedOut.set(true);
                closeQuietly(toClose);
            }, limit.toMillis(), TimeUnit.MILLISECONDS);
            Future<?> errPump = pumps.submit(() -> {
                pump(cmd.getErrorStream(), stderr);
                return null;
            });
            AtomicReference<IOException> stdinFailure = new AtomicReference<>();
            Future<?> inPump = stdin == null ? null : pumps.submit(() -> {
                OutputStream toCommand = cmd.getOutputStream();
                byte[] buf = new byte[16 * 1024];
                while (true) {
                    int n;
                    try {
                        n = stdin.read(buf);
                    } catch (IOException e) {
                        stdinFailure.set(e);
                        closeQuietly(toClose); // no EOF: the command's input ends by the channel going away
                        return null;
                    }
                    if (n < 0) {
                        break;
                    }
                    toCommand.write(buf, 0, n); // a failure here is the channel's: an ExecutionException below
                }
                // flush() first: sshj's close() flushes without waiting for window space and, when the host's window
                // is full at that moment, sends EOF with the last bytes still buffered (seen: 3 bytes lost of 7 MiB).
                toCommand.flush();
                toCommand.close(); // EOF
                return null;
            });
            try {
                pump(cmd.getInputStream(), stdout);
            } catch (IOException e) {
                if (stdinFailure.get() != null) {
                    throw stdinFailure.get(); // the channel went away because stdin failed: that is the cause
                }
                throw e;
            }
            if (inPump != null) {
                try {
                    awaitStdin(inPump, cmd, started + limit.toNanos());
                } catch (java.util.concurrent.ExecutionException e) {
                    // Not all of stdin reached the command (it stopped reading, or the channel failed): whatever it
                    // reports, it did not get its whole input.
                    throw new IOException("the command on " + target.address() + " did not take all of its input: "
                            + describe(e.getCause()));
                }
                if (stdinFailure.get() != null) {
                    throw stdinFailure.get();
                }
            }
            try {
                errPump.get(Math.max(1, limit.toMillis()), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                if (!timedOut.get()) {
                    throw e.getCause() instanceof IOException io ? io : new IOException("stderr copy failed", e.getCause());
                }
            } catch (java.util.concurrent.TimeoutException e) {
                timedOut.set(true);
            }
            cmd.join(Math.max(1, limit.toMillis()), TimeUnit.MILLISECONDS);
            if (timedOut.get()) {
                throw new SshFailure.Timeout(target.id(), "the command on " + target.address()
                        + " did not finish within " + limit.toSeconds() + " s");
            }
            return new ExecResult(cmd.getExitStatus(), cmd.getExitSignal() == null ? null : cmd.getExitSignal().name());
        } catch (IOException e) {
            if (timedOut.get() && !(e instanceof SshFailure)) {
                throw new SshFailure.Timeout(target.id(), "the command on " + target.address()
                        + " did not finish within " + limit.toSeconds() + " s");
            }
            throw e;
        } finally {
            if (watchdog != null) {
                watchdog.cancel(false);
            }
            closeQuietly(session);
            channelClosed();
            if (g != null) {
                g.release();
            }
            slots.release();
            execTimer.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Waits for the stdin copy once the command's output has ended. A command that exits without reading all of its
     * input leaves the copy waiting for window space that never comes, inside sshj's synchronized channel stream —
     * which sshj's one reader thread needs to close the channel, so every channel of the connection would stall for
     * the connection timeout. Once the command has exited, the copy is interrupted instead.
     */
    private void awaitStdin(Future<?> inPump, Session.Command cmd, long deadlineNanos)
            throws java.util.concurrent.ExecutionException, InterruptedException, IOException {
        while (true) {
            try {
                inPump.get(STDIN_GRACE.toMillis(), TimeUnit.MILLISECONDS);
                return;
            } catch (java.util.concurrent.TimeoutException e) {
                boolean exited = cmd.getExitStatus() != null || cmd.getExitSignal() != null || !cmd.isOpen();
                if (exited || System.nanoTime() > deadlineNanos) {
                    inPump.cancel(true);
                    throw new IOException("the command on " + target.address() + " "
                            + (exited ? "exited" : "timed out") + " without taking all of its input");
                }
            }
        }
    }

    /** Opens a byte stream to the Unix socket {@code socketPath} on the host (e.g. the Docker socket). */
    public SshChannel openUnixSocket(String socketPath) throws SshFailure, InterruptedException {
        acquireSlot();
        channelOpened();
        Generation g = null;
        long started = System.nanoTime();
        try {
            g = acquireGeneration();
            StreamLocalChannel channel = new StreamLocalChannel(g.client.getConnection(), socketPath);
            try {
                channel.open();
            } catch (OpenFailException e) {
                throw refused("the socket " + socketPath, e);
            } catch (ConnectionException | TransportException e) {
                throw lost(g, e);
            }
            channelOpenTimer.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
            return new Lease(channel, g);
        } catch (SshFailure | RuntimeException e) {
            channelClosed();
            if (g != null) {
                g.release();
            }
            slots.release();
            throw e;
        }
    }

    /** Closes this handle: no new operations; the connection goes when the operations in flight have finished. */
    @Override
    public void close() {
        connectLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            if (current != null) {
                current.retire();
                current = null;
            }
        } finally {
            connectLock.unlock();
        }
        metrics.untrackOpenChannels(target.id(), openChannels);
    }

    public boolean isClosed() {
        return closed;
    }

    // --- slots and generations ------------------------------------------------------------------------------------

    private void acquireSlot() throws SshFailure, InterruptedException {
        if (slots.tryAcquire()) {
            return;
        }
        for (Runnable reclaimer : idleReclaimers) {
            try {
                reclaimer.run();
            } catch (RuntimeException e) {
                LOG.debug("host {}: reclaiming idle channels failed", target.id(), e);
            }
        }
        if (!slots.tryAcquire(settings.channelWait().toMillis(), TimeUnit.MILLISECONDS)) {
            throw new SshFailure.Timeout(target.id(), "all " + target.maxConcurrentOperations()
                    + " channels to " + target.address() + " stayed busy for " + settings.channelWait().toSeconds()
                    + " s; raise maxConcurrentOperations or look for stuck operations");
        }
    }

    private void channelOpened() {
        int now = openChannels.incrementAndGet();
        peakChannels.accumulateAndGet(now, Math::max);
    }

    private void channelClosed() {
        openChannels.decrementAndGet();
    }

    private Generation acquireGeneration() throws SshFailure {
        connectLock.lock();
        try {
            if (closed) {
                throw new SshFailure.Unreachable(target.id(), "the connection to " + target.address()
                        + " has been closed", null);
            }
            Generation g = current;
            if (g != null && g.client.isConnected() && g.client.isAuthenticated()) {
                g.retain();
                return g;
            }
            if (g != null) {
                LOG.info("host {}: connection {} to {} was lost; reconnecting", target.id(), g.number, target.address());
                g.retire();
                current = null;
            }
            if (lastFailure != null && System.nanoTime() < nextAttemptNanos) {
                throw again(lastFailure);
            }
            try {
                g = connect();
            } catch (SshFailure f) {
                lastFailure = f;
                nextAttemptNanos = System.nanoTime() + backoff.toNanos();
                Duration doubled = backoff.multipliedBy(2);
                backoff = doubled.compareTo(settings.backoffMax()) > 0 ? settings.backoffMax() : doubled;
                metrics.connectionFailed(target.id(), f.reason());
                throw f;
            }
            lastFailure = null;
            backoff = settings.backoffInitial();
            current = g;
            g.retain();
            return g;
        } finally {
            connectLock.unlock();
        }
    }

    private Generation connect() throws SshFailure {
        int timeoutMs = (int) settings.connectTimeout().toMillis();
        SSHClient client = new SSHClient(SshClientConfig.create());
        client.setSocketFactory(SshClientConfig.SOCKETS);
        client.addHostKeyVerifier(verifier);
        // Told when the transport ends: by the host, the network, unanswered keep-alives — or by us closing it,
        // which is not a loss (the generation says so before closing).
        AtomicReference<Generation> established = new AtomicReference<>();
        client.getTransport().setDisconnectListener((reason, message) -> {
            Generation lost = established.get();
            if (lost != null && !lost.closing) {
                connectionLost(lost, reason, message);
            }
        });
        client.getTransport().addAlgorithmsVerifier(a -> {
            String up = a.getClient2ServerCipherAlgorithm() + " with " + a.getClient2ServerMACAlgorithm();
            String down = a.getServer2ClientCipherAlgorithm() + " with " + a.getServer2ClientMACAlgorithm();
            cipherSuite = up.equals(down) ? up : up + " up, " + down + " down";
            keyExchanges.incrementAndGet();
            return true;
        });
        client.setConnectTimeout(timeoutMs);
        client.getTransport().setTimeoutMs(timeoutMs);
        client.getConnection().setTimeoutMs(timeoutMs);
        String where = target.address();
        try {
            try {
                client.connect(target.host(), target.port());
            } catch (TransportException e) {
                if (verifier.lastVerdict() == HostKeyVerifier.Verdict.MISMATCH
                        || e.getDisconnectReason() == DisconnectReason.HOST_KEY_NOT_VERIFIABLE) {
                    throw mismatch();
                }
                throw new SshFailure.Unreachable(target.id(), "SSH handshake with " + where + " failed: "
                        + describe(e), null);
            } catch (UnknownHostException e) {
                throw new SshFailure.Unreachable(target.id(), "cannot resolve host name " + target.host(), null);
            } catch (ConnectException | NoRouteToHostException | SocketTimeoutException e) {
                throw new SshFailure.Unreachable(target.id(), "cannot connect to " + target.host() + ":" + target.port()
                        + " (" + describe(e) + "); is the host up and sshd listening?", null);
            } catch (IOException e) {
                throw new SshFailure.Unreachable(target.id(), "cannot connect to " + where + ": " + describe(e), null);
            }
            // A verifier that accepted nothing would be a bug; make sure a key was actually checked.
            if (verifier.lastVerdict() == HostKeyVerifier.Verdict.NONE) {
                throw mismatch();
            }
            try {
                client.authPublickey(target.user(), target.key().provider());
            } catch (UserAuthException e) {
                throw new SshFailure.AuthenticationFailed(target.id(), where + " refused the private key (" + target.key()
                        + "); check that its public key is in ~" + target.user() + "/.ssh/authorized_keys on the host");
            } catch (TransportException e) {
                throw new SshFailure.Unreachable(target.id(), "connection to " + where + " dropped during authentication: "
                        + describe(e), null);
            }
            warmUp(client);
        } catch (SshFailure f) {
            closeQuietly(client);
            LOG.warn("host {}: {}", target.id(), f.getMessage());
            throw f;
        }
        Generation g = new Generation(client, ++generationCounter);
        established.set(g);
        g.keepAlives.start();
        metrics.connectionOpened(target.id());
        LOG.info("host {}: connected to {} (connection {}, host key {}, {})", target.id(), where, g.number,
                verifier.trustedFingerprint(), cipherSuite);
        return g;
    }

    /**
     * One trivial exec right after connecting: OpenSSH's sshd leaves TCP_NODELAY off on a connection until its
     * first session, and forwarded-socket traffic alone would then see Nagle stalls of ~40 ms.
     */
    private void warmUp(SSHClient client) throws SshFailure {
        try (Session session = client.startSession()) {
            Session.Command cmd = session.exec("true");
            cmd.join(settings.connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (IOException e) {
            throw new SshFailure.Unreachable(target.id(), "connected to " + target.address()
                    + " but could not run a command: " + describe(e), null);
        }
    }

    /**
     * A connection's keep-alives: {@code keepalive@openssh.com} every {@code keepAliveInterval} once authenticated;
     * when {@link #MAX_UNANSWERED_KEEP_ALIVES} in a row have no answer (a host, or its sshd, that hangs while its
     * kernel still acknowledges TCP), the transport is ended, which reports the loss. A task on the pool's timer, with
     * the sending (which may block on a full socket) on a pump thread — not sshj's thread per connection.
     */
    private final class KeepAlives implements Runnable {
        private final Generation g;
        private final Queue<Sent> sent = new ConcurrentLinkedQueue<>();
        private volatile ScheduledFuture<?> task;

        KeepAlives(Generation g) {
            this.g = g;
        }

        void start() {
            long every = Math.max(1, settings.keepAliveInterval().toMillis());
            task = scheduler.scheduleWithFixedDelay(this, every, every, TimeUnit.MILLISECONDS);
        }

        void stop() {
            ScheduledFuture<?> t = task;
            if (t != null) {
                t.cancel(false);
            }
        }

        @Override
        public void run() {
            try {
                if (g.closing || !g.client.isConnected()) {
                    stop();
                    return;
                }
                while (!sent.isEmpty() && sent.peek().answered()) {
                    sent.poll();
                }
                if (sent.size() >= MAX_UNANSWERED_KEEP_ALIVES) {
                    stop();
                    // On a pump thread too: ending the transport tries to send a last message, which may block.
                    String why = "no answer to " + sent.size() + " keep-alives in a row, "
                            + settings.keepAliveInterval().toMillis() + " ms apart";
                    pumps.execute(() -> g.client.getTransport().die(
                            new ConnectionException(DisconnectReason.CONNECTION_LOST, why)));
                    return;
                }
                Sent s = new Sent();
                sent.add(s);
                pumps.execute(() -> s.send(g.client.getConnection()));
            } catch (RuntimeException e) {
                // The pool is closing (its pumps refuse work), or sshj refused: the next round, or the transport's end,
                // settles it.
                LOG.debug("host {}: keep-alive round failed: {}", target.id(), e.toString());
            }
        }
    }

    /** One keep-alive: its reply arrives (or not) after the send. */
    private static final class Sent {
        private volatile Promise<SSHPacket, ConnectionException> reply;
        private volatile boolean failed;

        void send(Connection connection) {
            try {
                reply = connection.sendGlobalRequest("keepalive@openssh.com", true, new byte[0]);
            } catch (TransportException e) {
                failed = true; // the transport is ending; its end reports the loss
            }
        }

        /** OpenSSH answers with a failure (it has no such request): any answer shows the host is alive. */
        boolean answered() {
            Promise<SSHPacket, ConnectionException> r = reply;
            return failed || (r != null && r.isFulfilled());
        }
    }

    /** On sshj's thread that saw the transport end (holding its lock): note it and tell the pool, nothing more. */
    private void connectionLost(Generation g, DisconnectReason reason, String message) {
        LOG.warn("host {}: connection {} to {} lost ({}{}); the next operation reconnects", target.id(), g.number,
                target.address(), reason, message == null || message.isBlank() ? "" : ": " + message);
        metrics.connectionLost(target.id());
        if (!closed) {
            onLost.accept(target.id());
        }
    }

    private SshFailure mismatch() {
        String expected = verifier.trustedFingerprint();
        String presented = verifier.lastPresentedFingerprint();
        String how = verifier.policy().mode() == HostKeyPolicy.Mode.Pinned ? "pinned" : "trusted on first use";
        return new SshFailure.HostKeyMismatch(target.id(), target.host() + ":" + target.port()
                + " presented host key " + presented + " but " + expected + " is " + how
                + "; if the host was legitimately re-keyed, set spec.hostKey.fingerprint to the new fingerprint",
                expected, presented);
    }

    private SshFailure refused(String what, OpenFailException e) {
        return new SshFailure.ChannelRefused(target.id(), target.address() + " refused to open " + what + ": "
                + e.getReason() + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")"));
    }

    private SshFailure lost(Generation g, IOException e) {
        connectLock.lock();
        try {
            if (current == g && !g.client.isConnected()) {
                current.retire();
                current = null;
            }
        } finally {
            connectLock.unlock();
        }
        return new SshFailure.Unreachable(target.id(), "connection to " + target.address() + " lost: " + describe(e), null);
    }

    private static SshFailure again(SshFailure f) {
        String msg = f.getMessage() + " (not retried yet: backing off)";
        return switch (f.reason()) {
            case AuthenticationFailed -> new SshFailure.AuthenticationFailed(f.host(), msg);
            case HostKeyMismatch -> new SshFailure.HostKeyMismatch(f.host(), msg,
                    ((SshFailure.HostKeyMismatch) f).expectedFingerprint(),
                    ((SshFailure.HostKeyMismatch) f).presentedFingerprint());
            case Timeout -> new SshFailure.Timeout(f.host(), msg);
            case ChannelRefused -> new SshFailure.ChannelRefused(f.host(), msg);
            case Unreachable -> new SshFailure.Unreachable(f.host(), msg, null);
        };
    }

    private static String describe(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    private static void pump(InputStream in, OutputStream out) throws IOException {
        byte[] buf = new byte[16 * 1024];
        int n;
        while ((n = in.read(buf)) >= 0) {
            if (out != null) {
                out.write(buf, 0, n);
                out.flush();
            }
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception ignored) {
            // closing a channel or client that is already gone
        }
    }

    /** One sshj client and the operations using it. */
    private final class Generation {
        final SSHClient client;
        final int number;
        private int refs;
        private boolean retired;
        /** Set before Berth closes it: the transport's end is then not a loss. */
        volatile boolean closing;
        final KeepAlives keepAlives = new KeepAlives(this);

        Generation(SSHClient client, int number) {
            this.client = client;
            this.number = number;
        }

        synchronized void retain() {
            refs++;
        }

        synchronized void release() {
            refs--;
            if (retired && refs == 0) {
                disconnect();
            }
        }

        synchronized void retire() {
            retired = true;
            if (refs == 0) {
                disconnect();
            }
        }

        private void disconnect() {
            closing = true;
            keepAlives.stop();
            LOG.debug("host {}: closing connection {}", target.id(), number);
            closeQuietly(client);
        }
    }

    /** A forwarded-socket channel holding a slot and its generation. */
    private final class Lease implements SshChannel {
        private final StreamLocalChannel channel;
        private final Generation generation;
        private final AtomicBoolean closedOnce = new AtomicBoolean();

        Lease(StreamLocalChannel channel, Generation generation) {
            this.channel = channel;
            this.generation = generation;
        }

        @Override
        public InputStream getInputStream() {
            return channel.getInputStream();
        }

        @Override
        public OutputStream getOutputStream() {
            return channel.getOutputStream();
        }

        @Override
        public boolean isOpen() {
            return channel.isOpen() && !channel.isEOF();
        }

        @Override
        public void close() {
            if (!closedOnce.compareAndSet(false, true)) {
                return;
            }
            closeQuietly(channel);
            channelClosed();
            generation.release();
            slots.release();
        }
    }
}
