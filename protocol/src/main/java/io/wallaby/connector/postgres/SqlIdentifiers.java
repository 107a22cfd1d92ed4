package io.wallaby.connector.postgres;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Table and channel names that come from the command line and end up inside SQL. Only plain
 * identifiers are accepted (letters, digits, underscores; a table may be schema-qualified), and they
 * are always double-quoted when used, so no name can inject SQL.
 */
public final class SqlIdentifiers {

    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");
    private static final Pattern SLOT = Pattern.compile("[a-z0-9_]{1,63}");

    private SqlIdentifiers() {
    }

    /**
     * Splits {@code name} ("table" or "schema.table") into its validated parts.
     *
     * @throws IllegalArgumentException naming the flag and saying what is allowed
     */
    public static List<String> parts(String name, String flag) {
        String[] split = name.split("\\.", -1);
        if (split.length > 2) {
            throw new IllegalArgumentException(flag + " '" + name + "' has more than one dot; use table or schema.table");
        }
        List<String> parts = new ArrayList<>();
        for (String part : split) {
            if (!IDENTIFIER.matcher(part).matches()) {
                throw new IllegalArgumentException(flag + " '" + name + "' is not a valid name: use letters, digits "
                        + "and underscores (not starting with a digit, at most 63 characters), optionally schema.table");
            }
            parts.add(part);
        }
        return parts;
    }

    /** The name double-quoted for SQL, part by part: {@code "schema"."table"}. */
    public static String quote(String name, String flag) {
        return String.join(".", parts(name, flag).stream().map(p -> '"' + p + '"').toList());
    }

    /** A single identifier (no schema), validated. */
    public static String single(String name, String flag) {
        List<String> parts = parts(name, flag);
        if (parts.size() != 1) {
            throw new IllegalArgumentException(flag + " '" + name + "' must be a single name without a dot");
        }
        return parts.get(0);
    }

    /** A replication slot name as PostgreSQL allows it: lower-case letters, digits and underscores, validated. */
    public static String slot(String name, String flag) {
        if (!SLOT.matcher(name).matches()) {
            throw new IllegalArgumentException(flag + " '" + name + "' is not a valid slot name: use lower-case letters, "
                    + "digits and underscores, at most 63 characters");
        }
        return name;
    }
}
