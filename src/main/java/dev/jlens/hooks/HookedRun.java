package dev.jlens.hooks;

import dev.jlens.JlensException;
import dev.jlens.tensor.Shape;
import dev.jlens.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The hooks of one forward pass. Built from a list of {@link Hook}s when the run starts and dropped
 * when it ends, so a hook can never outlive its run (also when the run throws) and concurrent runs on one
 * model never see each other's hooks. With no hooks, {@link #isHooked} is a single array read.
 *
 * <p>In a gradient run it also holds the backward hooks, and watches what the forward hooks change: where a
 * hook replaced an element of an activation, the element is a constant of the hooked model (a patch, an
 * ablation), so no gradient flows through it to the computation before the hook; where the hook left it, the
 * gradient passes unchanged. A hook that scales or otherwise transforms an activation is therefore seen as a
 * constant replacement, not differentiated.
 */
public final class HookedRun {
    private static final HookFunction[] NONE = new HookFunction[0];

    private final HookPoints points;
    private final HookFunction[][] functions;
    private final HookFunction[][] backwardFunctions;
    private final HookPoint[] hookPoints;
    /** Per point, the modules spliced in there (after its hooks), in order. */
    private final Splice[][] spliced;
    /** Per point, the backward of each traced splice there, in forward order (null: none); only while watching. */
    private Splice.Backward[][] traced;
    /** Per point, the elements a forward hook changed (null: none); only while watching. */
    private boolean[][] changed;

    public HookedRun(HookPoints points, List<Hook> hooks) {
        this(points, hooks, List.of());
    }

    /** The run's hooks, then at each splice's host point (after its hooks) the spliced module. */
    public HookedRun(HookPoints points, List<Hook> hooks, List<Splice> splices) {
        this.points = points;
        this.functions = new HookFunction[points.count()][];
        this.backwardFunctions = new HookFunction[points.count()][];
        this.hookPoints = new HookPoint[points.count()];
        this.spliced = new Splice[points.count()][];
        List<List<HookFunction>> byPoint = new ArrayList<>(), backwardByPoint = new ArrayList<>();
        for (int i = 0; i < points.count(); i++) {
            byPoint.add(null);
            backwardByPoint.add(null);
        }
        for (Hook hook : hooks) {
            List<List<HookFunction>> target = hook.backward() ? backwardByPoint : byPoint;
            Hook h = hook;
            if (h.name() != null) {
                int id = points.idOf(h.name());
                if (id < 0) throw new JlensException("no hook point named '" + h.name() + "' (e.g. blocks.0.attn.hook_pattern, blocks.0.hook_resid_pre, hook_embed)");
                HookFlags.Switch off = points.switchedOff(id);
                if (off != null) {
                    throw new JlensException(h.name() + " fires only with " + off.configName + " on; use model." + off.method + "(true)");
                }
                add(target, id, h.function());
            } else {
                // a filter skips the points that never fire, as a cache of such a model has no entry for them
                for (String name : points.names()) {
                    int id = points.idOf(name);
                    if (points.switchedOff(id) == null && h.filter().test(name)) add(target, id, h.function());
                }
            }
        }
        List<List<Splice>> splicesByPoint = new ArrayList<>();
        for (int i = 0; i < points.count(); i++) splicesByPoint.add(new ArrayList<>());
        for (Splice splice : splices) splicesByPoint.get(points.idOf(splice.hookName())).add(splice);
        for (int i = 0; i < functions.length; i++) {
            List<HookFunction> fs = byPoint.get(i);
            List<HookFunction> bs = backwardByPoint.get(i);
            functions[i] = fs == null ? NONE : fs.toArray(HookFunction[]::new);
            spliced[i] = splicesByPoint.get(i).toArray(Splice[]::new);
            backwardFunctions[i] = bs == null ? NONE : bs.toArray(HookFunction[]::new);
            if (fs != null || bs != null) hookPoints[i] = new HookPoint(points.name(i));
        }
    }

    public static HookedRun none(HookPoints points) {
        return new HookedRun(points, List.of());
    }

    private static void add(List<List<HookFunction>> byPoint, int id, HookFunction f) {
        if (byPoint.get(id) == null) byPoint.set(id, new ArrayList<>());
        byPoint.get(id).add(f);
    }

    public HookPoints points() {
        return points;
    }

    /** Whether the forward pass must fire {@code id}: a hook or a spliced module is there. */
    public boolean isHooked(int id) {
        return functions[id].length > 0 || spliced[id].length > 0;
    }

    /** Whether a backward hook is attached at {@code id}. */
    public boolean isBackwardHooked(int id) {
        return backwardFunctions[id].length > 0;
    }

    /** Whether any backward hook is attached. */
    public boolean hasBackwardHooks() {
        for (HookFunction[] fs : backwardFunctions) if (fs.length > 0) return true;
        return false;
    }

    /** From now on, record which elements the forward hooks change (for a gradient run). */
    public void watchChanges() {
        if (changed == null) {
            changed = new boolean[functions.length][];
            traced = new Splice.Backward[functions.length][];
        }
    }

    /** Whether the gradient at {@code id} is needed as a tensor of its own: a backward hook or a changing forward hook is there. */
    public boolean needsGradient(int id) {
        return isBackwardHooked(id) || (changed != null && (changed[id] != null || traced[id] != null));
    }

