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
 */
public final class HookedRun {
    private static final HookFunction[] NONE = new HookFunction[0];

    private final HookPoints points;
    private final HookFunction[][] functions;
    private final HookPoint[] hookPoints;

    public HookedRun(HookPoints points, List<Hook> hooks) {
        this(points, hooks, List.of());
    }

    /** The run's hooks, then at each splice's host point (after its hooks) the spliced module. */
    public HookedRun(HookPoints points, List<Hook> hooks, List<Splice> splices) {
        this.points = points;
        this.functions = new HookFunction[points.count()][];
        this.hookPoints = new HookPoint[points.count()];
        List<List<HookFunction>> byPoint = new ArrayList<>();
        for (int i = 0; i < points.count(); i++) byPoint.add(null);
        for (Hook h : hooks) {
            if (h.name() != null) {
                int id = points.idOf(h.name());
                if (id < 0) throw new JlensException("no hook point named '" + h.name() + "' (e.g. blocks.0.attn.hook_pattern, blocks.0.hook_resid_pre, hook_embed)");
                HookFlags.Switch off = points.switchedOff(id);
                if (off != null) {
                    throw new JlensException(h.name() + " fires only with " + off.configName + " on; use model." + off.method + "(true)");
                }
                add(byPoint, id, h.function());
            } else {
                // a filter skips the points that never fire, as a cache of such a model has no entry for them
                for (String name : points.names()) {
                    int id = points.idOf(name);
                    if (points.switchedOff(id) == null && h.filter().test(name)) add(byPoint, id, h.function());
                }
            }
        }
        for (Splice splice : splices) {
            add(byPoint, points.idOf(splice.hookName()), (act, hook) -> splice.apply(act, (child, a) -> {
                int id = points.idOf(splice.hookName() + "." + child);
                if (id < 0) throw new JlensException("the module spliced in at " + splice.hookName() + " fired '" + child + "', which it did not declare");
                return fire(id, a);
            }));
        }
        for (int i = 0; i < functions.length; i++) {
            List<HookFunction> fs = byPoint.get(i);
            functions[i] = fs == null ? NONE : fs.toArray(HookFunction[]::new);
            if (fs != null) hookPoints[i] = new HookPoint(points.name(i));
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

    public boolean isHooked(int id) {
        return functions[id].length > 0;
    }

    /**
     * Runs the hooks of one hook point in registration order, each seeing the previous one's output, and
     * returns the activation the forward pass continues with.
     */
    public Tensor fire(int id, Tensor activation) {
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
}
