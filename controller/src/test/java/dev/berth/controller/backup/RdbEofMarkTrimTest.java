package dev.berth.controller.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RdbEofMarkTrimTest {
    private static final byte[] MARK = "42e4b46c45d785832a8f68e897b43f8092d975dc".getBytes(StandardCharsets.US_ASCII);

    /** An RDB-shaped stream: random body, the EOF opcode 0xFF, an 8-byte checksum. */
    private static byte[] rdb(int bodyLength, long seed) {
        byte[] b = new byte[bodyLength + 9];
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < bodyLength; i++) {
            b[i] = (byte) r.nextInt(256);
        }
        b[bodyLength] = (byte) 0xFF;
        for (int i = bodyLength + 1; i < b.length; i++) {
            b[i] = (byte) r.nextInt(256);
        }
        return b;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Writes {@code in} in chunks of {@code chunk} bytes; returns what came out. */
    private static byte[] pass(byte[] in, int chunk) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RdbEofMarkTrim trim = new RdbEofMarkTrim(out);
        for (int i = 0; i < in.length; i += chunk) {
            trim.write(in, i, Math.min(chunk, in.length - i));
        }
        trim.finish();
        return out.toByteArray();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 48, 49, 50, 4096})
    void theMarkAfterAnRdbIsDropped(int chunk) throws Exception {
        byte[] rdb = rdb(10_000, chunk);
        assertThat(pass(concat(rdb, MARK), chunk)).isEqualTo(rdb);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 49, 4096})
    void aCleanRdbPassesUnchanged(int chunk) throws Exception {
        byte[] rdb = rdb(10_000, 100 + chunk);
        assertThat(pass(rdb, chunk)).isEqualTo(rdb);
    }

    @Test
    void shortOrForeignStreamsPassUnchanged() throws Exception {
        assertThat(pass(new byte[0], 1)).isEmpty();
        byte[] small = rdb(3, 1);
        assertThat(pass(small, 1)).isEqualTo(small);
        assertThat(pass(MARK, 5)).isEqualTo(MARK);
        // Hex text at the end without the EOF opcode before it: not a mark.
        byte[] text = concat("x".repeat(9).getBytes(StandardCharsets.US_ASCII), MARK);
        assertThat(pass(text, 3)).isEqualTo(text);
    }
}
