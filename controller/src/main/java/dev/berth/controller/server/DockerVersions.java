package dev.berth.controller.server;

import java.util.ArrayList;
import java.util.List;

/**
 * Docker Engine versions compared by their numeric release parts: {@code 20.10.24+dfsg1} (Debian's build) is
 * 20.10.24, {@code 24.0.0-rc.2} is 24.0.0, {@code 20.10} equals {@code 20.10.0}. Pure.
 */
public final class DockerVersions {
    private DockerVersions() {
    }

    /** Whether {@code actual} is at least {@code minimum}; an unparsable actual version is not. */
    public static boolean atLeast(String actual, String minimum) {
        List<Integer> a = parts(actual);
        List<Integer> m = parts(minimum);
        if (m.isEmpty()) {
            return true;
        }
        if (a.isEmpty()) {
            return false;
        }
        return compare(a, m) >= 0;
    }

    /** Negative, zero or positive as {@code a} is older than, the same as, or newer than {@code b}. */
    public static int compare(String a, String b) {
        return compare(parts(a), parts(b));
    }

    private static int compare(List<Integer> a, List<Integer> b) {
        for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
            int x = i < a.size() ? a.get(i) : 0;
            int y = i < b.size() ? b.get(i) : 0;
            if (x != y) {
                return Integer.compare(x, y);
            }
        }
        return 0;
    }

    /** The leading dotted numbers: "v20.10.24+dfsg1" → [20, 10, 24]; empty when there are none. */
    static List<Integer> parts(String version) {
        List<Integer> out = new ArrayList<>();
        if (version == null) {
            return out;
        }
        String v = version.strip();
        if (v.startsWith("v") || v.startsWith("V")) {
            v = v.substring(1);
        }
        for (String piece : v.split("\\.", -1)) {
            int end = 0;
            while (end < piece.length() && Character.isDigit(piece.charAt(end))) {
                end++;
            }
            if (end == 0 || end > 9) {
                break;
            }
            out.add(Integer.parseInt(piece.substring(0, end)));
            if (end < piece.length()) {
                break; // "24-rc" or "24+dfsg1": the release numbers stop here
            }
        }
        return out;
    }
}
