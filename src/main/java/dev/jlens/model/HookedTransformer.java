package dev.jlens.model;

import dev.jlens.JlensException;
import dev.jlens.cache.ActivationCache;
import dev.jlens.cache.CacheModel;
import dev.jlens.hooks.Hook;
import dev.jlens.hooks.HookFunction;
import dev.jlens.hooks.HookFlags;
import dev.jlens.hooks.HookPoints;
import dev.jlens.hooks.HookedRun;
import dev.jlens.hooks.Splice;
import dev.jlens.tensor.FactoredMatrix;
import dev.jlens.tensor.IntTensor;
import dev.jlens.tensor.Tensor;
import dev.jlens.tokenizer.Tokenizer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A GPT-2 with a hook on every activation, computing what TransformerLens' HookedTransformer computes.
 *
 * <pre>{@code
 * HookedTransformer model = HookedTransformer.fromPretrained("path/to/gpt2");
 * IntTensor tokens = model.toTokens("When John and Mary went to the shops, John gave the bag to");
 * var run = model.runWithCache(tokens);
 * Tensor pattern = run.cache().get("pattern", 9);           // blocks.9.attn.hook_pattern
 * Tensor logits = model.runWithHooks(tokens, List.of(
 *         Hook.of("blocks.3.hook_resid_pre", (act, hook) -> act.set(":, 5", cleanResid.get(":, 5")))));
 * }</pre>
 *
 * Immutable once loaded: runs never change the model, hooks live only as long as the run they were given
 * to, so one model can serve many threads.
 */
public final class HookedTransformer implements CacheModel {
    private final ModelConfig cfg;
    private final ModelWeights weights;
    private final Tokenizer tokenizer;
    private final HookPoints points;
    private final ForwardPass forward;
    private final Tokenization tokenization;
    private final List<Hook> hooks;       // the model's own interventions: every run starts with them
    private final List<Splice> splices;
    private final JlensRuntime runtime;

    HookedTransformer(ModelConfig cfg, ModelWeights weights, Tokenizer tokenizer) {
        this(cfg, weights, tokenizer, JlensRuntime.defaults());
    }

    HookedTransformer(ModelConfig cfg, ModelWeights weights, Tokenizer tokenizer, JlensRuntime runtime) {
        this(cfg, weights, tokenizer, List.of(), List.of(), runtime);
    }

    private HookedTransformer(ModelConfig cfg, ModelWeights weights, Tokenizer tokenizer, List<Hook> hooks, List<Splice> splices, JlensRuntime runtime) {
        this.cfg = cfg;
        this.runtime = java.util.Objects.requireNonNull(runtime, "runtime");
        this.weights = weights;
        this.tokenizer = tokenizer;
        this.hooks = List.copyOf(hooks);
        this.splices = List.copyOf(splices);
        this.points = new HookPoints(cfg.nLayers(), cfg.hookFlags(), this.splices, cfg.hookSites(), cfg.hasPosEmbed());
        new HookedRun(points, this.hooks, this.splices);  // refuses a hook point that does not exist or never fires, now
        this.forward = new ForwardPass(cfg, weights, points);
        this.tokenization = new Tokenization(tokenizer, cfg.defaultPrependBos());
    }

    // ---- loading -------------------------------------------------------------------------------------

    /**
     * Loads with TransformerLens' default processing (fold_ln, center_writing_weights, center_unembed,
     * fold_value_biases). {@code model} is a folder in the Hugging Face layout, or a known name
     * ({@code gpt2-small}, ...) or repo id that the Hub resolves to one (see {@link ModelResolver}).
     */
    public static HookedTransformer fromPretrained(String model) {
        return fromPretrained(model, WeightProcessing.Options.DEFAULT);
    }

    /** TransformerLens' {@code from_pretrained_no_processing}: the weights as the checkpoint has them. */
    public static HookedTransformer fromPretrainedNoProcessing(String model) {
        return fromPretrained(model, WeightProcessing.Options.NONE);
    }

