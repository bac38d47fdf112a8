package ganfactor.studio;

import ganfactor.method.Directions;
import ganfactor.region.Region;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The directions the page's sliders move along, in the order they arrived: discovered ones (the
 * last discovery's, replaced by the next), loaded boundaries, conditional boundaries and local
 * versions; and what the last discovery was, for the export's record. Part of the {@link Session}:
 * read and written on the worker thread only.
 */
final class DirectionStore {
    /** One direction the page can slide along. */
    record Entry(long id, String label, String kind, double[] vector, double eigenvalue, Map<String, Object> info) {
        Map<String, Object> describe() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", id);
            m.put("label", label);
            m.put("kind", kind);
            m.put("dim", vector.length);
            m.put("eigenvalue", Double.isFinite(eigenvalue) ? (Object) eigenvalue : null);
            return m;
        }
    }

    /** The last discovery: its method, region and settings, for the export's record. */
    record Discovered(String method, Region region, Map<String, Object> settings, List<Long> ids) {}

    private static final int MAX_DIRECTIONS = 512;

    /** Direction ids: 0, 1, 2, ... in the order the directions arrive (their own sequence, not shared with jobs and uploads). */
    private long lastId = -1;
    private final List<Entry> directions = new ArrayList<>();
    private Discovered discovered;

    /** Each direction as the page lists it. */
    List<Object> describe() {
        List<Object> l = new ArrayList<>();
        for (Entry e : directions) l.add(e.describe());
        return l;
    }

    /** The direction {@code id}; 404 when there is none. */
    Entry entry(long id) {
        for (Entry e : directions) if (e.id() == id) return e;
        throw new StudioException(404, "no direction " + id);
    }

    /** Adds a loaded or derived direction under the next id (refused when the store is full); returns it. */
    Entry add(String label, String kind, double[] vector, double eigenvalue, Map<String, Object> info) {
        Entry e = new Entry(++lastId, label, kind, vector, eigenvalue, info);
        if (directions.size() >= MAX_DIRECTIONS) throw StudioException.bad("the studio holds " + MAX_DIRECTIONS + " directions; remove some first");
        directions.add(e);
        return e;
    }

    /**
     * Replaces the last discovery's directions with {@code dirs} (labelled by {@code method}), and
     * remembers the discovery; returns the new directions as the page lists them.
     */
    List<Object> replaceDiscovered(String method, Region region, Map<String, Object> settings, Directions dirs) {
        directions.removeIf(e -> e.kind().equals("discovered"));
        List<Long> newIds = new ArrayList<>();
        List<Object> listed = new ArrayList<>();
        for (int i = 0; i < dirs.count(); i++) {
            Entry e = new Entry(++lastId, method + " " + i, "discovered", dirs.row(i), dirs.values()[i], dirs.info());
            directions.add(e);
            newIds.add(e.id());
            listed.add(e.describe());
        }
        discovered = new Discovered(method, region, settings, newIds);
        return listed;
    }

    /** The last discovery, or null. */
    Discovered discovered() {
        return discovered;
    }

    /** The discovered set when {@code e} is one of them, else {@code e} alone (as a unit row): what an export writes. */
    Directions exported(Entry e) {
        if (discovered != null && discovered.ids().contains(e.id())) {
            List<Entry> set = directions.stream().filter(x -> discovered.ids().contains(x.id())).toList();
            int D = set.get(0).vector().length;
            double[] v = new double[set.size() * D];
            double[] vals = new double[set.size()];
            for (int i = 0; i < set.size(); i++) {
                System.arraycopy(set.get(i).vector(), 0, v, i * D, D);
                vals[i] = set.get(i).eigenvalue();
            }
            return new Directions(v, set.size(), D, vals, new LinkedHashMap<>());
        }
        double[] u = e.vector().clone();
        Directions.normaliseRows(u, 1, u.length);
        return new Directions(u, 1, u.length, new double[]{e.eigenvalue()}, new LinkedHashMap<>());
    }
}
