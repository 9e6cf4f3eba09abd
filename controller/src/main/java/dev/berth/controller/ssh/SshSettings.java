package dev.berth.controller.ssh;

import java.time.Duration;

/**
 * Timeouts and retry pacing shared by every host connection.
 *
 * @param connectTimeout     TCP connect, key exchange, authentication and channel opening
 * @param operationTimeout   default limit for one operation (an exec) when the caller gives none
 * @param channelWait        how long an operation waits for one of the host's channel slots
 * @param keepAliveInterval  SSH keep-alive period; a connection whose host leaves 4 in a row unanswered is dropped
 *                           (a minute at the default 15 s) and the next operation reconnects
 * @param backoffInitial     first pause after a failed connect before the next attempt
 * @param backoffMax         longest pause between connect attempts
 */
public record SshSettings(
        Duration connectTimeout,
        Duration operationTimeout,
        Duration channelWait,
        Duration keepAliveInterval,
        Duration backoffInitial,
        Duration backoffMax) {

    public static SshSettings defaults() {
        return new SshSettings(Duration.ofSeconds(10), Duration.ofMinutes(2), Duration.ofSeconds(30),
                Duration.ofSeconds(15), Duration.ofSeconds(1), Duration.ofSeconds(30));
    }

    public SshSettings withBackoff(Duration initial, Duration max) {
        return new SshSettings(connectTimeout, operationTimeout, channelWait, keepAliveInterval, initial, max);
    }

    public SshSettings withConnectTimeout(Duration timeout) {
        return new SshSettings(timeout, operationTimeout, channelWait, keepAliveInterval, backoffInitial, backoffMax);
    }

    public SshSettings withKeepAliveInterval(Duration interval) {
        return new SshSettings(connectTimeout, operationTimeout, channelWait, interval, backoffInitial, backoffMax);
    }

    public SshSettings withChannelWait(Duration wait) {
        return new SshSettings(connectTimeout, operationTimeout, wait, keepAliveInterval, backoffInitial, backoffMax);
    }
}
