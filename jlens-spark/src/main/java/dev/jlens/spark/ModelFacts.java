package dev.jlens.spark;

import dev.jlens.model.HookedTransformer;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

import java.io.Serializable;
import java.util.List;

/**
 * What the driver needs to know of a model before a corpus job (its name, context length and hook points, SAEs'
 * included), asked of an executor: the driver never loads the model, and a model no executor can reach fails here,
 * in one small task, before the job reads the dataset.
 */
record ModelFacts(String name, int nCtx, List<String> hookPoints) implements Serializable {
    static ModelFacts of(SparkSession spark, ModelRef model) {
        return JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(List.of(0), 1).map(x -> {
            HookedTransformer m = ExecutorModels.get(model);
            return new ModelFacts(m.cfg().modelName(), m.cfg().nCtx(), List.copyOf(m.hookPoints()));
        }).collect().getFirst();
    }
}
