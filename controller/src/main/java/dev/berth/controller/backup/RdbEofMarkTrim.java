package dev.berth.controller.backup;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Passes an RDB stream through, holding back its last 49 bytes until {@link #finish}: {@code redis-cli --rdb -}
 * (7.0 and earlier) receives a diskless snapshot followed by the replication stream's EOF mark (40 random characters
 * {@code [0-9a-f]}) and, writing to a pipe it cannot truncate, leaves the mark after the RDB. An RDB ends with the EOF
 * opcode {@code 0xFF} and an 8-byte checksum, so the last 40 bytes of a clean RDB can never all be such characters
 * (the {@code 0xFF} is among them): when they are, and the byte 9 before them is {@code 0xFF}, they are the mark and
 * are dropped. Anything else passes unchanged, so a fixed redis-cli (or a disk-based transfer) is unaffected.
 */
public final class RdbEofMarkTrim extends OutputStream {
    static final int MARK = 40;
    private static final int HELD = MARK + 9;

    private final OutputStream out;
    private final byte[] held = new byte[HELD];
    private int count;
    private boolean finished;

    public RdbEofMarkTrim(OutputStream out) {
        this.out = out;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (finished) {
            throw new IOException("the RDB stream has ended");
        }
        if (len >= HELD) {
            out.write(held, 0, count);
            out.write(b, off, len - HELD);
            System.arraycopy(b, off + len - HELD, held, 0, HELD);
            count = HELD;
            return;
        }
        int excess = count + len - HELD;
        if (excess > 0) {
            out.write(held, 0, excess);
            System.arraycopy(held, excess, held, 0, count - excess);
            count -= excess;
        }
        System.arraycopy(b, off, held, count, len);
        count += len;
    }

    /** Writes what was held back, without the EOF mark if the stream ends with one; returns whether it did. */
    public boolean finish() throws IOException {
        finished = true;
        boolean marked = count == HELD && held[0] == (byte) 0xFF && allHex(held, 9, HELD);
        out.write(held, 0, marked ? 9 : count);
        return marked;
    }

    private static boolean allHex(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (!(b[i] >= '0' && b[i] <= '9' || b[i] >= 'a' && b[i] <= 'f')) {
                return false;
            }
        }
        return true;
    }
}
