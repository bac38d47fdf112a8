package ganfactor.spark;

import ganfactor.InputException;
import ganfactor.generator.Generator;
import ganfactor.generator.LatentSpace;
import ganfactor.generator.Latents;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.size;

/**
 * Where a batch's latent codes come from, resolved on the driver into a table of
 * {@code index} (long, the row's key in every output), {@code seed} (long, null unless the code
 * comes from a seed) and {@code code} (array of doubles in the job's latent space; null for a seed,
 * whose code the executor draws).
 * <ul>
 *   <li>{@link Seeds}: one code per seed s in [first, last], z = RandomState(s).randn(d) mapped to
 *       the space (and truncated), exactly the code of the command line's {@code --seed s --num 1};
 *       index = s.</li>
 *   <li>{@link NpyFile}: [N, d] or [N, L, d] codes read and checked on the driver by
 *       {@link Latents#fromFile} (the command line's reader); index = row.</li>
 *   <li>{@link ParquetColumn}: an array column of a Parquet table on any Hadoop file system; its
 *       lengths are checked by one cheap pass over that column before any generator work; index =
 *       the named index column, or the row's position.</li>
 * </ul>
 */
public sealed interface CodeSource extends Serializable {

    StructType SCHEMA = new StructType(new StructField[]{
            DataTypes.createStructField("index", DataTypes.LongType, false),
            DataTypes.createStructField("seed", DataTypes.LongType, true),
            DataTypes.createStructField("code", DataTypes.createArrayType(DataTypes.DoubleType, false), true)});

    /** The codes as a table of {@link #SCHEMA} in {@code partitions} partitions, checked against {@code g} (the driver's copy). */
    Dataset<Row> rows(SparkSession spark, Generator g, LatentSpace space, int partitions);

    /** How the run record names the codes. */
    String describe();

    /** Parses "seeds:A-B", "npy:FILE" (or a path ending in .npy) and "parquet:PATH#COLUMN[,INDEX]". */
    static CodeSource parse(String spec) {
        if (spec.startsWith("seeds:")) {
            String r = spec.substring("seeds:".length());
            int dash = r.indexOf('-');
            try {
                long a = Long.parseLong(dash < 0 ? r : r.substring(0, dash)), b = dash < 0 ? a : Long.parseLong(r.substring(dash + 1));
                return new Seeds(a, b);
            } catch (NumberFormatException e) {
                throw new InputException("--codes " + spec + ": expected seeds:FIRST-LAST (for example seeds:0-999)");
            }
        }
        if (spec.startsWith("parquet:")) {
            String r = spec.substring("parquet:".length());
            int hash = r.lastIndexOf('#');
            if (hash < 0) throw new InputException("--codes " + spec + ": expected parquet:PATH#COLUMN[,INDEX_COLUMN]");
            String[] cols = r.substring(hash + 1).split(",");
            return new ParquetColumn(r.substring(0, hash), cols[0], cols.length > 1 ? cols[1] : null);
        }
        if (spec.startsWith("npy:")) return new NpyFile(spec.substring(4));
        if (spec.endsWith(".npy")) return new NpyFile(spec);
        throw new InputException("--codes " + spec + ": expected seeds:FIRST-LAST, npy:FILE or parquet:PATH#COLUMN[,INDEX_COLUMN]");
    }

    record Seeds(long first, long last) implements CodeSource {
        public Seeds {
            if (first < 0 || last > 0xffffffffL || last < first)
                throw new InputException("seeds " + first + "-" + last + ": give 0 <= FIRST <= LAST <= 4294967295");
            if (last - first >= Integer.MAX_VALUE) throw new InputException("seeds " + first + "-" + last + ": at most 2^31 - 1 codes per run");
        }

        @Override
        public Dataset<Row> rows(SparkSession spark, Generator g, LatentSpace space, int partitions) {
            List<Row> rows = new ArrayList<>();
            for (long s = first; s <= last; s++) rows.add(RowFactory.create(s, s, null));
            return spark.createDataFrame(rows, SCHEMA).repartition(partitions, col("index")).sortWithinPartitions("index");
        }

        @Override
        public String describe() {
            return "seeds " + first + "-" + last + ": one code per seed, z = RandomState(seed).randn(d) (the command line's --seed s --num 1)";
        }
    }

