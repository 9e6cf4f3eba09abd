package dev.berth.controller.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ClusterDumpFilterTest {
    /** The shape of pg_dumpall 15's script (roles, then each database), shortened. */
    static final String DUMP = """
            SET default_transaction_read_only = off;
            CREATE ROLE app;
            ALTER ROLE app WITH SUPERUSER INHERIT CREATEROLE CREATEDB LOGIN REPLICATION BYPASSRLS PASSWORD 'SCRAM-SHA-256$4096:c2FsdA==$a2V5:a2V5';
            CREATE ROLE reporting;
            ALTER ROLE reporting WITH NOSUPERUSER INHERIT NOCREATEROLE NOCREATEDB LOGIN NOREPLICATION NOBYPASSRLS PASSWORD 'SCRAM-SHA-256$4096:b3RoZXI=$a2V5:a2V5';
            \\connect template1
            \\connect postgres
            CREATE DATABASE shop WITH TEMPLATE = template0 ENCODING = 'UTF8' LOCALE_PROVIDER = libc LOCALE = 'en_US.utf8';
            ALTER DATABASE shop OWNER TO app;
            \\connect shop
            CREATE TABLE public.notes (s text);
            COPY public.notes (s) FROM stdin;
            CREATE ROLE app;
            CREATE DATABASE shop WITH TEMPLATE = template0;
            \\.
            CREATE DATABASE analytics WITH TEMPLATE = template0 ENCODING = 'UTF8' LOCALE_PROVIDER = libc LOCALE = 'en_US.utf8';
            \\connect analytics
            """;

    static String filter(byte[] dump, String login, String database, int readSize) throws IOException {
        try (InputStream in = ClusterDumpFilter.of(new ByteArrayInputStream(dump), login, database)) {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            byte[] buf = new byte[readSize];
            int n;
            while ((n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
            }
            return out.toString(StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void theLoginAndItsDatabaseAreLeftAsTheyAreEverythingElsePasses() throws Exception {
        String out = filter(DUMP.getBytes(StandardCharsets.UTF_8), "app", "shop", 8192);
        assertThat(out).isEqualTo("""
                SET default_transaction_read_only = off;
                ALTER ROLE app WITH SUPERUSER INHERIT CREATEROLE CREATEDB LOGIN REPLICATION BYPASSRLS;
                CREATE ROLE reporting;
                ALTER ROLE reporting WITH NOSUPERUSER INHERIT NOCREATEROLE NOCREATEDB LOGIN NOREPLICATION NOBYPASSRLS PASSWORD 'SCRAM-SHA-256$4096:b3RoZXI=$a2V5:a2V5';
                \\connect template1
                \\connect postgres
                ALTER DATABASE shop OWNER TO app;
                \\connect shop
                CREATE TABLE public.notes (s text);
                COPY public.notes (s) FROM stdin;
                CREATE ROLE app;
                CREATE DATABASE shop WITH TEMPLATE = template0;
                \\.
                CREATE DATABASE analytics WITH TEMPLATE = template0 ENCODING = 'UTF8' LOCALE_PROVIDER = libc LOCALE = 'en_US.utf8';
                \\connect analytics
                """);
        // Read a byte at a time: the same.
        assertThat(filter(DUMP.getBytes(StandardCharsets.UTF_8), "app", "shop", 1)).isEqualTo(out);
    }

    @Test
    void quotedNamesAreMatchedAndOtherNamesLeftAlone() throws Exception {
        String dump = "CREATE ROLE \"user\";\nCREATE ROLE \"Shop\"\"s\";\nCREATE DATABASE \"Shop\"\"s\" WITH TEMPLATE = template0;\n"
                + "CREATE DATABASE shops WITH TEMPLATE = template0;\nCREATE ROLE application;\n";
        assertThat(filter(dump.getBytes(StandardCharsets.UTF_8), "user", "Shop\"s", 8192)).isEqualTo(
                "CREATE ROLE \"Shop\"\"s\";\nCREATE DATABASE shops WITH TEMPLATE = template0;\nCREATE ROLE application;\n");
    }

    @Test
    void bytesThatAreNotUtf8AndVeryLongLinesComeThroughUnchanged() throws Exception {
        java.io.ByteArrayOutputStream dump = new java.io.ByteArrayOutputStream();
        dump.write("COPY public.blobs (b) FROM stdin;\n".getBytes(StandardCharsets.US_ASCII));
        byte[] latin1 = {'c', 'a', 'f', (byte) 0xe9, (byte) 0xff, (byte) 0xfe, '\n'};
        dump.write(latin1);
        byte[] longRow = new byte[ClusterDumpFilter.MAX_STATEMENT * 3 + 17];
        for (int i = 0; i < longRow.length; i++) {
            longRow[i] = (byte) ('a' + i % 26);
        }
        dump.write(longRow);
        dump.write('\n');
        dump.write("\\.\nCREATE ROLE app;\nno newline at the end".getBytes(StandardCharsets.US_ASCII));
        byte[] in = dump.toByteArray();
        String out = filter(in, "app", "shop", 4096);
        String expected = new String(in, StandardCharsets.ISO_8859_1).replace("CREATE ROLE app;\n", "");
        assertThat(out).isEqualTo(expected);
    }
}
