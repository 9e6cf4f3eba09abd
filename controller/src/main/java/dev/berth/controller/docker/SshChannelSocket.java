package dev.berth.controller.docker;

import dev.berth.controller.ssh.SshChannel;
import dev.berth.controller.ssh.SshHostConnection;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A {@link Socket} whose connection is a forwarded Unix-socket channel on the host's SSH connection: connecting opens
 * the channel (taking one of the host's channel slots), closing closes it. HTTP clients set socket options on it;
 * they are accepted and ignored, except SO_TIMEOUT, which is honoured by a sweep of read deadlines since channel streams have no
 * read timeout of their own.
 */
final class SshChannelSocket extends Socket {

    private static final InetSocketAddress NOWHERE = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    private final SshHostConnection ssh;
    private final String socketPath;
    private final ReadDeadlines deadlines;
    private volatile SshChannel channel;
    private volatile InputStream in;
    private volatile boolean closed;
    private volatile int soTimeoutMs;
    /** {@link System#nanoTime()} by which the read in progress must get data; 0 when no read waits. */
    private volatile long readDeadline;
    private volatile boolean timedOut;

    SshChannelSocket(SshHostConnection ssh, String socketPath, ReadDeadlines deadlines) {
        this.ssh = ssh;
        this.socketPath = socketPath;
        this.deadlines = deadlines;
    }

    @Override
    public void connect(SocketAddress endpoint) throws IOException {
        connect(endpoint, 0);
    }

    @Override
    public void connect(SocketAddress endpoint, int timeout) throws IOException {
        if (closed) {
            throw new SocketException("socket closed");
        }
        try {
            SshChannel c = ssh.openUnixSocket(socketPath);
            channel = c;
            in = new WatchedInputStream(c.getInputStream());
            deadlines.open.add(this);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while opening a channel to " + socketPath);
        }
    }

    @Override
    public InputStream getInputStream() throws IOException {
        if (channel == null) {
            throw new SocketException("not connected");
        }
        return in;
    }

    @Override
    public OutputStream getOutputStream() throws IOException {
        SshChannel c = channel;
        if (c == null) {
            throw new SocketException("not connected");
        }
        return c.getOutputStream();
    }

    @Override
    public synchronized void close() {
        closed = true;
        deadlines.open.remove(this);
        SshChannel c = channel;
        if (c != null) {
            c.close();
        }
    }

    @Override
    public boolean isConnected() {
        return channel != null;
    }

    @Override
    public boolean isBound() {
        return channel != null;
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public boolean isInputShutdown() {
        return closed;
    }

    @Override
    public boolean isOutputShutdown() {
        return closed;
    }

    @Override
    public void shutdownInput() {
        // nothing to do for a channel; close() ends it
    }

    @Override
    public void shutdownOutput() {
        // nothing to do for a channel; close() ends it
    }

    @Override
    public void setSoTimeout(int timeout) {
        soTimeoutMs = Math.max(0, timeout);
    }

    @Override
    public int getSoTimeout() {
        return soTimeoutMs;
    }

    @Override
    public void setTcpNoDelay(boolean on) {
        // the SSH connection's own socket carries the data
    }

    @Override
    public boolean getTcpNoDelay() {
        return true;
    }

    @Override
    public void setKeepAlive(boolean on) {
        // the SSH connection has its own keep-alives
    }

    @Override
    public boolean getKeepAlive() {
        return true;
    }

    @Override
    public void setSoLinger(boolean on, int linger) {
        // not applicable
    }

    @Override
    public int getSoLinger() {
        return -1;
    }

    @Override
    public void setReuseAddress(boolean on) {
        // not applicable
    }

    @Override
    public void setReceiveBufferSize(int size) {
        // the channel window governs this
    }

    @Override
    public void setSendBufferSize(int size) {
        // the channel window governs this
    }

    @Override
    public void setOOBInline(boolean on) {
        // not applicable
    }

    @Override
    public void setTrafficClass(int tc) {
        // not applicable
    }

    @Override
    public InetAddress getInetAddress() {
        return NOWHERE.getAddress();
    }

    @Override
    public InetAddress getLocalAddress() {
        return NOWHERE.getAddress();
    }

    @Override
    public int getPort() {
        return 0;
    }

    @Override
    public int getLocalPort() {
        return -1;
    }

    @Override
    public SocketAddress getRemoteSocketAddress() {
        return NOWHERE;
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
        return NOWHERE;
    }

    @Override
    public String toString() {
        return "SshChannelSocket[" + ssh.target().id() + ":" + socketPath + "]";
    }

    private SocketTimeoutException timedOut(int timeoutMs) {
        return new SocketTimeoutException("no data from " + socketPath + " on " + ssh.target().id()
                + " within " + timeoutMs + " ms");
    }

    /**
     * Reads with SO_TIMEOUT: when nothing is buffered, the read's deadline is published for {@link ReadDeadlines}'
     * sweep, which closes the channel once it has passed. Publishing is a volatile write, so a read that is answered
     * in time costs nothing extra (no task scheduled, no other thread woken).
     */
    private final class WatchedInputStream extends FilterInputStream {
        WatchedInputStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int timeout = soTimeoutMs;
            if (timeout == 0 || in.available() > 0) {
                return in.read(b, off, len);
            }
            readDeadline = (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeout)) | 1L;
            try {
                int n = in.read(b, off, len);
                if (timedOut) {
                    throw timedOut(timeout);
                }
                return n;
            } catch (IOException e) {
                if (timedOut) {
                    throw timedOut(timeout);
                }
                throw e;
            } finally {
                readDeadline = 0;
            }
        }
    }

    /**
     * Every open channel socket of one HTTP client, swept a few times a second for a read whose deadline has passed.
     * Timeouts are late by at most one sweep period, which is nothing against the minutes an idle read may last.
     */
    static final class ReadDeadlines implements AutoCloseable {
        static final Duration SWEEP = Duration.ofMillis(200);

        private final Set<SshChannelSocket> open = ConcurrentHashMap.newKeySet();
        private final ScheduledFuture<?> sweeper;

        ReadDeadlines(ScheduledExecutorService timer) {
            sweeper = timer.scheduleWithFixedDelay(this::sweep, SWEEP.toMillis(), SWEEP.toMillis(),
                    TimeUnit.MILLISECONDS);
        }

        private void sweep() {
            long now = System.nanoTime();
            for (SshChannelSocket s : open) {
                long deadline = s.readDeadline;
                if (deadline != 0 && now - deadline > 0) {
                    s.timedOut = true;
                    s.close();
                }
            }
        }

        @Override
        public void close() {
            sweeper.cancel(false);
        }
    }
}
