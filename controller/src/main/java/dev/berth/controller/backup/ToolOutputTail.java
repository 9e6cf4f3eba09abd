package dev.berth.controller.backup;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * The last bytes a tool wrote to stderr (a ring: a chatty tool costs no memory), read back as its last lines with
 * every known secret value replaced: text for status, the mirror and people.
 */
public final class ToolOutputTail extends OutputStream {
    private final byte[] ring;
    private long total;

    public ToolOutputTail(int bytes) {
        ring = new byte[bytes];
    }

    @Override
    public synchronized void write(int b) {
        ring[(int) (total++ % ring.length)] = (byte) b;
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        for (int i = 0; i < len; i++) {
            ring[(int) (total++ % ring.length)] = b[off + i];
        }
    }

    /** At most {@code maxLines} last lines, trimmed, with each of {@code secrets} (4+ characters) redacted. */
    public synchronized String lastLines(int maxLines, List<String> secrets) {
        int n = (int) Math.min(total, ring.length);
        byte[] out = new byte[n];
        for (int i = 0; i < n; i++) {
            out[i] = ring[(int) ((total - n + i) % ring.length)];
        }
        String text = new String(out, StandardCharsets.UTF_8);
        for (String s : secrets) {
            if (s != null && s.length() >= 4) {
                text = text.replace(s, "[redacted]");
            }
        }
        List<String> lines = Arrays.stream(text.split("\n")).map(String::strip).filter(l -> !l.isEmpty()).toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - maxLines), lines.size()));
    }
}
