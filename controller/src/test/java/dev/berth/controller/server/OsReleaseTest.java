package dev.berth.controller.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OsReleaseTest {

    private static final String DEBIAN = """
            PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
            NAME="Debian GNU/Linux"
            VERSION_ID="12"
            VERSION="12 (bookworm)"
            VERSION_CODENAME=bookworm
            ID=debian
            HOME_URL="https://www.debian.org/"
            """;

    @Test
    void prettyNameFirst() {
        assertThat(OsRelease.describe(DEBIAN)).contains("Debian GNU/Linux 12 (bookworm)");
        assertThat(OsRelease.parse(DEBIAN)).containsEntry("ID", "debian").containsEntry("VERSION_ID", "12");
    }

    @Test
    void fallsBackToNameAndVersionThenId() {
        assertThat(OsRelease.describe("NAME=Alpine\nVERSION_ID=3.19.1\n")).contains("Alpine 3.19.1");
        assertThat(OsRelease.describe("ID=nixos\n")).contains("nixos");
        assertThat(OsRelease.describe("")).isEmpty();
        assertThat(OsRelease.describe(null)).isEmpty();
    }

    @Test
    void quotesEscapesCommentsAndJunk() {
        String text = "# a comment\r\nPRETTY_NAME='Single quoted'\nNAME=\"With \\\"escaped\\\" quotes\"\n"
                + "lowercase=ignored\nnot a line\n =x\n";
        assertThat(OsRelease.parse(text)).containsOnlyKeys("PRETTY_NAME", "NAME")
                .containsEntry("PRETTY_NAME", "Single quoted")
                .containsEntry("NAME", "With \"escaped\" quotes");
    }
}
