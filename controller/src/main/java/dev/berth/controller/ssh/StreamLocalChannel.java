package dev.berth.controller.ssh;

import net.schmizz.sshj.common.SSHPacket;
import net.schmizz.sshj.connection.Connection;
import net.schmizz.sshj.connection.channel.direct.AbstractDirectChannel;

/**
 * OpenSSH's {@code direct-streamlocal@openssh.com} channel: a byte stream to a Unix socket on the host (sshj has
 * none). The open request carries the socket path, then two fields OpenSSH reserves (an empty string and a uint32 0).
 * Forwarding channels do not count against sshd's MaxSessions and need no remote process.
 */
final class StreamLocalChannel extends AbstractDirectChannel {

    static final String TYPE = "direct-streamlocal@openssh.com";

    private final String socketPath;

    StreamLocalChannel(Connection connection, String socketPath) {
        super(connection, TYPE);
        this.socketPath = socketPath;
    }

    @Override
    protected SSHPacket buildOpenReq() {
        return super.buildOpenReq()
                .putString(socketPath)
                .putString("")
                .putUInt32(0);
    }
}
