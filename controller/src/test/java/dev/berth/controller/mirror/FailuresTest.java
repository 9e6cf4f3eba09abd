package dev.berth.controller.mirror;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.jooq.exception.DataAccessException;
import org.junit.jupiter.api.Test;

class FailuresTest {

    @Test
    void anUnreachableOrBusyDatabaseIsTransient() {
        assertThat(Failures.isTransient(new DataAccessException("x", new SQLTransientConnectionException("pool")))).isTrue();
        assertThat(Failures.isTransient(new DataAccessException("x", new SQLException("gone", "08006")))).isTrue();
        assertThat(Failures.isTransient(new DataAccessException("x", new SQLException("shutdown", "57P01")))).isTrue();
        assertThat(Failures.isTransient(new DataAccessException("x", new SQLException("deadlock", "40P01")))).isTrue();
        assertThat(Failures.isTransient(new RuntimeException(new ConnectException("refused")))).isTrue();
    }

    @Test
    void aRejectedStatementIsNot() {
        assertThat(Failures.isTransient(new DataAccessException("x", new SQLException("dup", "23505")))).isFalse();
        assertThat(Failures.isTransient(new DataAccessException("x", new SQLException("fk", "23503")))).isFalse();
        assertThat(Failures.isTransient(new IllegalStateException("bug"))).isFalse();
    }

    @Test
    void theDescriptionNamesClassAndStateButNeverTheMessage() {
        String described = Failures.describe(new DataAccessException("Failing row contains (hunter2)",
                new SQLException("Failing row contains (hunter2)", "23502")));
        assertThat(described).isEqualTo("SQLException [SQLState 23502]");
    }
}
