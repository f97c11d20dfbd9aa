package dev.jlens.io;

/** TEMPORARY stub until the io branch lands. */
public record TensorInfo(String name, Object dtype, long[] shape) {
}