    /**
     * As {@link #fromPretrained(String)} with these processing options. A name or repo id is resolved by the
     * {@link ModelResolver} on the class path (the Hub's: the Hugging Face cache, downloading what is missing);
     * {@code dev.jlens.hub.ModelSources.load} does the same with explicit Hub settings and progress.
     */
    public static HookedTransformer fromPretrained(String model, WeightProcessing.Options options) {
        ModelResolver.Resolved r = java.util.ServiceLoader.load(ModelResolver.class).findFirst()
                .map(resolver -> resolver.resolve(model, dev.jlens.util.Progress.NONE))
                .orElseGet(() -> new ModelResolver.Resolved(Path.of(model), nameOfFolder(Path.of(model))));
        return fromFolder(r.folder(), r.modelName(), options);
    }

    /**
     * Waits for processed-weights cache files that loads are still writing in the background. Loading
     * returns as soon as the weights are processed; the command line calls this before it returns, and the
     * JVM waits for the files when the program's last thread ends (their writers are not daemons), but not
     * on {@code System.exit}. Call it before exiting, or to be sure a cache file is on disk (before copying
     * the cache folder, say).
     */
    public static void awaitCacheWrites() {
        WeightsCache.awaitPendingWrites();
    }

    public static HookedTransformer fromFolder(Path folder) {
        return fromFolder(folder, WeightProcessing.Options.DEFAULT);
    }

    public static HookedTransformer fromFolder(Path folder, WeightProcessing.Options options) {
        return fromFolder(folder, nameOfFolder(folder), options);
    }

    /** A folder loaded under the model name TransformerLens would report (e.g. the official name it was resolved from). */
    public static HookedTransformer fromFolder(Path folder, String modelName, WeightProcessing.Options options) {
        return fromFolder(folder, modelName, options, JlensRuntime.defaults());
    }

    /**
     * As {@link #fromFolder(Path, String, WeightProcessing.Options)}, with explicit settings of the processed-weights
     * cache (its folder, its size cap, and who hears about rebuilt files).
     */
    public static HookedTransformer fromFolder(Path folder, String modelName, WeightProcessing.Options options, CacheSettings cache) {
        return fromFolder(folder, modelName, options, JlensRuntime.defaults().withCache(cache));
    }

    /** As {@link #fromFolder(Path, String, WeightProcessing.Options)}, loading and running on {@code runtime}. */
    public static HookedTransformer fromFolder(Path folder, String modelName, WeightProcessing.Options options, JlensRuntime runtime) {
        return ModelLoader.load(folder, modelName, options, runtime);
    }

    /** The name TransformerLens reports for a model loaded from a folder: the folder's name. */
    public static String nameOfFolder(Path folder) {
        Path name = folder.toAbsolutePath().normalize().getFileName();
        return name == null ? folder.toString() : name.toString();
    }

    /** The same model with {@code use_attn_result} switched ({@code attn.hook_result} fires per head when on). */
    public HookedTransformer withUseAttnResult(boolean on) {
        return withHookFlags(cfg.hookFlags().withUseAttnResult(on));
    }

    /** The same model with {@code use_split_qkv_input} switched ({@code hook_q_input}, {@code hook_k_input}, {@code hook_v_input}). */
    public HookedTransformer withUseSplitQkvInput(boolean on) {
        return withHookFlags(cfg.hookFlags().withUseSplitQkvInput(on));
    }

    /** The same model with {@code use_attn_in} switched ({@code hook_attn_in}). */
    public HookedTransformer withUseAttnIn(boolean on) {
        return withHookFlags(cfg.hookFlags().withUseAttnIn(on));
    }

    /** The same model with {@code use_hook_mlp_in} switched ({@code hook_mlp_in}). */
    public HookedTransformer withUseHookMlpIn(boolean on) {
        return withHookFlags(cfg.hookFlags().withUseHookMlpIn(on));
    }

