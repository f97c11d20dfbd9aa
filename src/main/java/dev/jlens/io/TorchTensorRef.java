package dev.jlens.io;

/**
 * What {@code torch._utils._rebuild_tensor_v2} would build: a strided view of {@code storage}, in
 * elements. The storage is whatever the persistent loader returned; the checkpoint reader checks it.
 */
record TorchTensorRef(Object storage, long storageOffset, long[] shape, long[] stride) {
}
