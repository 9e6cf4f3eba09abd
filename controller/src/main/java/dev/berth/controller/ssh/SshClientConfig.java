package dev.berth.controller.ssh;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.Provider;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import javax.net.SocketFactory;
import net.schmizz.sshj.DefaultConfig;
import net.schmizz.sshj.common.Factory;
import net.schmizz.sshj.transport.cipher.Cipher;
import net.schmizz.sshj.transport.mac.MAC;

/**
 * How Berth's SSH clients are set up beyond sshj's defaults: ciphers and MACs computed by the JDK and offered in an
 * order that is cheap for many small Docker API messages, and TCP_NODELAY on the connection's socket. (Keep-alives
 * are {@link SshHostConnection}'s, on the pool's timer.)
 */
final class SshClientConfig {

    /**
     * Ciphers tried first, in this order; sshj's others follow in its own order. AES-CTR is computed by the JDK (see
     * {@link JdkCrypto}) on the CPU's AES instructions; sshj's default first choice, chacha20-poly1305, and everything
     * sshj computes through Bouncy Castle (GCM included) are plain Java.
     */
    static final List<String> PREFERRED_CIPHERS = List.of(
            "aes128-ctr", "aes128-gcm@openssh.com", "aes256-ctr", "aes256-gcm@openssh.com");

    /** MACs tried first (for the CTR ciphers; GCM brings its own): encrypt-then-MAC SHA-2 before sshj's SHA-1. */
    static final List<String> PREFERRED_MACS = List.of(
            "hmac-sha2-256-etm@openssh.com", "hmac-sha2-512-etm@openssh.com", "hmac-sha2-256", "hmac-sha2-512");

    private SshClientConfig() {
    }

    static DefaultConfig create() {
        DefaultConfig config = new DefaultConfig();
        List<Factory.Named<Cipher>> ciphers = config.getCipherFactories();
        List<Factory.Named<MAC>> macs = config.getMACFactories();
        Provider jdk = JdkCrypto.provider();
        if (jdk != null) {
            ciphers = replaced(ciphers, JdkCrypto.ciphers(jdk));
            macs = replaced(macs, JdkCrypto.macs(jdk));
        }
        config.setCipherFactories(preferred(ciphers, PREFERRED_CIPHERS));
        config.setMACFactories(preferred(macs, PREFERRED_MACS));
        return config;
    }

    /** {@code available}, each one that {@code replacements} has a factory of the same name for replaced by it. */
    static <T> List<Factory.Named<T>> replaced(List<Factory.Named<T>> available, List<Factory.Named<T>> replacements) {
        List<Factory.Named<T>> result = new ArrayList<>(available.size());
        for (Factory.Named<T> f : available) {
            result.add(replacements.stream().filter(r -> r.getName().equals(f.getName())).findFirst().orElse(f));
        }
        return result;
    }

    /** {@code available} with the {@code first} names moved to the front in that order (a stable sort). */
    static <T> List<Factory.Named<T>> preferred(List<Factory.Named<T>> available, List<String> first) {
        List<Factory.Named<T>> ordered = new ArrayList<>(available);
        ordered.sort(Comparator.comparingInt(f -> {
            int i = first.indexOf(f.getName());
            return i < 0 ? first.size() : i;
        }));
        return ordered;
    }

    /**
     * The sockets of Berth's SSH connections.
     * <ul>
     *   <li>TCP_NODELAY: an SSH packet is a whole message (an HTTP request, a window adjustment), so holding a small
     *       one back until the previous one is acknowledged (Nagle) only adds the peer's delayed-ACK time, ~40 ms.</li>
     *   <li>A buffered input stream: sshj's reader asks the socket for exactly the bytes its decoder needs next (the
     *       first cipher block, then the rest of the packet), which costs a system call per piece; buffered, one
     *       call takes whatever has arrived, usually several packets.</li>
     * </ul>
     */
    static final SocketFactory SOCKETS = new SocketFactory() {
        @Override
        public Socket createSocket() throws IOException {
            Socket s = new BufferedSocket();
            s.setTcpNoDelay(true);
            return s;
        }

        // sshj calls only createSocket() and then connect(); the other forms make the same socket.
        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return connected(null, new InetSocketAddress(host, port));
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            return connected(new InetSocketAddress(localHost, localPort), new InetSocketAddress(host, port));
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            return connected(null, new InetSocketAddress(host, port));
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
                throws IOException {
            return connected(new InetSocketAddress(localAddress, localPort), new InetSocketAddress(address, port));
        }

        private Socket connected(InetSocketAddress local, InetSocketAddress remote) throws IOException {
            Socket s = createSocket();
            if (local != null) {
                s.bind(local);
            }
            s.connect(remote);
            return s;
        }
    };

    /** A plain TCP socket whose input stream is buffered (one buffer for the socket's life). */
    static final class BufferedSocket extends Socket {
        private static final int BUFFER = 64 * 1024;
        private InputStream in;

        @Override
        public synchronized InputStream getInputStream() throws IOException {
            if (in == null) {
                in = new BufferedInputStream(super.getInputStream(), BUFFER);
            }
            return in;
        }
    }
}