    private HookedTransformer withHookFlags(HookFlags flags) {
        return new HookedTransformer(cfg.withHookFlags(flags), weights, tokenizer, hooks, splices, runtime);
    }

    // ---- interventions that travel with the model ---------------------------------------------------

    /**
     * The same model with these hooks on every run, after the ones it has: every entry point honors them
     * (runs, caches, test_prompt, generate, patching, analyses), as TransformerLens' {@code add_hook} does for
     * hooks added to the model. The model itself is unchanged, so other threads may keep using it.
     */
    public HookedTransformer withHooks(List<Hook> more) {
        List<Hook> all = new ArrayList<>(hooks);
        all.addAll(more);
        return new HookedTransformer(cfg, weights, tokenizer, all, splices, runtime);
    }

    public HookedTransformer withHooks(Hook... more) {
        return withHooks(List.of(more));
    }

    /** The same model with a module spliced in at its hook point (after that point's hooks); see {@link Splice}. */
    public HookedTransformer withSplice(Splice splice) {
        List<Splice> all = new ArrayList<>(splices);
        all.add(splice);
        return new HookedTransformer(cfg, weights, tokenizer, hooks, all, runtime);
    }

    /** The same model without hooks or spliced modules ({@code reset_hooks}). */
    public HookedTransformer withoutInterventions() {
        return new HookedTransformer(cfg, weights, tokenizer, List.of(), List.of(), runtime);
    }

    /** The same model (its weights shared, not copied) running on {@code other}: its pool, its settings. */
    public HookedTransformer withRuntime(JlensRuntime other) {
        return new HookedTransformer(cfg, weights, tokenizer, hooks, splices, other);
    }

    /** What this model runs with: its kernels' thread pool among others. */
    public JlensRuntime runtime() {
        return runtime;
    }

    /** The hooks every run of this model starts with. */
    public List<Hook> hooks() {
        return hooks;
    }

    public List<Splice> splices() {
        return splices;
    }

    /** Whether runs of this model are changed by hooks or spliced modules (code that bypasses hooks must not run it). */
    public boolean hasInterventions() {
        return !hooks.isEmpty() || !splices.isEmpty();
    }

    /** The forward pass, whose blocks the patching engine runs too. */
    ForwardPass forwardPass() {
        return forward;
    }

