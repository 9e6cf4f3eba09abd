package dev.berth.controller.mirror;

import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;

/**
 * Tells a database that went away (retry later) from a write that can never succeed (drop it), and describes a
 * failure for a log line without the database's message, which can quote row values.
 */
final class Failures {

    private Failures() {
    }

    /** True when retrying later may succeed: no connection, server shutting down or overloaded, timeouts, conflicts. */
    static boolean isTransient(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLTransientException || t instanceof SQLRecoverableException || t instanceof IOException) {
                return true;
            }
            if (t instanceof SQLException sql && isTransientState(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    private static boolean isTransientState(String state) {
        if (state == null) {
            return false;
        }
        return state.startsWith("08") // connection exception
                || state.startsWith("53") // insufficient resources
                || state.startsWith("57") // operator intervention: shutdown, query cancelled (timeout)
                || state.equals("40001") // serialization failure
                || state.equals("40P01") // deadlock
                || state.equals("55P03") // lock not available
                || state.equals("42P01"); // undefined table: the schema is not migrated yet
    }

    /**
     * "ExceptionClass [SQLState, constraint]" of the innermost SQL exception, never a message. The constraint's name
     * (a schema identifier, never a value) says which rule a rejected write broke.
     */
    static String describe(Throwable failure) {
        Throwable root = failure;
        String state = null;
        String constraint = null;
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            root = t;
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                state = sql.getSQLState();
            }
            if (t instanceof org.postgresql.util.PSQLException psql && psql.getServerErrorMessage() != null
                    && psql.getServerErrorMessage().getConstraint() != null) {
                constraint = psql.getServerErrorMessage().getConstraint();
            }
        }
        return root.getClass().getSimpleName() + (state == null ? "" : " [SQLState " + state
                + (constraint == null ? "" : ", constraint " + constraint) + "]");
    }
}
