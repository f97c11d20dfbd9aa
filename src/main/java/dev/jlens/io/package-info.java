/**
 * Reading model weights: {@link dev.jlens.io.Checkpoint#open} memory-maps a safetensors file or a
 * PyTorch checkpoint (zip or legacy pickle format) and hands out tensors as float32 arrays;
 * {@link dev.jlens.io.SafetensorsWriter} writes float32 tensors as safetensors. {@link dev.jlens.io.Json} reads
 * and writes jlens' own small JSON files (experiment files, config.json, result JSON, cache headers).
 *
 * <p>Weights files come from the internet, so every reader treats its input as hostile: headers are
 * validated before any tensor is read, torch pickles go through a whitelist-only unpickler that never
 * executes anything, and every problem surfaces as one {@link dev.jlens.JlensException} line that
 * names the file.
 */
package dev.jlens.io;
