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
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A {@link Socket} whose connection is a forwarded Unix-socket channel on the host's SSH connection: connecting opens
 * the channel (taking one of the host's channel slots), closing closes it. HTTP clients set socket options on it;
 * they are accepted and ignored, except SO_TIMEOUT, which is honoured by a watchdog since channel streams have no
 * read timeout of their own.
 */
final class SshChannelSocket extends Socket {

    private static final InetSocketAddress NOWHERE = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    private final SshHostConnection ssh;
    private final String socketPath;
    private final ScheduledExecutorService watchdogs;
    private volatile SshChannel channel;
    private volatile InputStream in;
    private volatile boolean closed;
    private volatile int soTimeoutMs;

    SshChannelSocket(SshHostConnection ssh, String socketPath, ScheduledExecutorService watchdogs) {
        this.ssh = ssh;
        this.socketPath = socketPath;
        this.watchdogs = watchdogs;
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

    /** Reads with SO_TIMEOUT: when nothing is buffered, a watchdog closes the channel if no data comes in time. */
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
            AtomicBoolean fired = new AtomicBoolean();
            ScheduledFuture<?> watchdog = watchdogs.schedule(() -> {
                fired.set(true);
                SshChannelSocket.this.close();
            }, timeout, TimeUnit.MILLISECONDS);
            try {
                int n = in.read(b, off, len);
                if (fired.get()) {
                    throw timedOut(timeout);
                }
                return n;
            } catch (IOException e) {
                if (fired.get()) {
                    throw timedOut(timeout);
                }
                throw e;
            } finally {
                watchdog.cancel(false);
            }
        }
    }
}
