package org.vfsgi.mm.internal.osgi;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

import org.vfsgi.mm.Errno;
import org.vfsgi.mm.Mman;
import org.vfsgi.mm.core.InjectionPoint;
import org.vfsgi.vfs.Fcntl;

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
    /** open flag names without the {@code O_} prefix; the access mode is one of the first three. */
    private static final Map<String, Integer> OPEN_FLAGS = new LinkedHashMap<>();
    /** msync flag names without the {@code MS_} prefix. */
    private static final Map<String, Integer> MSYNC_FLAGS = new LinkedHashMap<>();
    private static final Map<String, Integer> WHENCE = new LinkedHashMap<>();
    /** The prefix that marks DATA as hexadecimal bytes rather than text. */
    static final String HEX_PREFIX = "hex:";

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
        OPEN_FLAGS.put("rdonly", Fcntl.O_RDONLY);
        OPEN_FLAGS.put("wronly", Fcntl.O_WRONLY);
        OPEN_FLAGS.put("rdwr", Fcntl.O_RDWR);
        OPEN_FLAGS.put("creat", Fcntl.O_CREAT);
        OPEN_FLAGS.put("excl", Fcntl.O_EXCL);
        OPEN_FLAGS.put("trunc", Fcntl.O_TRUNC);
        OPEN_FLAGS.put("append", Fcntl.O_APPEND);
        OPEN_FLAGS.put("directory", Fcntl.O_DIRECTORY);
        OPEN_FLAGS.put("nofollow", Fcntl.O_NOFOLLOW);
        MSYNC_FLAGS.put("sync", Mman.MS_SYNC);
        MSYNC_FLAGS.put("async", Mman.MS_ASYNC);
        MSYNC_FLAGS.put("invalidate", Mman.MS_INVALIDATE);
        WHENCE.put("set", Fcntl.SEEK_SET);
        WHENCE.put("cur", Fcntl.SEEK_CUR);
        WHENCE.put("end", Fcntl.SEEK_END);
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
     * Parses open flags: names joined as for {@link #mapFlags}, the {@code O_} prefix optional
     * ({@code rdwr,creat}, {@code 'O_WRONLY|O_TRUNC'}), or a number in decimal, {@code 0x} hex or
     * {@code 0}-prefixed octal as C writes them. At most one access mode; none means
     * {@code rdonly}.
     *
     * @param text the flags
     * @return the {@code O_*} bits
     * @throws IllegalArgumentException naming the unknown flag, or two access modes
     */
    static int openFlags(String text) {
        if (text != null && text.strip().matches("0[0-7]+")) {
            return Integer.parseInt(text.strip(), 8);
        }
        if (text != null && !text.isBlank() && !Character.isDigit(text.strip().charAt(0))) {
            int modes = 0;
            for (String word : words(text.strip())) {
                String w = strip(word, "o_");
                if (w.equals("rdonly") || w.equals("wronly") || w.equals("rdwr")) {
                    modes++;
                }
            }
            if (modes > 1) {
                throw new IllegalArgumentException("open FLAGS '" + text + "' name more than one access mode;"
                        + " choose one of rdonly, wronly, rdwr");
            }
        }
        return flags("open FLAGS", text, OPEN_FLAGS, "o_");
    }

    /**
     * @param text permission bits in octal as {@code chmod} takes them ({@code 644}, {@code 0644})
     * @return the bits
     * @throws IllegalArgumentException if it is not octal or has bits beyond {@code 07777}
     */
    static int mode(String text) {
        String t = text == null ? "" : text.strip();
        if (!t.matches("0?[0-7]{1,4}")) {
            throw new IllegalArgumentException("MODE '" + text + "' is not octal permission bits like 644 or 0755");
        }
        return Integer.parseInt(t, 8);
    }

    /**
     * @param text a file descriptor as {@code mm:open} printed it
     * @return it as an int
     * @throws IllegalArgumentException if it is not a non-negative int
     */
    static int fd(String text) {
        long v = number("FD", text);
        if (v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("FD '" + text + "' is not a file descriptor; mm:fds lists them");
        }
        return (int) v;
    }

    /**
     * @param what the argument's name
     * @param text a byte count that fits an int (a Java array)
     * @return the count
     * @throws IllegalArgumentException if it is not a number or larger than {@code max}
     */
    static int count(String what, String text, int max) {
        long v = number(what, text);
        if (v > max) {
            throw new IllegalArgumentException(what + " " + text + " is more than the " + max + " bytes one command"
                    + " moves");
        }
        return (int) v;
    }

    /**
     * @param text {@code set}, {@code cur} or {@code end}, the {@code SEEK_} prefix optional, or 0, 1, 2
     * @return the whence value
     * @throws IllegalArgumentException listing the allowed names
     */
    static int whence(String text) {
        String t = text == null ? "" : strip(text.strip().toLowerCase(Locale.ROOT), "seek_");
        if (t.matches("[012]")) {
            return Integer.parseInt(t);
        }
        Integer w = WHENCE.get(t);
        if (w == null) {
            throw new IllegalArgumentException("WHENCE '" + text + "' is not one of " + names(WHENCE)
                    + " (SEEK_ prefix optional)");
        }
        return w;
    }

    /**
     * @param text msync flags: {@code sync}, {@code async}, {@code invalidate} joined as for
     *        {@link #mapFlags} (the {@code MS_} prefix optional), or a number
     * @return the {@code MS_*} bits
     * @throws IllegalArgumentException naming the unknown flag
     */
    static int msyncFlags(String text) {
        return flags("msync FLAGS", text, MSYNC_FLAGS, "ms_");
    }

    /**
     * Bytes to write: text as typed (UTF-8), or {@code hex:} followed by hexadecimal byte pairs
     * ({@code hex:48690a}), for bytes a shell word cannot hold.
     *
     * @param text the data
     * @return the bytes
     * @throws IllegalArgumentException for a missing value or malformed hexadecimal
     */
    static byte[] data(String text) {
        if (text == null) {
            throw new IllegalArgumentException("DATA is missing");
        }
        if (!text.regionMatches(true, 0, HEX_PREFIX, 0, HEX_PREFIX.length())) {
            return text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        String hex = text.substring(HEX_PREFIX.length()).replace(" ", "").replace("_", "");
        if (hex.length() % 2 != 0 || !hex.matches("[0-9a-fA-F]*")) {
            throw new IllegalArgumentException("DATA '" + text + "': after 'hex:' write pairs of hexadecimal digits,"
                    + " one pair per byte (hex:48656c6c6f)");
        }
        byte[] out = new byte[hex.length() / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
        }
        return out;
    }

    /**
     * @param text an absolute path
     * @return it
     * @throws IllegalArgumentException if it does not start with {@code /}
     */
    static String path(String what, String text) {
        if (text == null || !text.startsWith("/")) {
            throw new IllegalArgumentException(what + " '" + text + "' is not an absolute path (it starts with '/')");
        }
        return text;
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
