package dev.berth.controller.server;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** {@code /etc/os-release} (systemd's format: KEY=value lines, values optionally quoted). Pure. */
public final class OsRelease {
    private OsRelease() {
    }

    /** The variables of an os-release file; quotes and shell escapes removed, comments and junk ignored. */
    public static Map<String, String> parse(String content) {
        Map<String, String> out = new LinkedHashMap<>();
        if (content == null) {
            return out;
        }
        for (String raw : content.split("\\R")) {
            String line = raw.strip();
            int eq = line.indexOf('=');
            if (line.isEmpty() || line.startsWith("#") || eq <= 0) {
                continue;
            }
            String key = line.substring(0, eq).strip();
            if (!key.matches("[A-Z][A-Z0-9_]*")) {
                continue;
            }
            out.put(key, unquote(line.substring(eq + 1).strip()));
        }
        return out;
    }

    /** A name for people: PRETTY_NAME, else NAME and VERSION(_ID), else ID; empty when the file says nothing. */
    public static Optional<String> describe(String content) {
        Map<String, String> v = parse(content);
        String pretty = v.get("PRETTY_NAME");
        if (pretty != null && !pretty.isBlank()) {
            return Optional.of(pretty);
        }
        String name = v.getOrDefault("NAME", v.get("ID"));
        if (name == null || name.isBlank()) {
            return Optional.empty();
        }
        String version = v.getOrDefault("VERSION", v.get("VERSION_ID"));
        return Optional.of(version == null || version.isBlank() ? name : name + " " + version);
    }

    private static String unquote(String value) {
        if (value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"")
                || value.startsWith("'") && value.endsWith("'"))) {
            boolean doubleQuoted = value.charAt(0) == '"';
            value = value.substring(1, value.length() - 1);
            if (doubleQuoted) {
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < value.length(); i++) {
                    char c = value.charAt(i);
                    if (c == '\\' && i + 1 < value.length()) {
                        c = value.charAt(++i);
                    }
                    sb.append(c);
                }
                value = sb.toString();
            }
        }
        return value;
    }
}
