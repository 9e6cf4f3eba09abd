package dev.berth.controller.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DockerVersionsTest {

    @Test
    void comparesNumericReleaseParts() {
        assertThat(DockerVersions.atLeast("20.10.24", "20.10")).isTrue();
        assertThat(DockerVersions.atLeast("20.10.0", "20.10")).isTrue();
        assertThat(DockerVersions.atLeast("20.10", "20.10.1")).isFalse();
        assertThat(DockerVersions.atLeast("20.9.99", "20.10")).isFalse();
        assertThat(DockerVersions.atLeast("24.0.7", "20.10.24")).isTrue();
        assertThat(DockerVersions.atLeast("9.0", "10.0")).isFalse(); // numeric, not lexicographic
        assertThat(DockerVersions.atLeast("20.10.24", "99.0")).isFalse();
    }

    @Test
    void distributionSuffixesAndPreReleasesCountByTheirNumbers() {
        assertThat(DockerVersions.parts("20.10.24+dfsg1")).containsExactly(20, 10, 24);
        assertThat(DockerVersions.parts("24.0.0-rc.2")).containsExactly(24, 0, 0);
        assertThat(DockerVersions.parts("v28.1.1")).containsExactly(28, 1, 1);
        assertThat(DockerVersions.atLeast("20.10.24+dfsg1", "20.10.24")).isTrue();
        assertThat(DockerVersions.compare("20.10.24+dfsg1", "20.10.24")).isZero();
    }

    @Test
    void unknownVersionsAreNeverEnough_noMinimumAlwaysIs() {
        assertThat(DockerVersions.atLeast(null, "20.10")).isFalse();
        assertThat(DockerVersions.atLeast("dev", "20.10")).isFalse();
        assertThat(DockerVersions.atLeast("20.10.24", null)).isTrue();
        assertThat(DockerVersions.parts("99999999999.1")).isEmpty();
    }
}
