package dev.berth.controller.backup;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * A {@code pg_dumpall} script (plain SQL) made fit for the new, empty database it is restored into, as it streams.
 * That database's own login and database already exist there (the image's entrypoint made them), so three kinds of
 * statement would fail or do harm, and only those, and only outside {@code COPY} data, are changed:
 * <ul>
 *   <li>{@code CREATE ROLE <login>;} is dropped: the role exists;</li>
 *   <li>{@code ALTER ROLE <login> WITH … PASSWORD '…'}: the password clause is dropped, so the login keeps the new
 *       database's password (its Secret) and not the source's hash; its other attributes are kept;</li>
 *   <li>{@code CREATE DATABASE <database> WITH …;} is dropped: the database exists, empty, and what the dump holds
 *       for it is restored into it.</li>
 * </ul>
 * Everything else passes unchanged, other roles with their passwords and other databases included. Memory is bounded:
 * a line is held only up to {@link #MAX_STATEMENT} bytes; a longer one (a row of {@code COPY} data, a function body)
 * cannot be one of those statements and passes as it is.
 */
public final class ClusterDumpFilter extends InputStream {
    static final int MAX_STATEMENT = 64 * 1024;

    private final InputStream in;
    private final List<String> roleNames;
    private final List<String> databaseNames;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
    private final byte[] buf = new byte[8192];
    private final ByteArrayOutputStream ready = new ByteArrayOutputStream(8192);
    private byte[] out = new byte[0];
    private int outPos;
    private boolean passingLongLine;
    private boolean inCopy;
    private boolean ended;

    private ClusterDumpFilter(InputStream in, String login, String database) {
        this.in = in;
        this.roleNames = List.of(bytewise(login), bytewise(quoted(login)));
        this.databaseNames = List.of(bytewise(database), bytewise(quoted(database)));
    }

    /** {@code sql} with the statements above changed for {@code login} and {@code database}. */
    public static InputStream of(InputStream sql, String login, String database) {
        return new ClusterDumpFilter(sql, login, database);
    }

    /** {@code name}'s UTF-8 bytes, one char each (as lines are read). */
    private static String bytewise(String name) {
        return new String(name.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }

    /** An identifier as PostgreSQL quotes it ({@code fmtId}); the dump has it quoted or plain, and both are matched. */
    static String quoted(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    /**
     * What the statement on one whole line (without its newline) becomes; empty when it is dropped. Pure, and not
     * given {@code COPY} data.
     */
    Optional<String> rewrite(String statement) {
        for (String role : roleNames) {
            if (statement.equals("CREATE ROLE " + role + ";")) {
                return Optional.empty();
            }
            if (statement.startsWith("ALTER ROLE " + role + " WITH ")) {
                return Optional.of(statement.replaceFirst(" PASSWORD '[^']*'", ""));
            }
        }
        for (String db : databaseNames) {
            if (statement.startsWith("CREATE DATABASE " + db + " WITH ") && statement.endsWith(";")
                    || statement.equals("CREATE DATABASE " + db + ";")) {
                return Optional.empty();
            }
        }
        return Optional.of(statement);
    }

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
        while (outPos >= out.length) {
            if (ended) {
                return -1;
            }
            fill();
        }
        int n = Math.min(len, out.length - outPos);
        System.arraycopy(out, outPos, b, off, n);
        outPos += n;
        return n;
    }

    /** Reads on until there is output: a whole line (rewritten), or a piece of a long one. */
    private void fill() throws IOException {
        ready.reset();
        while (ready.size() == 0) {
            int n = in.read(buf);
            if (n < 0) {
                ended = true;
                if (line.size() > 0) { // a last line without a newline
                    emitLine(false);
                }
                break;
            }
            int start = 0;
            for (int i = 0; i < n; i++) {
                if (buf[i] != '\n') {
                    continue;
                }
                if (passingLongLine) {
                    ready.write(buf, start, i + 1 - start);
                    passingLongLine = false;
                } else {
                    line.write(buf, start, i - start);
                    emitLine(true);
                }
                start = i + 1;
            }
            if (start < n) {
                if (passingLongLine) {
                    ready.write(buf, start, n - start);
                } else {
                    line.write(buf, start, n - start);
                    if (line.size() > MAX_STATEMENT) { // not a statement this changes: let it through as it comes
                        line.writeTo(ready);
                        line.reset();
                        passingLongLine = true;
                    }
                }
            }
        }
        out = ready.toByteArray();
        outPos = 0;
    }

    /**
     * One whole line, held in {@link #line}, to {@code ready}. Lines are bytes in the dump's own encoding: they are
     * read as ISO-8859-1 (one char per byte, so any byte comes back as it was) and the names matched the same way.
     */
    private void emitLine(boolean newline) throws IOException {
        if (inCopy) {
            inCopy = !(line.size() == 2 && line.toString(StandardCharsets.ISO_8859_1).equals("\\."));
            line.writeTo(ready);
        } else {
            String text = line.toString(StandardCharsets.ISO_8859_1);
            inCopy = text.startsWith("COPY ") && text.endsWith(" FROM stdin;");
            Optional<String> kept = rewrite(text);
            if (kept.isEmpty()) {
                line.reset();
                return;
            }
            ready.write(kept.get().getBytes(StandardCharsets.ISO_8859_1));
        }
        line.reset();
        if (newline) {
            ready.write('\n');
        }
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
