package dev.jlens.tensor;

/** Binary elementwise operations with NumPy broadcasting. */
final class Elementwise {
    private Elementwise() {}

    static Tensor binary(Tensor a, Tensor b, Tensor.FloatBinaryOperator f) {
        int[] as = a.shape(), bs = b.shape();
        float[] ad = a.data(), bd = b.data();
        int ao = a.offset(), bo = b.offset();
        if (java.util.Arrays.equals(as, bs)) {
            float[] out = new float[a.size()];
            for (int i = 0; i < out.length; i++) out[i] = f.apply(ad[ao + i], bd[bo + i]);
            return Tensor.of(out, as);
        }
        int[] shape = Shape.broadcast(as, bs);
        int[] sa = Shape.broadcastStrides(as, shape), sb = Shape.broadcastStrides(bs, shape);
        int n = Shape.numel(shape);
        float[] out = new float[n];
        int[] ctr = new int[shape.length];
        int ia = ao, ib = bo;
        for (int o = 0; o < n; o++) {
            out[o] = f.apply(ad[ia], bd[ib]);
            // odometer step, keeping the two source positions in sync
            for (int d = shape.length - 1; d >= 0; d--) {
                ia += sa[d];
                ib += sb[d];
                if (++ctr[d] < shape[d]) break;
                ia -= sa[d] * shape[d];
                ib -= sb[d] * shape[d];
                ctr[d] = 0;
            }
        }
        return Tensor.of(out, shape);
    }
}
