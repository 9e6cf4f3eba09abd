package dev.berth.controller.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.controller.testbed.TestBed;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A command's stdin streamed over the test bed's real sshd. */
class SshExecStdinIT {
    private SshConnectionPool pool;
    private SshHostConnection connection;

    @BeforeEach
    void setUp() throws Exception {
        TestBed.Host h = TestBed.get().host(1);
        pool = new SshConnectionPool(new SimpleMeterRegistry(), SshSettings.defaults());
        connection = pool.connection(new SshTarget("it/stdin", h.address(), h.port(), h.user(),
                SshKey.load(h.privateKey(), null), HostKeyPolicy.pinned(h.hostKeyFingerprint()), 4));
    }

    @AfterEach
    void tearDown() {
        pool.close();
    }

    @Test
    void stdinIsStreamedToTheCommandAndEndsWithEof() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        // 5 MiB: more than any window or buffer on the way, so it must flow as the command reads.
        InputStream five = new ByteArrayInputStream(new byte[5 * 1024 * 1024]);
        ExecResult r = connection.exec("wc -c", five, out, OutputStream.nullOutputStream(), Duration.ofSeconds(60));
        assertThat(r.succeeded()).isTrue();
        assertThat(out.toString(StandardCharsets.UTF_8).trim()).isEqualTo(Integer.toString(5 * 1024 * 1024));
    }

    @Test
    void aStdinThatFailsIsThrownNotReportedAsTheCommandsSuccess() {
        InputStream breaks = new SequenceInputStream(new ByteArrayInputStream(new byte[100_000]), new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("source broke");
            }
        });
        assertThatThrownBy(() -> connection.exec("cat > /dev/null", breaks, OutputStream.nullOutputStream(),
                OutputStream.nullOutputStream(), Duration.ofSeconds(60)))
                .isInstanceOf(IOException.class).hasMessage("source broke");
        assertThat(connection.openChannels()).isZero();
    }

    /**
     * A command that exits without reading its input: the copy is stopped, not left waiting for window space inside
     * sshj's channel stream (where it would hold up sshj's reader thread, and every channel, for the connection
     * timeout, and end as "Timeout when trying to expand the window size"). Other operations go on.
     */
    @Test
    void aCommandThatExitsWithoutReadingItsInputEndsTheCopy() throws Exception {
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                return 0;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                return len;
            }
        };
        assertThatThrownBy(() -> connection.exec("exit 3", endless, OutputStream.nullOutputStream(),
                OutputStream.nullOutputStream(), Duration.ofSeconds(60)))
                // Either the copy is interrupted once the command has exited, or (when the channel closed first) its
                // write fails at once: never the 10 s wait for window space.
                .isInstanceOf(IOException.class).hasMessageContaining("all of its input")
                .hasMessageNotContaining("window");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(connection.exec("echo still here", out, OutputStream.nullOutputStream(), Duration.ofSeconds(30))
                .succeeded()).isTrue();
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("still here\n");
        assertThat(connection.openChannels()).isZero();
    }
}
