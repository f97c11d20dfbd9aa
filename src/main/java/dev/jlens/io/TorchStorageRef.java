package dev.jlens.io;

/**
 * A storage named by a torch persistent id: {@code numel} elements of {@code dtype}, starting
 * {@code elementOffset} elements into the data of storage {@code key} (legacy storage views only;
 * otherwise 0).
 */
record TorchStorageRef(DType dtype, String key, long numel, long elementOffset) {
}
