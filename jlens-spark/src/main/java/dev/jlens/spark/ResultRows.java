package dev.jlens.spark;

import dev.jlens.dataset.ResultColumns;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A job's result rows (maps from column name to value, typed by {@link ResultColumns}) as Spark rows of a fixed
 * schema: the columns in the order given, each of the type the local engine's Parquet table gives it (BIGINT as
 * long, FLOAT as float, INTEGER[] as array of int, FLOAT[] and FLOAT[][] as arrays of float), and last
 * {@link ResultColumns#ERROR}, set on the rows that could not be used.
 */
final class ResultRows implements Serializable {
    private final List<String> columns;
    private final StructType schema;

    ResultRows(List<String> columns, ResultColumns types) {
        this.columns = List.copyOf(columns);
        List<StructField> fields = new ArrayList<>();
        for (String c : columns) fields.add(DataTypes.createStructField(c, sparkType(types.type(c)), true));
        fields.add(DataTypes.createStructField(ResultColumns.ERROR, DataTypes.StringType, true));
        this.schema = DataTypes.createStructType(fields);
    }

    static DataType sparkType(String sqlType) {
        return switch (sqlType) {
            case "BIGINT" -> DataTypes.LongType;
            case "INTEGER" -> DataTypes.IntegerType;
            case "FLOAT" -> DataTypes.FloatType;
            case "DOUBLE" -> DataTypes.DoubleType;
            case "INTEGER[]" -> DataTypes.createArrayType(DataTypes.IntegerType);
            case "FLOAT[]" -> DataTypes.createArrayType(DataTypes.FloatType);
            case "FLOAT[][]" -> DataTypes.createArrayType(DataTypes.createArrayType(DataTypes.FloatType));
            case "VARCHAR" -> DataTypes.StringType;
            default -> throw new IllegalArgumentException("no Spark type for " + sqlType);
        };
    }

    StructType schema() {
        return schema;
    }

    Row toRow(Map<String, Object> result) {
        Object[] values = new Object[columns.size() + 1];
        String error = (String) result.get(ResultColumns.ERROR);
        values[0] = result.get(ResultColumns.ROW);
        if (error != null) {
            values[columns.size()] = error;
            return RowFactory.create(values);
        }
        for (int i = 0; i < columns.size(); i++) values[i] = value(result.get(columns.get(i)));
        return RowFactory.create(values);
    }

    /** Spark's row encoder takes arrays of primitives as they are, and a list of them as a Scala sequence. */
    private static Object value(Object v) {
        if (v instanceof float[][] m) return scala.jdk.javaapi.CollectionConverters.asScala(java.util.Arrays.asList(m)).toSeq();
        return v;
    }
}
