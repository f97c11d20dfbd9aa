package dev.jlens.tensor;

/** PyTorch's matmul semantics over whole tensors (analysis-sized; the forward pass uses {@link PackedMatrix}). */
final class Linalg {
    private Linalg() {}

    static Tensor matmul(Tensor a, Tensor b) {
        if (a.rank() == 0 || b.rank() == 0) throw new IllegalArgumentException("matmul needs at least one dimension on both sides");
        boolean aVec = a.rank() == 1, bVec = b.rank() == 1;
        Tensor a2 = aVec ? a.reshape(1, a.shape(0)) : a;
        Tensor b2 = bVec ? b.reshape(b.shape(0), 1) : b;
        int m = a2.shape(-2), k = a2.shape(-1), k2 = b2.shape(-2), n = b2.shape(-1);
        if (k != k2) throw new IllegalArgumentException("matmul: shapes " + Shape.str(a.shape()) + " and " + Shape.str(b.shape()) + " do not align");
        int[] aLead = java.util.Arrays.copyOf(a2.shape(), a2.rank() - 2);
        int[] bLead = java.util.Arrays.copyOf(b2.shape(), b2.rank() - 2);
        int[] lead = Shape.broadcast(aLead, bLead);
        int[] aSt = Shape.broadcastStrides(aLead, lead), bSt = Shape.broadcastStrides(bLead, lead);
        int batches = Shape.numel(lead);
        float[] out = new float[batches * m * n];
        int[] ctr = new int[lead.length];
        for (int bi = 0; bi < batches; bi++) {
            int ab = 0, bb = 0;
            for (int d = 0; d < lead.length; d++) {
                ab += ctr[d] * aSt[d];
                bb += ctr[d] * bSt[d];
            }
            int aOff = a2.offset() + ab * m * k, bOff = b2.offset() + bb * k * n, cOff = bi * m * n;
            for (int i = 0; i < m; i++) {
                for (int r = 0; r < k; r++) {
                    float x = a2.data()[aOff + i * k + r];
                    Kernels.axpy(x, b2.data(), bOff + r * n, out, cOff + i * n, n);
                }
            }
            Tensor.increment(ctr, lead);
        }
        int[] shape = new int[lead.length + (aVec ? 0 : 1) + (bVec ? 0 : 1)];
        System.arraycopy(lead, 0, shape, 0, lead.length);
        int at = lead.length;
        if (!aVec) shape[at++] = m;
        if (!bVec) shape[at] = n;
        return Tensor.of(out, shape);
    }
}
