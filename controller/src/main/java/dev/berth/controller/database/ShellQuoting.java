package dev.berth.controller.database;

import java.util.regex.Pattern;

/** POSIX shell single-quoting, for the few commands Berth hands to {@code sh -c}. */
final class ShellQuoting {
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_@%+=:,./-]+");

    private ShellQuoting() {
    }

    static String quote(String s) {
        if (PLAIN.matcher(s).matches()) {
            return s;
        }
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