    record NpyFile(String path) implements CodeSource {
        @Override
        public Dataset<Row> rows(SparkSession spark, Generator g, LatentSpace space, int partitions) {
            Latents lat = Latents.fromFile(g, space, Path.of(path));   // shape, finiteness and range checked here, on the driver
            List<Row> rows = new ArrayList<>(lat.count());
            for (int i = 0; i < lat.count(); i++) rows.add(RowFactory.create((long) i, null, lat.row(i)));
            return spark.createDataFrame(rows, SCHEMA).repartition(partitions, col("index")).sortWithinPartitions("index");
        }

        @Override
        public String describe() {
            return path;
        }
    }

    record ParquetColumn(String path, String column, String indexColumn) implements CodeSource {
        @Override
        public Dataset<Row> rows(SparkSession spark, Generator g, LatentSpace space, int partitions) {
            Dataset<Row> df;
            try {
                df = spark.read().parquet(path);
            } catch (RuntimeException e) {
                throw new InputException("--codes parquet:" + path + ": cannot read it as Parquet (" + e.getMessage() + ")", e);
            }
            StructType st = df.schema();
            if (!java.util.Arrays.asList(st.fieldNames()).contains(column))
                throw new InputException("--codes parquet:" + path + ": no column '" + column + "' (columns: " + String.join(", ", st.fieldNames()) + ")");
            DataType t = st.apply(column).dataType();
            if (!(t instanceof ArrayType at) || !(at.elementType().equals(DataTypes.DoubleType) || at.elementType().equals(DataTypes.FloatType)))
                throw new InputException("--codes parquet:" + path + ": column '" + column + "' is " + t.simpleString() + ", expected an array of double or float");
            if (indexColumn != null && !java.util.Arrays.asList(st.fieldNames()).contains(indexColumn))
                throw new InputException("--codes parquet:" + path + ": no index column '" + indexColumn + "'");
            int D = space.dim(g.latentDim(), g.numLayers());
            Row r = df.agg(min(size(col(column))), max(size(col(column)))).first();   // one pass over the column, before any generator work
            if (r.isNullAt(0)) throw new InputException("--codes parquet:" + path + ": holds no codes");
            if (r.getInt(0) != D || r.getInt(1) != D)
                throw new InputException("--codes parquet:" + path + ": column '" + column + "' holds codes of " + r.getInt(0) + ".." + r.getInt(1)
                        + " numbers; the " + space.label() + " space of this generator has " + D);
            Dataset<Row> codes = df.select(col(column).cast(DataTypes.createArrayType(DataTypes.DoubleType, false)).as("code"),
                    indexColumn == null ? org.apache.spark.sql.functions.lit(null).cast(DataTypes.LongType).as("index") : col(indexColumn).cast(DataTypes.LongType).as("index"));
            if (indexColumn == null) {
                // the position in the table's stable read order (files by name, rows in file order)
                var indexed = codes.select("code").javaRDD().zipWithIndex().map(p -> RowFactory.create(p._2(), null, p._1().get(0)));
                return spark.createDataFrame(indexed, SCHEMA).repartition(partitions, col("index")).sortWithinPartitions("index");
            }
            return codes.select(col("index"), org.apache.spark.sql.functions.lit(null).cast(DataTypes.LongType).as("seed"), col("code"))
                    .repartition(partitions, col("index")).sortWithinPartitions("index");
        }

        @Override
        public String describe() {
            return "parquet " + path + ", column " + column + (indexColumn != null ? ", index " + indexColumn : ", index = row position");
        }
    }

    static double[] unbox(List<?> l) {
        double[] v = new double[l.size()];
        for (int i = 0; i < v.length; i++) v[i] = ((Number) l.get(i)).doubleValue();
        return v;
    }

    /** The code of one row: the given one, or the one its seed draws (the command line's --seed s --num 1). */
    static double[] code(Row row, Generator g, LatentSpace space, double psi, int truncLayers) {
        if (!row.isNullAt(2)) return unbox(row.getList(2));
        return Latents.fromSeed(g, space, row.getLong(1), 1, psi, Math.min(truncLayers, g.numLayers())).row(0);
    }
}
