package dev.berth.controller.backup.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A fixed-size buffer between one writing thread and one reading thread: the writer blocks while it is full, so a
 * slow reader holds back the writer instead of memory growing. Unlike {@link java.io.PipedInputStream}, either side
 * can end it with a failure the other side sees at once.
 */
final class BoundedPipe {
    private final byte[] ring;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private int head;
    private int count;
    private boolean writerClosed;
    private IOException writerFailure;
    private IOException readerFailure;

    BoundedPipe(int capacity) {
        ring = new byte[capacity];
    }

    int capacity() {
        return ring.length;
    }

    void write(byte[] bytes, int offset, int length) throws IOException {
        int written = 0;
        lock.lock();
        try {
            while (written < length) {
                while (count == ring.length && readerFailure == null) {
                    await();
                }
                if (readerFailure != null) {
                    throw new IOException(readerFailure.getMessage(), readerFailure);
                }
                int tail = (head + count) % ring.length;
                int n = Math.min(length - written, Math.min(ring.length - count, ring.length - tail));
                System.arraycopy(bytes, offset + written, ring, tail, n);
                count += n;
                written += n;
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** The end of the stream: the reader reads what is left, then -1. */
    void close() {
        lock.lock();
        try {
            writerClosed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The writer gives up: the reader's next read throws {@code why}, never a clean end of stream. */
    void fail(IOException why) {
        lock.lock();
        try {
            writerFailure = why;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The reader gives up (its destination failed): the writer's next write throws {@code why}. */
    void failReader(IOException why) {
        lock.lock();
        try {
            readerFailure = why;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    InputStream inputStream() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                lock.lock();
                try {
                    while (count == 0 && !writerClosed && writerFailure == null) {
                        await();
                    }
                    if (writerFailure != null) {
                        throw new IOException(writerFailure.getMessage(), writerFailure);
                    }
                    if (count == 0) {
                        return -1;
                    }
                    int n = Math.min(len, Math.min(count, ring.length - head));
                    System.arraycopy(ring, head, b, off, n);
                    head = (head + n) % ring.length;
                    count -= n;
                    changed.signalAll();
                    return n;
                } finally {
                    lock.unlock();
                }
            }
        };
    }

    private void await() throws InterruptedIOException {
        try {
            changed.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the pipe");
        }
    }
}
