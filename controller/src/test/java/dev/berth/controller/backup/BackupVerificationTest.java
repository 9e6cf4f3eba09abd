package dev.berth.controller.backup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.controller.database.DatabaseEngine;
import org.junit.jupiter.api.Test;

class BackupVerificationTest {
    @Test
    void sqlCountsReadAsTablesAndRows() {
        assertThat(BackupVerification.summary(DatabaseEngine.POSTGRESQL, "3|1200\n")).contains("tables=3 rows=1200");
        assertThat(BackupVerification.summary(DatabaseEngine.MYSQL, "0|0\n")).contains("tables=0 rows=0");
        // ClickHouse: tab-separated, and sum() over no parts may be empty.
        assertThat(BackupVerification.summary(DatabaseEngine.CLICKHOUSE, "2\t17\n")).contains("tables=2 rows=17");
        assertThat(BackupVerification.summary(DatabaseEngine.CLICKHOUSE, "1\t\n")).contains("tables=1 rows=0");
        assertThat(BackupVerification.summary(DatabaseEngine.MARIADB, "ERROR 1045 (28000): Access denied")).isEmpty();
    }

    @Test
    void redisCountsTheKeysOfEveryLogicalDatabase() {
        String info = "# Keyspace\r\ndb0:keys=500,expires=0,avg_ttl=0\r\ndb3:keys=7,expires=1,avg_ttl=10\r\n";
        assertThat(BackupVerification.summary(DatabaseEngine.REDIS, info)).contains("keys=507");
        assertThat(BackupVerification.summary(DatabaseEngine.VALKEY, "# Keyspace\r\n")).contains("keys=0");
        assertThat(BackupVerification.summary(DatabaseEngine.VALKEY, "NOAUTH Authentication required.")).isEmpty();
    }
}