    /**
     * The gradient with respect to the input of hook point {@code id} from the gradient with respect to its
     * output: back through the modules spliced in there (last first), then the backward hooks run in registration
     * order (each seeing the previous one's result), then elements a forward hook replaced get gradient 0. So a
     * backward hook at a splice's host sees the gradient of the module's input, which is what the host holds.
     */
    public Tensor fireBackward(int id, Tensor gradient) {
        Tensor g = gradient;
        Splice.Backward[] backs = traced == null ? null : traced[id];
        if (backs != null) {
            traced[id] = null;
            for (int i = backs.length - 1; i >= 0; i--) g = checkedShape(id, g, backs[i].apply(g, childHooks(spliced[id][i], true)));
        }
        HookFunction[] fs = backwardFunctions[id];
        if (fs.length > 0) {
            g = g.copy();  // a hook editing in place must not edit a gradient that flows elsewhere too
            for (HookFunction f : fs) {
                Tensor out = f.apply(g, hookPoints[id]);
                if (out != null) {
                    if (!Arrays.equals(out.shape(), g.shape())) {
                        throw new JlensException("a backward hook on " + points.name(id) + " returned shape " + Shape.str(out.shape())
                                + " where the gradient has shape " + Shape.str(g.shape()));
                    }
                    g = out;
                }
            }
        }
        boolean[] mask = changed == null ? null : changed[id];
        if (mask == null) return g;
        float[] out = g.toArray();
        for (int i = 0; i < out.length; i++) if (mask[i]) out[i] = 0f;
        return Tensor.of(out, g.shape());
    }

    /** After a backward pass: refuses a run whose backward never reached a module spliced in (so skipped it). */
    public void checkBackwardThroughSplices() {
        if (traced == null) return;
        for (int id = 0; id < traced.length; id++) {
            if (traced[id] != null) throw new JlensException("gradients are not computed through a module spliced in at " + points.name(id));
        }
    }

    /**
     * Runs the hooks of one hook point in registration order, each seeing the previous one's output, then the
     * modules spliced in there (traced in a gradient run), and returns the activation the forward pass continues with.
     */
    public Tensor fire(int id, Tensor activation) {
        HookFunction[] fs = functions[id];
        Tensor act = changed != null && fs.length > 0 && !allReading(fs) ? fireWatched(id, activation) : runHooks(id, activation);
        Splice[] ss = spliced[id];
        if (ss.length == 0) return act;
        if (changed != null) traced[id] = new Splice.Backward[ss.length];
        for (int i = 0; i < ss.length; i++) {
            Splice.ChildHooks hooks = childHooks(ss[i], false);
            if (changed == null) {
                act = checkedShape(id, act, ss[i].apply(act, hooks));
            } else {
                Splice.Traced t = ss[i].trace(act, hooks);
                traced[id][i] = t.backward();
                act = checkedShape(id, act, t.output());
            }
        }
        return act;
    }

    /** A splice's child hook points, forward ({@link #fire}) or backward ({@link #fireBackward}). */
    private Splice.ChildHooks childHooks(Splice splice, boolean backward) {
        return (child, a) -> {
            int id = points.idOf(splice.hookName() + "." + child);
            if (id < 0) throw new JlensException("the module spliced in at " + splice.hookName() + " fired '" + child + "', which it did not declare");
            return backward ? fireBackward(id, a) : fire(id, a);
        };
    }

    private Tensor checkedShape(int id, Tensor before, Tensor after) {
        if (!Arrays.equals(after.shape(), before.shape())) {
            throw new JlensException("the module spliced in at " + points.name(id) + " returned shape " + Shape.str(after.shape())
                    + " where the activation has shape " + Shape.str(before.shape()));
        }
        return after;
    }

    /** The hooks (not the spliced modules) of one hook point, unwatched. */
    private Tensor runHooks(int id, Tensor activation) {
        HookFunction[] fs = functions[id];
        Tensor act = activation;
        for (HookFunction f : fs) {
            Tensor out = f.apply(act, hookPoints[id]);
            if (out != null) {
                if (!Arrays.equals(out.shape(), act.shape())) {
                    throw new JlensException("a hook on " + points.name(id) + " returned shape " + Shape.str(out.shape())
                            + " where the activation has shape " + Shape.str(act.shape()));
                }
                act = out;
            }
        }
        return act;
    }

    private static boolean allReading(HookFunction[] fs) {
        for (HookFunction f : fs) if (!(f instanceof HookFunction.Reading)) return false;
        return true;
    }

    /** {@link #runHooks}, noting the elements whose value the hooks changed (bit for bit). */
    private Tensor fireWatched(int id, Tensor activation) {
        float[] before = activation.toArray();
        changed[id] = null;
        Tensor after = runHooks(id, activation);
        float[] now = after.toArray();
        boolean[] mask = new boolean[now.length];
        boolean any = false;
        for (int i = 0; i < now.length; i++) {
            mask[i] = Float.floatToRawIntBits(now[i]) != Float.floatToRawIntBits(before[i]);
            any |= mask[i];
        }
        if (any) changed[id] = mask;
        return after;
    }
}
