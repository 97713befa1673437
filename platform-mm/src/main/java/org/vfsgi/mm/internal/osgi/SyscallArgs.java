package org.vfsgi.mm.internal.osgi;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

import org.vfsgi.mm.Errno;
import org.vfsgi.mm.Mman;
import org.vfsgi.mm.core.InjectionPoint;

/**
 * Turns the words a person types into system-call arguments, the way a C program spells them:
 * numbers in decimal or {@code 0x} hexadecimal, protections as {@code rw-} letters or as
 * {@code PROT_READ|PROT_WRITE}, flags as {@code private|anonymous}. Everything it rejects becomes
 * an {@link IllegalArgumentException} that names the bad word and lists what is allowed, because
 * a shell user has no other documentation at hand. No OSGi here: plain tests drive it.
 *
 * <p>Several names join with {@code |}, {@code ,} or {@code +}. In Gogo {@code |} is the pipe
 * operator, so a word containing it must be quoted ({@code 'PROT_READ|PROT_WRITE'}); the comma
 * needs no quotes ({@code private,anonymous}).
 */
final class SyscallArgs {
    /** mmap flag names without the {@code MAP_} prefix, in the order the help text lists them. */
    private static final Map<String, Integer> MAP_FLAGS = new LinkedHashMap<>();
    /** mremap flag names without the {@code MREMAP_} prefix. */
    private static final Map<String, Integer> MREMAP_FLAGS = new LinkedHashMap<>();
    private static final Map<String, Integer> PROT_NAMES = new LinkedHashMap<>();

    static {
        MAP_FLAGS.put("private", Mman.MAP_PRIVATE);
        MAP_FLAGS.put("shared", Mman.MAP_SHARED);
        MAP_FLAGS.put("shared_validate", Mman.MAP_SHARED_VALIDATE);
        MAP_FLAGS.put("anonymous", Mman.MAP_ANONYMOUS);
        MAP_FLAGS.put("fixed", Mman.MAP_FIXED);
        MAP_FLAGS.put("fixed_noreplace", Mman.MAP_FIXED_NOREPLACE);
        MAP_FLAGS.put("growsdown", Mman.MAP_GROWSDOWN);
        MAP_FLAGS.put("locked", Mman.MAP_LOCKED);
        MAP_FLAGS.put("noreserve", Mman.MAP_NORESERVE);
        MAP_FLAGS.put("populate", Mman.MAP_POPULATE);
        MAP_FLAGS.put("nonblock", Mman.MAP_NONBLOCK);
        MAP_FLAGS.put("stack", Mman.MAP_STACK);
        MAP_FLAGS.put("hugetlb", Mman.MAP_HUGETLB);
        MAP_FLAGS.put("sync", Mman.MAP_SYNC);
        MAP_FLAGS.put("denywrite", Mman.MAP_DENYWRITE);
        MAP_FLAGS.put("executable", Mman.MAP_EXECUTABLE);
        MAP_FLAGS.put("uninitialized", Mman.MAP_UNINITIALIZED);
        MREMAP_FLAGS.put("maymove", Mman.MREMAP_MAYMOVE);
        MREMAP_FLAGS.put("fixed", Mman.MREMAP_FIXED);
        PROT_NAMES.put("read", Mman.PROT_READ);
        PROT_NAMES.put("write", Mman.PROT_WRITE);
        PROT_NAMES.put("exec", Mman.PROT_EXEC);
        PROT_NAMES.put("none", Mman.PROT_NONE);
    }

    private SyscallArgs() {
    }

