package dev.berth.controller.database;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RandomPasswordTest {
    @Test
    void atLeast32LettersAndDigitsAndNeverTheSameTwice() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            String password = RandomPassword.generate();
            assertThat(password).hasSizeGreaterThanOrEqualTo(32).matches("[A-Za-z0-9]+");
            assertThat(seen.add(password)).isTrue();
        }
    }

    @Test
    void everyCharacterOfTheAlphabetTurnsUp() {
        Set<Character> chars = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            RandomPassword.generate().chars().forEach(c -> chars.add((char) c));
        }
        assertThat(chars).hasSize(62);
    }
}
