package dev.berth.controller.ssh;

import java.io.Closeable;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * An open byte-stream channel to the host (a forwarded Unix socket). It holds one of the host's channel slots and
 * keeps its connection generation alive until closed; closing it twice is harmless.
 */
public interface SshChannel extends Closeable {

    InputStream getInputStream();

    OutputStream getOutputStream();

    boolean isOpen();

    /** Closes the channel and gives its slot back. Never throws. */
    @Override
    void close();
}
