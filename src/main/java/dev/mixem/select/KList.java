package dev.mixem.select;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/** Component counts as users write them: ranges and lists, {@code 1..12}, {@code 2,4,8}, {@code 1..4,8}. */
public final class KList {
    private KList() {
    }

    /** The distinct counts, ascending. */
    public static List<Integer> parse(String spec) {
        TreeSet<Integer> out = new TreeSet<>();
        for (String part : spec.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            try {
                int dots = p.indexOf("..");
                int lo = Integer.parseInt(dots < 0 ? p : p.substring(0, dots).trim());
                int hi = dots < 0 ? lo : Integer.parseInt(p.substring(dots + 2).trim());
                if (lo < 1 || hi < lo) {
                    throw new IllegalArgumentException("'" + p + "' is not a range of component counts (1 <= from <= to)");
                }
                if (hi - lo > 10_000) {
                    throw new IllegalArgumentException("'" + p + "' has more than 10,000 component counts");
                }
                for (int k = lo; k <= hi; k++) {
                    out.add(k);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + p + "' is not a component count or a range such as 1..12");
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("no component count in '" + spec + "'");
        }
        return new ArrayList<>(out);
    }
}
