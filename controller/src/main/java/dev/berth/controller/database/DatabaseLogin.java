package dev.berth.controller.database;

import java.util.Objects;

/**
 * Who connects to a database and to which database: the user the engine creates on first start, its password and
 * the database name ("0" for the Redis family, whose databases are numbered). {@link #toString()} leaves the
 * password out, so a login in a log line or an exception message gives nothing away.
 */
public record DatabaseLogin(String username, String password, String database) {
    public DatabaseLogin {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(database, "database");
    }

    @Override
    public String toString() {
        return "DatabaseLogin[username=" + username + ", password=(hidden), database=" + database + "]";
    }
}
