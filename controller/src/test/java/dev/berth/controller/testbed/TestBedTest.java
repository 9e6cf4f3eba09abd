package dev.berth.controller.testbed;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class TestBedTest {

    @Test
    void parsesKeyValueLinesIgnoringCommentsAndBlanks() {
        var map = TestBed.parse(List.of(
                "# a comment",
                "",
                "TESTBED_HOSTS=2",
                "TESTBED_HOST_1_HOST_KEY_FINGERPRINT=SHA256:ab+/c=",
                "  TESTBED_APP_IMAGE = berth-test/httpd:1  "));
        assertThat(map)
                .containsEntry("TESTBED_HOSTS", "2")
                .containsEntry("TESTBED_HOST_1_HOST_KEY_FINGERPRINT", "SHA256:ab+/c=")
                .containsEntry("TESTBED_APP_IMAGE", "berth-test/httpd:1")
                .hasSize(3);
    }
}
