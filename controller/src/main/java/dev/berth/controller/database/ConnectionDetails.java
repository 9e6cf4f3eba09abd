package dev.berth.controller.database;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the connection Secret holds: a ready-to-use {@code uri} (user and password percent-encoded in it), its parts,
 * and for the SQL engines a {@code jdbcUri} without credentials (JDBC drivers take user and password apart).
 * {@link #toString()} leaves the password and the uri out.
 */
public record ConnectionDetails(String uri, String host, int port, String username, String password, String database,
        String jdbcUri) {

    /** The Secret's keys and values, in a stable order; {@code jdbcUri} only for the SQL engines. */
    public Map<String, String> secretData() {
        Map<String, String> data = new LinkedHashMap<>();
        data.put("uri", uri);
        data.put("host", host);
        data.put("port", Integer.toString(port));
        data.put("username", username);
        data.put("password", password);
        data.put("database", database);
        if (jdbcUri != null) {
            data.put("jdbcUri", jdbcUri);
        }
        return data;
    }

    @Override
    public String toString() {
        return "ConnectionDetails[host=" + host + ", port=" + port + ", username=" + username + ", database=" + database
                + (jdbcUri == null ? "" : ", jdbcUri=" + jdbcUri) + "]";
    }
}
