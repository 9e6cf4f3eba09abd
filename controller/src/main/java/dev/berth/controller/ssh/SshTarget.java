package dev.berth.controller.ssh;

import java.util.Objects;

/**
 * Everything needed to reach one host. {@code id} names the host in the pool, in logs and in metric tags (e.g. the
 * Server's namespace/name); a target with the same id but other settings (key, host key policy, address) replaces the
 * pooled connection.
 */
public record SshTarget(
        String id,
        String host,
        int port,
        String user,
        SshKey key,
        HostKeyPolicy hostKeyPolicy,
        int maxConcurrentOperations) {

    public SshTarget {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(hostKeyPolicy, "hostKeyPolicy");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1..65535");
        }
        if (maxConcurrentOperations < 1) {
            throw new IllegalArgumentException("maxConcurrentOperations must be at least 1");
        }
    }

    /** user@host:port, for messages. */
    public String address() {
        return user + "@" + host + ":" + port;
    }
}
