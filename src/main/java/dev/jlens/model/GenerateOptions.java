package dev.jlens.model;

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

    public GenerateOptions withDoSample(boolean on) {
        return new GenerateOptions(maxNewTokens, on, topK, topP, temperature, freqPenalty, stopAtEos, useKvCache, prependBos, seed);
    }

    public GenerateOptions withTopK(Integer k) {
        return new GenerateOptions(maxNewTokens, doSample, k, topP, temperature, freqPenalty, stopAtEos, useKvCache, prependBos, seed);
    }

    public GenerateOptions withTopP(Double p) {
        return new GenerateOptions(maxNewTokens, doSample, topK, p, temperature, freqPenalty, stopAtEos, useKvCache, prependBos, seed);
    }

    public GenerateOptions withTemperature(double t) {
        return new GenerateOptions(maxNewTokens, doSample, topK, topP, t, freqPenalty, stopAtEos, useKvCache, prependBos, seed);
    }

    public GenerateOptions withFreqPenalty(double p) {
        return new GenerateOptions(maxNewTokens, doSample, topK, topP, temperature, p, stopAtEos, useKvCache, prependBos, seed);
    }

    public GenerateOptions withStopAtEos(boolean on) {
        return new GenerateOptions(maxNewTokens, doSample, topK, topP, temperature, freqPenalty, on, useKvCache, prependBos, seed);
    }

    public GenerateOptions withUseKvCache(boolean on) {
        return new GenerateOptions(maxNewTokens, doSample, topK, topP, temperature, freqPenalty, stopAtEos, on, prependBos, seed);
    }

    public GenerateOptions withPrependBos(Boolean on) {
        return new GenerateOptions(maxNewTokens, doSample, topK, topP, temperature, freqPenalty, stopAtEos, useKvCache, on, seed);
    }

    public GenerateOptions withSeed(long s) {
        return new GenerateOptions(maxNewTokens, doSample, topK, topP, temperature, freqPenalty, stopAtEos, useKvCache, prependBos, s);
    }
}
