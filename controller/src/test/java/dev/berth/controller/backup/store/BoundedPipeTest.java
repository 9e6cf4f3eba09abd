package dev.berth.controller.backup.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class BoundedPipeTest {

    @Test
    void bytesPassInOrderAndTheEndIsAnEndOfStream() throws Exception {
        BoundedPipe pipe = new BoundedPipe(7);
        byte[] data = new byte[1000];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) i;
        }
        CompletableFuture<byte[]> read = CompletableFuture.supplyAsync(() -> {
            try {
                return pipe.inputStream().readAllBytes();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        pipe.write(data, 0, 500);
        pipe.write(data, 500, 500);
        pipe.close();
        assertThat(read.get()).isEqualTo(data);
    }

    @Test
    void aFullPipeHoldsTheWriterBack() {
        BoundedPipe pipe = new BoundedPipe(4);
        CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
            try {
                pipe.write(new byte[10], 0, 10);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        // Nobody reads: the writer waits (it cannot have put 10 bytes into 4).
        assertThat(writing).isNotDone();
        InputStream in = pipe.inputStream();
        await().untilAsserted(() -> {
            in.read(new byte[10]);
            assertThat(writing).isDone();
        });
    }

    @Test
    void aWriterFailureReachesTheReaderNotAsAnEndOfStream() throws Exception {
        BoundedPipe pipe = new BoundedPipe(16);
        pipe.write(new byte[3], 0, 3);
        pipe.fail(new IOException("aborted"));
        InputStream in = pipe.inputStream();
        assertThatThrownBy(() -> in.read(new byte[16])).isInstanceOf(IOException.class).hasMessage("aborted");
    }

    @Test
    void aReaderFailureReleasesABlockedWriter() throws Exception {
        BoundedPipe pipe = new BoundedPipe(4);
        CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
            try {
                pipe.write(new byte[10], 0, 10);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        pipe.failReader(new IOException("disk full"));
        await().until(writing::isDone);
        assertThat(writing).isCompletedExceptionally();
        assertThatThrownBy(() -> pipe.write(new byte[1], 0, 1)).hasMessage("disk full");
    }
}
