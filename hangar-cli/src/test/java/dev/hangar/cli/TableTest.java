package dev.hangar.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class TableTest {
    @Test
    void alignsColumnsWithThreeSpacesAndNoTrailingBlanks() {
        Table t = new Table("NAME", "PHASE", "NOTE").row("a", "Running", "").row("longer-name", "Stopped", "x\ny");
        StringWriter sw = new StringWriter();
        t.print(new PrintWriter(sw, true));
        assertThat(sw.toString()).isEqualTo("""
                        NAME          PHASE     NOTE
                        a             Running
                        longer-name   Stopped   x y
                        """);
        assertThat(t.size()).isEqualTo(2);
    }

    @Test
    void rejectsRowsOfTheWrongWidth() {
        assertThatThrownBy(() -> new Table("A", "B").row("1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("row has 1 cells, table has 2 columns");
    }
}