    public ModelConfig cfg() {
        return cfg;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public ModelWeights weights() {
        return weights;
    }

    /** Every hook point name, in TransformerLens' module order ({@code hook_dict.keys()}). */
    public List<String> hookPoints() {
        return points.names();
    }

    // ---- tokens --------------------------------------------------------------------------------------

    /** TransformerLens' tokenization methods; the ones below delegate to it. */
    public Tokenization tokenization() {
        return tokenization;
    }

    /** {@code to_tokens(text)}: [1, pos], with the BOS token 50256 first. */
    public IntTensor toTokens(String text) {
        return tokenization.toTokens(text, cfg.defaultPrependBos());
    }

    public IntTensor toTokens(String text, boolean prependBos) {
        return tokenization.toTokens(text, prependBos);
    }

    /**
     * {@code to_tokens([...])}: one row per text, right-padded with 50256 to the longest, as TransformerLens
     * does with GPT-2's default padding side. Unlike TransformerLens, nothing is silently truncated at
     * n_ctx: running a too-long input is an error that says the limit.
     */
    public IntTensor toTokens(List<String> texts, boolean prependBos) {
        return tokenization.toTokens(texts, prependBos, false);
    }

    public IntTensor toTokens(List<String> texts) {
        return toTokens(texts, cfg.defaultPrependBos());
    }

    /** As {@link #toTokens(List, boolean)}, padding on the left instead when {@code leftPadding}. */
    public IntTensor toTokens(List<String> texts, boolean prependBos, boolean leftPadding) {
        return tokenization.toTokens(texts, prependBos, leftPadding);
    }

    /** {@code to_str_tokens(text)}: each token decoded on its own, BOS first. */
    public List<String> toStrTokens(String text) {
        return toStrTokens(text, cfg.defaultPrependBos());
    }

    public List<String> toStrTokens(String text, boolean prependBos) {
        return tokenization.toStrTokens(text, prependBos);
    }

    public List<String> toStrTokens(int... ids) {
        return tokenization.toStrTokens(ids);
    }

    /** Token strings of a vector, or of the single row of a [1, pos] tensor. */
    public List<String> toStrTokens(IntTensor tokens) {
        IntTensor t = tokens.rank() == 2 && tokens.shape(0) == 1 ? tokens.get(0) : tokens;
        if (t.rank() > 1) throw new JlensException("toStrTokens needs one sequence; got shape " + Arrays.toString(tokens.shape()));
        return toStrTokens(t.toArray());
    }

    /** {@code to_single_token}: the id of a string that is exactly one token (no BOS). */
    @Override
    public int toSingleToken(String text) {
        return tokenization.toSingleToken(text);
    }

    public String toSingleStrToken(int id) {
        return tokenizer.tokenString(id);
    }

    /** {@code to_string}: ids decoded together, special tokens kept. */
    public String toString(int... ids) {
        return tokenization.toString(ids);
    }

    /** One string per row of a [batch, pos] tensor. */
    public List<String> toStrings(IntTensor tokens) {
        if (tokens.rank() == 1) return List.of(toString(tokens.toArray()));
        List<String> out = new ArrayList<>();
        for (int i = 0; i < tokens.shape(0); i++) out.add(toString(tokens.row(i)));
        return out;
    }

    /** {@code tokens_to_residual_directions}: columns of W_U as [..., d_model] (one token gives [d_model]). */
    @Override
    public Tensor tokensToResidualDirections(IntTensor tokens) {
        int d = cfg.dModel();
        int[] ids = tokens.toArray();
        float[] out = new float[ids.length * d];
        for (int i = 0; i < ids.length; i++) System.arraycopy(weights.wU.column(ids[i]), 0, out, i * d, d);
        if (ids.length == 1) return Tensor.of(out, d);
        int[] shape = Arrays.copyOf(tokens.shape(), tokens.rank() + 1);
        shape[tokens.rank()] = d;
        return Tensor.of(out, shape);
    }

    public Tensor tokensToResidualDirections(int token) {
        return tokensToResidualDirections(IntTensor.of(new int[] {token}));
    }

    // ---- running -------------------------------------------------------------------------------------

    /** Logits [batch, pos, d_vocab] of a token batch. */
    public Tensor forward(IntTensor tokens) {
        return run(tokens, ForwardOptions.LOGITS, List.of()).logits();
    }

    /** Logits [1, pos, d_vocab] of a text (BOS prepended). */
    public Tensor forward(String text) {
        return forward(toTokens(text));
    }

    /** Mean next-token cross-entropy loss ({@code return_type="loss"}). */
    public float loss(IntTensor tokens) {
        return run(tokens, ForwardOptions.LOSS, List.of()).loss().item();
    }

    public float loss(String text) {
        return loss(toTokens(text));
    }

    /** Per-token loss [batch, pos-1] ({@code loss_per_token=True}). */
    public Tensor lossPerToken(IntTensor tokens) {
        return run(tokens, ForwardOptions.LOSS.withLossPerToken(true), List.of()).loss();
    }

    /** The general forward: what to return, where to start and stop, masks and KV cache in {@code options}. */
    public ModelOutput run(IntTensor tokens, ForwardOptions options) {
        return run(tokens, options, List.of());
    }

    /** {@code run_with_hooks}: a forward pass with these hooks attached for this run only; returns logits. */
    public Tensor runWithHooks(IntTensor tokens, List<Hook> hooks) {
        return run(tokens, ForwardOptions.LOGITS, hooks).logits();
    }

    public ModelOutput runWithHooks(IntTensor tokens, ForwardOptions options, List<Hook> hooks) {
        return run(tokens, options, hooks);
    }

    /** {@code run_with_cache}: logits and every activation (batch dimension kept). */
    public CachedRun runWithCache(IntTensor tokens) {
        return runWithCache(tokens, CacheOptions.ALL);
    }

    public CachedRun runWithCache(String text) {
        return runWithCache(toTokens(text));
    }

    /**
     * {@code run_with_cache} with a names filter, {@code remove_batch_dim}, forward options and extra hooks
     * (which run before the caching hooks, so cached values include their edits).
     */
    public CachedRun runWithCache(IntTensor tokens, CacheOptions options) {
        Map<String, Tensor> store = new LinkedHashMap<>();
        Predicate<String> filter = options.namesFilter();
        HookFunction capture = (act, hook) -> {
            store.put(hook.name(), options.removeBatchDim() ? act.get(0) : act.copy());
            return null;
        };
        List<Hook> hooks = new ArrayList<>(options.hooks());
        hooks.add(Hook.matching(filter, HookFunction.reading((act, hook) -> capture.apply(act, hook))));
        if (options.inclBwd() == null) {
            ModelOutput out = run(tokens, options.forward(), hooks);
            return new CachedRun(out, new ActivationCache(store, this, !options.removeBatchDim()));
        }
        hooks.add(Hook.backwardMatching(filter, HookFunction.reading((grad, hook) ->
                store.put(hook.name() + "_grad", options.removeBatchDim() ? grad.get(0) : grad.copy()))));
        Running r = runtime.call(() -> runOnThisThread(tokens, options.forward(), hooks, options.inclBwd()));
        return new CachedRun(r.output(), new ActivationCache(store, this, !options.removeBatchDim()));
    }

    /**
     * A forward pass with these hooks (forward and {@link Hook#backward backward} ones), then the backward pass
     * of {@code metric} from the logits to the embeddings. Forward hooks stay active, so the gradient is the
     * hooked model's: where a forward hook replaced an activation's element, that element is a constant (see
     * {@link HookedRun}). Every backward hook sees the gradient at its hook point and may replace it for the
     * rest of the backward pass.
     */
    public GradientRun runWithGradient(IntTensor tokens, LogitMetric metric, List<Hook> hooks) {
        return runWithGradient(tokens, ForwardOptions.LOGITS, metric, hooks);
    }

    /** {@link #runWithGradient(IntTensor, LogitMetric, List)} with an attention mask or a start layer in {@code options}. */
    public GradientRun runWithGradient(IntTensor tokens, ForwardOptions options, LogitMetric metric, List<Hook> hooks) {
        Running r = runtime.call(() -> runOnThisThread(tokens, options, hooks, metric));
        return new GradientRun(r.output().logits(), r.metric(), r.inputGradient());
    }

    /** A run's output and, when a metric was differentiated, its value and input gradient. */
    private record Running(ModelOutput output, double metric, Tensor inputGradient) {}

    private ModelOutput run(IntTensor tokens, ForwardOptions o, List<Hook> hooks) {
        return runtime.call(() -> runOnThisThread(tokens, o, hooks, null)).output();
    }

    private Running runOnThisThread(IntTensor tokens, ForwardOptions o, List<Hook> hooks, LogitMetric metric) {
        if (tokens.rank() == 1) tokens = tokens.reshape(1, tokens.shape(0));
        if (tokens.rank() != 2) throw new JlensException("tokens must be [batch, pos], got shape " + Arrays.toString(tokens.shape()));
        if (o.residual() == null && (tokens.shape(0) == 0 || tokens.shape(1) == 0)) {
            throw new JlensException("the input has no tokens (shape " + Arrays.toString(tokens.shape())
                    + "); an empty prompt needs BOS prepended to have one");
        }
        List<Hook> all = this.hooks.isEmpty() ? hooks : concat(this.hooks, hooks);
        HookedRun hookedRun = new HookedRun(points, all, splices);
        int start = o.startAtLayer(), stop = o.stopAtLayer() == null ? cfg.nLayers() : normalizeStop(o.stopAtLayer());
        Tape tape = null;
        if (metric != null) {
            if (o.kvCache() != null || stop < cfg.nLayers() || o.lastLogitsOnly() || o.returnType() == ForwardOptions.ReturnType.NONE) {
                throw new JlensException("a gradient run needs every position's logits: no KV cache, stopAtLayer, lastLogitsOnly or return type NONE");
            }
            tape = forward.tape();
            hookedRun.watchChanges();
        }
        boolean wantLogits = o.returnType() != ForwardOptions.ReturnType.NONE && stop == cfg.nLayers();
        ForwardPass.Result r = forward.run(new ForwardPass.Request(
                o.residual() == null ? tokens : null, o.residual(), start, stop, wantLogits,
                o.attentionMask(), o.kvCache(), hookedRun, o.lastLogitsOnly(), tape));
        if (stop < cfg.nLayers()) return new Running(new ModelOutput(null, null, r.residual()), Double.NaN, null);
        double metricValue = Double.NaN;
        Tensor inputGradient = null;
        if (metric != null) {
            LogitMetric.Evaluation e = LogitMetric.checked(metric, r.logits());
            metricValue = e.value();
            inputGradient = forward.backward(tape, e.gradient());
            hookedRun.checkBackwardThroughSplices();
        }
        if (o.lastLogitsOnly() && o.returnType() != ForwardOptions.ReturnType.LOGITS && o.returnType() != ForwardOptions.ReturnType.NONE) {
            throw new JlensException("lastLogitsOnly gives no loss: the loss needs every position's logits");
        }
        Tensor loss = switch (o.returnType()) {
            case LOSS, BOTH -> Loss.crossEntropy(r.logits(), tokens, o.attentionMask(), o.lossPerToken());
            default -> null;
        };
        Tensor logits = o.returnType() == ForwardOptions.ReturnType.LOSS ? null : r.logits();
        return new Running(new ModelOutput(logits, loss, null), metricValue, inputGradient);
    }

    private static List<Hook> concat(List<Hook> a, List<Hook> b) {
        List<Hook> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private int normalizeStop(int stop) {
        int s = stop < 0 ? cfg.nLayers() + stop : Math.min(stop, cfg.nLayers());
        if (s < 0) throw new JlensException("stopAtLayer " + stop + " is out of range for " + cfg.nLayers() + " layers");
        return s;
    }

    // ---- generation ----------------------------------------------------------------------------------

    /** {@code generate(prompt)}: the prompt and its continuation as one string, special tokens removed. */
    public String generate(String prompt, GenerateOptions options) {
        return Generation.generateText(this, prompt, options);
    }

    /** Token-level generation: [batch, pos + new] ids. */
    public IntTensor generate(IntTensor tokens, GenerateOptions options) {
        return Generation.generateTokens(this, tokens, options, null);
    }

    // ---- weights -------------------------------------------------------------------------------------

    // TransformerLens' stacked weight properties, in its shapes. Each call builds a fresh tensor.

    /** [d_vocab, d_model]. */
    public Tensor W_E() {
        return weights.wE.toTensor();
    }

    /** [n_ctx, d_model]; a rotary model has no learned positions (TransformerLens has no {@code pos_embed} then). */
    public Tensor W_pos() {
        if (weights.wPos == null) throw new JlensException(cfg.modelName() + " has no W_pos: its positions are rotary (" + cfg.positionalEmbeddingType() + ")");
        return weights.wPos.toTensor();
    }

    /** [n_layers, n_heads, d_model, d_head]. */
    public Tensor W_Q() {
        return stack(l -> ModelWeights.headsFirst(weights.layers[l].attentionWeights(0), cfg.nHeads(), cfg.dHead()));
    }

    /**
     * [n_layers, n_heads, d_model, d_head]: with grouped-query attention each key head repeated for the query
     * heads that share it, as TransformerLens' {@code W_K} ({@code repeat_interleave} of {@code _W_K}); {@link #_W_K}
     * has the heads as stored.
     */
    public Tensor W_K() {
        return perQueryHead(_W_K());
    }

    /** [n_layers, n_heads, d_model, d_head], value heads repeated for their query heads as {@link #W_K}. */
    public Tensor W_V() {
        return perQueryHead(_W_V());
    }

    /** [n_layers, n_key_value_heads, d_model, d_head]: the key heads as stored (TransformerLens' {@code attn._W_K}, stacked). */
    public Tensor _W_K() {
        return stack(l -> ModelWeights.headsFirst(weights.layers[l].attentionWeights(1), cfg.nKeyValueHeads(), cfg.dHead()));
    }

    /** [n_layers, n_key_value_heads, d_model, d_head]: the value heads as stored ({@code attn._W_V}, stacked). */
    public Tensor _W_V() {
        return stack(l -> ModelWeights.headsFirst(weights.layers[l].attentionWeights(2), cfg.nKeyValueHeads(), cfg.dHead()));
    }

    /** [n_layers, n_heads, d_head, d_model]. */
    public Tensor W_O() {
        return stack(l -> weights.layers[l].wO().unpack().reshape(cfg.nHeads(), cfg.dHead(), cfg.dModel()));
    }

    /** [n_layers, n_heads, d_head]. */
    public Tensor b_Q() {
        return stack(l -> Tensor.of(weights.layers[l].attentionBias(0), cfg.nHeads(), cfg.dHead()));
    }

    /** [n_layers, n_heads, d_head], key heads repeated for their query heads as {@link #W_K}. */
    public Tensor b_K() {
        return perQueryHead(_b_K());
    }

    /** [n_layers, n_heads, d_head], value heads repeated for their query heads. */
    public Tensor b_V() {
        return perQueryHead(_b_V());
    }

    /** [n_layers, n_key_value_heads, d_head] as stored. */
    public Tensor _b_K() {
        return stack(l -> Tensor.of(weights.layers[l].attentionBias(1), cfg.nKeyValueHeads(), cfg.dHead()));
    }

    /** [n_layers, n_key_value_heads, d_head] as stored. */
    public Tensor _b_V() {
        return stack(l -> Tensor.of(weights.layers[l].attentionBias(2), cfg.nKeyValueHeads(), cfg.dHead()));
    }

    /** [n_layers, n_key_value_heads, ...] -> [n_layers, n_heads, ...]: query head h reads key/value head h / (n_heads / n_key_value_heads). */
    private Tensor perQueryHead(Tensor grouped) {
        if (cfg.nKeyValueHeads() == cfg.nHeads()) return grouped;
        int repeat = cfg.nHeads() / cfg.nKeyValueHeads();
        return stack(l -> {
            List<Tensor> heads = new ArrayList<>();
            for (int h = 0; h < cfg.nHeads(); h++) heads.add(grouped.get(l, h / repeat));
            return Tensor.stack(heads, 0);
        });
    }

    /** [n_layers, d_model]. */
    public Tensor b_O() {
        return stack(l -> Tensor.of(weights.layers[l].bO().clone(), cfg.dModel()));
    }

    /** [n_layers, d_model, d_mlp]. */
    public Tensor W_in() {
        return stack(l -> weights.layers[l].wIn().unpack());
    }

    /** [n_layers, d_mlp]. */
    public Tensor b_in() {
        return stack(l -> Tensor.of(weights.layers[l].bIn().clone(), cfg.dMlp()));
    }

    /** [n_layers, d_model, d_mlp], the gate of a gated MLP; null without one, as TransformerLens' {@code W_gate} is None. */
    public Tensor W_gate() {
        return cfg.gatedMlp() ? stack(l -> weights.layers[l].wGate().unpack()) : null;
    }

    /** [n_layers, d_mlp, d_model]. */
    public Tensor W_out() {
        return stack(l -> weights.layers[l].wOut().unpack());
    }

    /** [n_layers, d_model]. */
    public Tensor b_out() {
        return stack(l -> Tensor.of(weights.layers[l].bOut().clone(), cfg.dModel()));
    }

    /** [d_model, d_vocab_out]. */
    public Tensor W_U() {
        return weights.wU.unpack();
    }

    /** [d_vocab]. */
    public Tensor b_U() {
        return Tensor.of(weights.bU.clone(), cfg.dVocabOut());
    }

    // ---- what the activation cache's analyses read (CacheModel) ----------------------------------------

    @Override
    public int nLayers() {
        return cfg.nLayers();
    }

    @Override
    public int nHeads() {
        return cfg.nHeads();
    }

    @Override
    public int dModel() {
        return cfg.dModel();
    }

    @Override
    public int dMlp() {
        return cfg.dMlp();
    }

    @Override
    public Tensor headOutputWeights(int layer) {
        return weights.layers[layer].wO().unpack().reshape(cfg.nHeads(), cfg.dHead(), cfg.dModel());
    }

    @Override
    public Tensor mlpOutputWeights(int layer) {
        return weights.layers[layer].wOut().unpack();
    }

    /** {@code accumulated_bias}: b_O (and b_out) of every layer before {@code layer}, plus b_O of {@code layer} if mlpInput. */
    @Override
    public Tensor accumulatedBias(int layer, boolean mlpInput, boolean includeMlpBiases) {
        float[] sum = new float[cfg.dModel()];
        for (int l = 0; l < layer; l++) {
            dev.jlens.tensor.Kernels.add(sum, 0, weights.layers[l].bO(), 0, sum, 0, sum.length);
            if (includeMlpBiases) dev.jlens.tensor.Kernels.add(sum, 0, weights.layers[l].bOut(), 0, sum, 0, sum.length);
        }
        if (mlpInput) dev.jlens.tensor.Kernels.add(sum, 0, weights.layers[layer].bO(), 0, sum, 0, sum.length);
        return Tensor.of(sum, cfg.dModel());
    }

    @Override
    public boolean normsCenter() {
        return !cfg.rmsNorm();
    }

    /** ln_final on each [..., d_model] vector with its own statistics (and its w, b when not folded). */
    @Override
    public Tensor applyLnFinal(Tensor residual) {
        return runtime.call(() -> forward.applyLnFinal(residual));
    }

    /**
     * The OV circuits {@code W_V @ W_O} of all heads, factored: shape [L, H, d_model, d_model], hidden dim
     * d_head. {@code OV().get(l)} is TransformerLens' {@code model.blocks[l].attn.OV}, {@code OV().get(l, h)} one head's.
     */
    public FactoredMatrix OV() {
        return new FactoredMatrix(W_V(), W_O());
    }

    /** The QK circuits {@code W_Q @ W_Kᵀ} of all heads, factored: shape [L, H, d_model, d_model], hidden dim d_head. */
    public FactoredMatrix QK() {
        return new FactoredMatrix(W_Q(), W_K().mT());
    }

    /** {@code all_composition_scores(mode)} [L, H, L, H] for mode "Q", "K" or "V"; see {@link CompositionScores}. */
    public Tensor allCompositionScores(String mode) {
        return CompositionScores.allCompositionScores(this, mode);
    }

    private Tensor stack(java.util.function.IntFunction<Tensor> perLayer) {
        List<Tensor> layers = new ArrayList<>();
        for (int l = 0; l < cfg.nLayers(); l++) layers.add(perLayer.apply(l));
        return Tensor.stack(layers, 0);
    }

    /** TransformerLens' {@code state_dict()} parameters, by its names and in its shapes. */
    public Map<String, Tensor> stateDict() {
        return weights.stateDict(cfg);
    }

    @Override
    public String toString() {
        return "HookedTransformer(" + cfg.modelName() + ", " + cfg.nLayers() + " layers, d_model " + cfg.dModel() + ")";
    }
}
