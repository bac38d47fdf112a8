package ganfactor.score;

import ganfactor.InputException;
import ganfactor.io.Npy;
import ganfactor.io.NpyArray;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import static ganfactor.InputException.ref;

/**
 * Score files: a .npy of shape [N, 1] (the reference's layout; [N] is accepted too) of any numeric
 * dtype, or a CSV with one score per line. A CSV may start with a header line; with several
 * columns, {@code column} names the one to read (a header is then required; with one score
 * column beside an index column, as {@code ganfactor sample} writes for one scorer, it is read
 * without {@code column}). NaN is kept (the
 * selection rejects it unless told to drop it); other unparsable cells are errors.
 */
public final class ScoreFiles {
    private ScoreFiles() {}

    public static double[] read(Path file, String column) {
        if (!Files.isRegularFile(file)) throw new InputException(file + ": no such file");
        String lower = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (lower.endsWith(".csv") || lower.endsWith(".txt")) return readCsv(file, column);
        if (column != null) throw new InputException(ref("column") + " applies to CSV score files, not " + file);
        NpyArray a = Npy.read(file);
        long[] s = a.shape();
        if (!(s.length == 2 && s[1] == 1) && s.length != 1)
            throw new InputException(file + ": expected scores of shape [N, 1], got " + a.shapeString());
        return a.data();
    }

    private static double[] readCsv(Path file, String column) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new InputException(file + ": cannot read (" + e.getMessage() + ")");
        }
        lines.removeIf(l -> l.isBlank());
        if (lines.isEmpty()) throw new InputException(file + ": holds no scores");
        String[] first = lines.get(0).split(",", -1);
        boolean header = false;
        for (String c : first) if (!isNumber(c)) header = true;
        int col;
        if (column != null) {
            if (!header) throw new InputException(file + ": " + ref("column") + " " + column + " needs a header line naming the columns");
            col = Arrays.asList(trim(first)).indexOf(column);
            if (col < 0) throw new InputException(file + ": no column '" + column + "'; columns are " + String.join(", ", trim(first)));
        } else if (first.length == 1) col = 0;
        else if (header && first.length == 2 && isIndex(first[0])) col = 1;   // ganfactor sample's scores.csv with one scorer
        else if (header) {
            List<String> names = new ArrayList<>(Arrays.asList(trim(first)));
            boolean index = isIndex(first[0]);
            if (index) names.remove(0);
            throw new InputException(file + ": " + names.size() + " score columns (" + String.join(", ", names.subList(0, Math.min(8, names.size())))
                    + (names.size() > 8 ? ", ..." : "") + ")" + (index ? " besides '" + first[0].trim() + "'" : "") + "; name the one to read with " + ref("column") + " NAME");
        } else throw new InputException(file + ": " + first.length + " columns and no header line; give one score per line, or a header and " + ref("column") + " NAME");
        List<Double> v = new ArrayList<>();
        for (int i = header ? 1 : 0; i < lines.size(); i++) {
            String[] cells = lines.get(i).split(",", -1);
            if (cells.length != first.length)
                throw new InputException(file + ": line " + (i + 1) + " has " + cells.length + " cells, the first line " + first.length);
            String c = cells[col].trim();
            if (!isNumber(c)) throw new InputException(file + ": line " + (i + 1) + ": '" + c + "' is not a number");
            v.add(Double.parseDouble(c));
        }
        if (v.isEmpty()) throw new InputException(file + ": holds no scores");
        return v.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** An index column's header, as ganfactor's own scores.csv (and pandas' to_csv) write it. */
    private static boolean isIndex(String header) {
        String h = header.trim();
        return h.equalsIgnoreCase("index") || h.isEmpty() || h.equals("Unnamed: 0");
    }

    private static String[] trim(String[] cells) {
        String[] t = new String[cells.length];
        for (int i = 0; i < cells.length; i++) t[i] = cells[i].trim();
        return t;
    }

    private static boolean isNumber(String s) {
        String t = s.trim();
        if (t.equalsIgnoreCase("nan")) return true;
        try {
            Double.parseDouble(t);
            return !t.isEmpty();
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