    /**
     * @param what the argument's name, for the message
     * @param text decimal or {@code 0x}-prefixed hexadecimal, not negative
     * @return the value
     * @throws IllegalArgumentException if the text is missing or not such a number
     */
    static long number(String what, String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException(what + " is missing");
        }
        String t = text.strip().toLowerCase(Locale.ROOT).replace("_", "");
        try {
            long v = t.startsWith("0x") ? Long.parseUnsignedLong(t.substring(2), 16) : Long.parseLong(t);
            if (v < 0) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " '" + text + "' is not a non-negative number"
                    + " (decimal, or hexadecimal with 0x)");
        }
    }

    /**
     * @param text a process id
     * @return it as an int
     * @throws IllegalArgumentException if it is not a positive int
     */
    static int pid(String text) {
        long v = number("PID", text);
        if (v < 1 || v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("PID '" + text + "' is not a process id (1 or more); mm:ps lists them");
        }
        return (int) v;
    }

    /**
     * Parses a protection: {@code rwx} letters with {@code -} for a missing one ({@code r--},
     * {@code rw-}, {@code r-x}, {@code ---}), names joined by {@code |}, {@code ,} or {@code +}
     * ({@code PROT_READ|PROT_WRITE}, the prefix optional), or a number.
     *
     * @param text the protection
     * @return the {@code PROT_*} bits
     * @throws IllegalArgumentException naming the bad letter or name and what is allowed
     */
    static int prot(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("PROT is missing; " + PROT_HELP);
        }
        String t = text.strip();
        if (Character.isDigit(t.charAt(0))) {
            long v = number("PROT", t);
            if ((v & ~(long) (Mman.PROT_READ | Mman.PROT_WRITE | Mman.PROT_EXEC)) != 0) {
                throw new IllegalArgumentException("PROT " + t + " has bits other than PROT_READ (1), PROT_WRITE (2)"
                        + " and PROT_EXEC (4)");
            }
            return (int) v;
        }
        if (t.matches("[a-zA-Z-]{1,3}")) {
            return protLetters(text, t);
        }
        int prot = 0;
        for (String word : words(t)) {
            Integer bit = PROT_NAMES.get(strip(word, "prot_"));
            if (bit == null) {
                throw new IllegalArgumentException("PROT '" + text + "': unknown name '" + word + "'; " + PROT_HELP);
            }
            prot |= bit;
        }
        return prot;
    }

    private static final String PROT_HELP = "write it as letters r, w, x in that order with '-' for a missing one"
            + " (r--, rw-, r-x, rwx, ---) or as names PROT_READ, PROT_WRITE, PROT_EXEC, PROT_NONE joined by"
            + " ',' or '|'";

    /**
     * Three positions ({@code rw-}, {@code --x}) as {@code /proc/PID/maps} prints them, or up to
     * three letters without dashes in the same order ({@code rw}, {@code rx}).
     */
    private static int protLetters(String text, String t) {
        char[] order = {'r', 'w', 'x'};
        int[] bits = {Mman.PROT_READ, Mman.PROT_WRITE, Mman.PROT_EXEC};
        for (char c : t.toCharArray()) {
            if ("rwx-".indexOf(c) < 0) {
                throw new IllegalArgumentException("PROT '" + text + "': '" + c + "' is not a permission letter; "
                        + PROT_HELP);
            }
        }
        int prot = 0;
        if (t.length() == 3 && t.indexOf('-') >= 0) {
            for (int i = 0; i < 3; i++) {
                char c = t.charAt(i);
                if (c != '-' && c != order[i]) {
                    throw new IllegalArgumentException("PROT '" + text + "': position " + (i + 1) + " must be '"
                            + order[i] + "' or '-'; " + PROT_HELP);
                }
                prot |= c == '-' ? 0 : bits[i];
            }
            return prot;
        }
        int next = 0;
        for (char c : t.toCharArray()) {
            int i = c == 'r' ? 0 : c == 'w' ? 1 : c == 'x' ? 2 : -1;
            if (i < next) {
                throw new IllegalArgumentException("PROT '" + text + "': write three positions with '-' for a missing"
                        + " letter, or letters in the order r, w, x, each once; " + PROT_HELP);
            }
            prot |= bits[i];
            next = i + 1;
        }
        return prot;
    }

    /**
     * Parses mmap flags: names joined by {@code |}, {@code ,} or {@code +}, with or without the
     * {@code MAP_} prefix, in any case ({@code private,anonymous}, {@code MAP_SHARED|MAP_FIXED}),
     * or a number.
     *
     * @param text the flags
     * @return the {@code MAP_*} bits
     * @throws IllegalArgumentException naming the unknown flag and listing the known ones
     */
    static int mapFlags(String text) {
        return flags("FLAGS", text, MAP_FLAGS, "map_");
    }

    /**
     * Parses mremap flags: {@code maymove}, {@code fixed} (the {@code MREMAP_} prefix optional),
     * joined as for {@link #mapFlags}; {@code 0} or {@code none} for no flags.
     *
     * @param text the flags
     * @return the {@code MREMAP_*} bits
     * @throws IllegalArgumentException naming the unknown flag and listing the known ones
     */
    static int mremapFlags(String text) {
        if (text != null && text.strip().equalsIgnoreCase("none")) {
            return 0;
        }
        return flags("mremap FLAGS", text, MREMAP_FLAGS, "mremap_");
    }

    private static int flags(String what, String text, Map<String, Integer> known, String prefix) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException(what + " is missing; allowed: " + names(known));
        }
        String t = text.strip();
        if (Character.isDigit(t.charAt(0))) {
            return (int) number(what, t);
        }
        int flags = 0;
        for (String word : words(t)) {
            Integer bit = known.get(strip(word, prefix).replace('-', '_'));
            if (bit == null) {
                throw new IllegalArgumentException("unknown " + what + " '" + word + "' in '" + text + "'; allowed: "
                        + names(known) + " (joined by ',' or '|')");
            }
            flags |= bit;
        }
        return flags;
    }

    /**
     * @param text an injection point's name, any case, {@code -} or {@code _} between words
     * @return the point
     * @throws IllegalArgumentException listing the points
     */
    static InjectionPoint injectionPoint(String text) {
        String t = text == null ? "" : text.strip().toUpperCase(Locale.ROOT).replace('-', '_');
        for (InjectionPoint p : InjectionPoint.values()) {
            if (p.name().equals(t)) {
                return p;
            }
        }
        StringJoiner all = new StringJoiner(", ");
        for (InjectionPoint p : InjectionPoint.values()) {
            all.add(p.name().toLowerCase(Locale.ROOT));
        }
        throw new IllegalArgumentException("unknown injection point '" + text + "'; allowed: " + all
                + " (or 'clear')");
    }

    /**
     * @param text an errno name ({@code ENOMEM}, {@code enomem}) or its number ({@code 12})
     * @return the errno
     * @throws IllegalArgumentException if vfsgi does not know it
     */
    static Errno errno(String text) {
        String t = text == null ? "" : text.strip().toUpperCase(Locale.ROOT);
        if (!t.isEmpty() && Character.isDigit(t.charAt(0))) {
            long n = number("ERRNO", t);
            Errno e = n <= Errno.MAX_ERRNO ? Errno.ofNumber((int) n) : null;
            if (e != null) {
                return e;
            }
        } else {
            for (Errno e : Errno.values()) {
                if (e.name().equals(t)) {
                    return e;
                }
            }
        }
        StringJoiner all = new StringJoiner(", ");
        for (Errno e : Errno.values()) {
            all.add(e.name());
        }
        throw new IllegalArgumentException("unknown errno '" + text + "'; allowed: " + all + " (or their numbers)");
    }

    /** @return the words of a flag expression, lower case */
    private static String[] words(String t) {
        String[] words = t.toLowerCase(Locale.ROOT).split("\\s*[|,+]\\s*", -1);
        for (String w : words) {
            if (w.isEmpty()) {
                throw new IllegalArgumentException("'" + t + "' has an empty name between separators");
            }
        }
        return words;
    }

    private static String strip(String word, String prefix) {
        return word.startsWith(prefix) ? word.substring(prefix.length()) : word;
    }

    private static String names(Map<String, Integer> known) {
        return String.join(", ", known.keySet());
    }
}
