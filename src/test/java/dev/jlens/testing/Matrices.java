package dev.jlens.testing;

import dev.jlens.tensor.Tensor;

import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** Random matrices and the checks that linear-algebra tests share. */
public final class Matrices {
    private Matrices() {}

    /** Standard normal entries. */
    public static Tensor randn(Random r, int... shape) {
        float[] d = new float[Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
        for (int i = 0; i < d.length; i++) d[i] = (float) r.nextGaussian();
        return Tensor.of(d, shape);
    }

    /** |actual - expected| <= atol everywhere, shapes equal; names the first bad index. */
    public static void assertClose(String what, Tensor actual, Tensor expected, double atol) {
        assertThat(actual.shape()).as(what + ": shape").containsExactly(expected.shape());
        float[] a = actual.toArray(), e = expected.toArray();
        for (int i = 0; i < a.length; i++) {
            assertThat(Math.abs(a[i] - e[i]) <= atol).as("%s[%d]: %s vs %s", what, i, a[i], e[i]).isTrue();
        }
    }

    /** Qᵀ Q = I for each [..., n, k] matrix: orthonormal columns. */
    public static void assertOrthonormalColumns(String what, Tensor q, double atol) {
        int k = q.shape(-1);
        Tensor gram = q.mT().matmul(q);
        assertClose(what + "ᵀ" + what, gram, eye(k).broadcastTo(gram.shape()), atol);
    }

    public static Tensor eye(int n) {
        Tensor t = Tensor.zeros(n, n);
        for (int i = 0; i < n; i++) t.put(1f, i, i);
        return t;
    }

    /** U diag(S) Vᵀ, batched. */
    public static Tensor recompose(Tensor u, Tensor s, Tensor v) {
        return u.mul(s.unsqueeze(-2)).matmul(v.mT());
    }

    /** Non-increasing along the last dimension. */
    public static void assertDescending(String what, Tensor s) {
        float[] x = s.toArray();
        int k = s.shape(-1);
        for (int i = 0; i < x.length; i++) {
            if (i % k > 0) assertThat(x[i]).as("%s[%d] after %s", what, i, x[i - 1]).isLessThanOrEqualTo(x[i - 1]);
        }
    }
}
