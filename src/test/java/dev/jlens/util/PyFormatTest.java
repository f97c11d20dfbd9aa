package dev.jlens.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PyFormatTest {

    private static final double NEGATIVE_NAN = Double.longBitsToDouble(0xFFF8000000000000L);

    /**
     * {value, f"{v:5.2f}", f"{v:6.2%}", f"{v:.0f}", f"{v:8.3f}"}, the strings produced by Python 3.11.7 for the
     * double whose repr is written in the first column (the values with long digit strings are float32
     * values, struct.unpack('f', struct.pack('f', x))[0], as TransformerLens' tensor .item() gives them).
     */
    static Stream<Arguments> cases() {
        Object[][] cases = {
            {-0.001, "-0.00", "-0.10%", "-0", "  -0.001"},
            {0.125, " 0.12", "12.50%", "0", "   0.125"},
            {0.375, " 0.38", "37.50%", "0", "   0.375"},
            {2.675, " 2.67", "267.50%", "3", "   2.675"},
            {0.0351, " 0.04", " 3.51%", "0", "   0.035"},
            {1.0, " 1.00", "100.00%", "1", "   1.000"},
            {1e-09, " 0.00", " 0.00%", "0", "   0.000"},
            {-0.0, "-0.00", "-0.00%", "-0", "  -0.000"},
            {0.0, " 0.00", " 0.00%", "0", "   0.000"},
            {14.24, "14.24", "1424.00%", "14", "  14.240"},
            {-1.18, "-1.18", "-118.00%", "-1", "  -1.180"},
            {0.005, " 0.01", " 0.50%", "0", "   0.005"},
            {0.015, " 0.01", " 1.50%", "0", "   0.015"},
            {0.025, " 0.03", " 2.50%", "0", "   0.025"},
            {-0.125, "-0.12", "-12.50%", "-0", "  -0.125"},
            {-2.5, "-2.50", "-250.00%", "-2", "  -2.500"},
            {99.995, "100.00", "9999.50%", "100", "  99.995"},
            {99.994999, "99.99", "9999.50%", "100", "  99.995"},
            {123456.789, "123456.79", "12345678.90%", "123457", "123456.789"},
            {1e+22, "10000000000000000000000.00", "999999999999999983222784.00%", "10000000000000000000000",
                "10000000000000000000000.000"},
            {-5e-324, "-0.00", "-0.00%", "-0", "  -0.000"},
            {5e-324, " 0.00", " 0.00%", "0", "   0.000"},
            {6.845808029174805, " 6.85", "684.58%", "7", "   6.846"},
            {-1.1799999475479126, "-1.18", "-118.00%", "-1", "  -1.180"},
            {0.035100001841783524, " 0.04", " 3.51%", "0", "   0.035"},
            {0.004298999905586243, " 0.00", " 0.43%", "0", "   0.004"},
            {0.9999499917030334, " 1.00", "99.99%", "1", "   1.000"},
            {4.999999873689376e-05, " 0.00", " 0.00%", "0", "   0.000"},
            {4.999899829272181e-05, " 0.00", " 0.00%", "0", "   0.000"},
            {0.1, " 0.10", "10.00%", "0", "   0.100"},
            {0.3333333333333333, " 0.33", "33.33%", "0", "   0.333"},
            {0.6666666666666666, " 0.67", "66.67%", "1", "   0.667"},
            {9.995, " 9.99", "999.50%", "10", "   9.995"},
            {0.045, " 0.04", " 4.50%", "0", "   0.045"},
            {0.0045, " 0.00", " 0.45%", "0", "   0.004"},
            {Double.NaN, "  nan", "  nan%", "nan", "     nan"},
            {NEGATIVE_NAN, "  nan", "  nan%", "nan", "     nan"},
            {Double.POSITIVE_INFINITY, "  inf", "  inf%", "inf", "     inf"},
            {Double.NEGATIVE_INFINITY, " -inf", " -inf%", "-inf", "    -inf"},
        };
        return Stream.of(cases).map(Arguments::of);
    }

    @ParameterizedTest
    @MethodSource("cases")
    void formatsAsPython(double value, String f52, String pct62, String f0, String f83) {
        assertThat(PyFormat.fixed(value, 5, 2)).isEqualTo(f52);
        assertThat(PyFormat.percent(value, 6, 2)).isEqualTo(pct62);
        assertThat(PyFormat.fixed(value, 0, 0)).isEqualTo(f0);
        assertThat(PyFormat.fixed(value, 8, 3)).isEqualTo(f83);
    }

    @Test
    void maxDoubleHasAllItsDigitsAndOverflowsInPercent() {
        // python3 -c "v=1.7976931348623157e308; print(f'{v:.0f}'); print(f'{v:6.2%}')"
        assertThat(PyFormat.fixed(Double.MAX_VALUE, 0, 0)).isEqualTo(
            "179769313486231570814527423731704356798070567525844996598917476803157260780028538760589558632766878171"
                + "540458953514382464234321326889464182768467546703537516986049910576551282076245490090389328944075868"
                + "508455133942304583236903222948165808559332123348274797826204144723168738177180919299881250404026184"
                + "124858368");
        assertThat(PyFormat.percent(Double.MAX_VALUE, 6, 2)).isEqualTo("  inf%");
    }

    /**
     * A float32 passed straight in is widened exactly; the decimal string of the float is a different number.
     * python3: f"{struct.unpack('f', struct.pack('f', 0.0065))[0]:.3f}" is '0.007', f"{0.0065:.3f}" is '0.006'.
     */
    @Test
    void float32ValuesAreFormattedFromTheirExactValue() {
        float f = 0.0065f;
        assertThat(PyFormat.fixed(f, 0, 3)).isEqualTo("0.007");
        assertThat(PyFormat.fixed(0.0065, 0, 3)).isEqualTo("0.006");
        assertThat(PyFormat.fixed(Double.parseDouble(Float.toString(f)), 0, 3)).isEqualTo("0.006");
    }

    /** python3 -c "print(repr(f'{5: <8}'), repr(f'{37856:<8}'), ...)". */
    @Test
    void leftAlignAsPython() {
        assertThat(PyFormat.leftAlign(5, 8)).isEqualTo("5       ");
        assertThat(PyFormat.leftAlign(37856, 8)).isEqualTo("37856   ");
        assertThat(PyFormat.leftAlign(123456789, 8)).isEqualTo("123456789");
        assertThat(PyFormat.leftAlign(-3, 8)).isEqualTo("-3      ");
        assertThat(PyFormat.leftAlign(7L, 3)).isEqualTo("7  ");
        assertThat(PyFormat.leftAlign(BigInteger.TEN, 3)).isEqualTo("10 ");
        assertThat(PyFormat.leftAlign(true, 8)).isEqualTo("1       ");
        // Python pads by code points, not cells: f"{'日本': <8}" and f"{'😀': <4}".
        assertThat(PyFormat.leftAlign("日本", 8)).isEqualTo("日本      ");
        assertThat(PyFormat.leftAlign("😀", 4)).isEqualTo("😀   ");
        assertThat(PyFormat.leftAlign("", 0)).isEmpty();
    }

    @Test
    void leftAlignRejectsFloats() {
        assertThatThrownBy(() -> PyFormat.leftAlign(1.5, 8)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void negativeDecimalsAreRejected() {
        assertThatThrownBy(() -> PyFormat.fixed(1.0, 5, -1)).isInstanceOf(IllegalArgumentException.class);
    }
}
