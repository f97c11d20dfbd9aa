// Times GPT-2 forward passes in ONNX Runtime (CPU, onnxruntime-node) on the model export.py writes: the yardstick's
// GPT-2, logits at every position, as the PyTorch yardstick's forward_ms.
// Usage: node bench.mjs MODEL.onnx P...          one line per P: `ort P forward_ms X`, the median of 7 runs after
//                                                5 warm-ups
//        node bench.mjs --logits MODEL IDS OUT   one forward on the int64 token ids in file IDS; writes the float32
//                                                logits to file OUT (export.py's check, with the same options)
import { readFileSync, writeFileSync } from 'node:fs';
import ort from 'onnxruntime-node';

// every optimization, one thread per core of the 2-core machines this project runs on, no parallel operators
const SESSION_OPTIONS = {
  graphOptimizationLevel: 'all',
  intraOpNumThreads: 2,
  interOpNumThreads: 1,
  executionMode: 'sequential',
};
const V = 50257, WARMUPS = 5, RUNS = 7;

const open = (model) => ort.InferenceSession.create(model, SESSION_OPTIONS);
const idsTensor = (ids) => new ort.Tensor('int64', ids, [1, ids.length]);

async function forwardMs(session, P) {
  const ids = BigInt64Array.from({ length: P }, () => BigInt(Math.floor(Math.random() * V)));
  // Each run hands the logits to JS as a new Float32Array (a copy; a preallocated output is copied into too).
  const feeds = { input_ids: idsTensor(ids) };
  for (let i = 0; i < WARMUPS; i++) await session.run(feeds);
  const ms = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await session.run(feeds);
    ms.push(performance.now() - t0);
  }
  return ms.sort((a, b) => a - b)[RUNS >> 1];
}

const args = process.argv.slice(2);
if (args[0] === '--logits') {
  const [model, idsFile, outFile] = args.slice(1);
  const ids = new BigInt64Array(new Uint8Array(readFileSync(idsFile)).buffer); // copied: aligned to 8 bytes
  const { logits } = await (await open(model)).run({ input_ids: idsTensor(ids) });
  writeFileSync(outFile, logits.data);
} else {
  const session = await open(args[0]);
  for (const P of args.slice(1).map(Number)) console.log(`ort ${P} forward_ms ${(await forwardMs(session, P)).toFixed(2)}`);
}
