package dev.jlens.model;

import dev.jlens.util.RecordCopy;

/**
 * Options of TransformerLens' {@code generate}. As there, sampling is the default; {@link #greedy} takes
 * the argmax (first maximum on ties). Sampling draws from a seeded {@link java.util.SplittableRandom}
 * (reproducible in jlens, not equal to torch's random stream).
 */
public record GenerateOptions(int maxNewTokens, boolean doSample, Integer topK, Double topP, double temperature,
                              double freqPenalty, boolean stopAtEos, boolean useKvCache, Boolean prependBos, long seed) {
    public GenerateOptions {
        if (maxNewTokens < 0) throw new IllegalArgumentException("maxNewTokens must be >= 0, got " + maxNewTokens);
        if (topK != null && topK < 1) throw new IllegalArgumentException("topK must be >= 1, got " + topK);
        if (topP != null && !(topP > 0 && topP <= 1)) throw new IllegalArgumentException("topP must be in (0, 1], got " + topP);
        if (!(temperature >= 0)) throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
    }

    public static GenerateOptions sampling(int maxNewTokens) {
        return new GenerateOptions(maxNewTokens, true, null, null, 1.0, 0.0, true, true, null, 0L);
    }

    public static GenerateOptions greedy(int maxNewTokens) {
        return sampling(maxNewTokens).withDoSample(false);
    }

    public GenerateOptions withDoSample(boolean on) { return RecordCopy.with(this, "doSample", on); }
    public GenerateOptions withTopK(Integer k) { return RecordCopy.with(this, "topK", k); }
    public GenerateOptions withTopP(Double p) { return RecordCopy.with(this, "topP", p); }
    public GenerateOptions withTemperature(double t) { return RecordCopy.with(this, "temperature", t); }
    public GenerateOptions withFreqPenalty(double p) { return RecordCopy.with(this, "freqPenalty", p); }
    public GenerateOptions withStopAtEos(boolean on) { return RecordCopy.with(this, "stopAtEos", on); }
    public GenerateOptions withUseKvCache(boolean on) { return RecordCopy.with(this, "useKvCache", on); }
    public GenerateOptions withPrependBos(Boolean on) { return RecordCopy.with(this, "prependBos", on); }
    public GenerateOptions withSeed(long s) { return RecordCopy.with(this, "seed", s); }
}
