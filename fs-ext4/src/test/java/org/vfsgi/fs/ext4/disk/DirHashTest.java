package org.vfsgi.fs.ext4.disk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The htree hashes agree with debugfs's dx_hash for every algorithm, name length and a seed. */
class DirHashTest {
    @TempDir
    Path tmp;

    @Test
    void hashesMatchDebugfs() {
        Path img = tmp.resolve("h.img");
        E2fsTools.mkfs(img, null, 1024, 1024 * 1024);
        Random rnd = new Random(1);
        String seedText = "12345678-9abc-def0-1122-334455667788";
        int[] seed = {0x78563412, 0xf0debc9a, 0x44332211, 0x88776655}; // the UUID bytes as little-endian words
        String[] algs = {"legacy", "half_md4", "tea"};
        String[] names = new String[24];
        for (int i = 0; i < names.length; i++) {
            names[i] = TreeGen.name(rnd, 1, i < 4 ? 3 : 70);
        }
        int checked = 0;
        Pattern p = Pattern.compile("Hash of (.*) is 0x([0-9a-f]+)");
        for (String alg : algs) {
            for (int useSeed = 0; useSeed < 2; useSeed++) {
                for (String n : names) {
                    String cmd = "dx_hash -h " + alg + (useSeed == 1 ? " -s " + seedText : "") + " " + n;
                    String out = E2fsTools.debugfs(img, cmd);
                    Matcher m = p.matcher(out);
                    assertTrue(m.find(), cmd + " -> " + out);
                    int want = (int) Long.parseLong(m.group(2), 16);
                    int version = alg.equals("legacy") ? DirHash.DX_HASH_LEGACY
                            : alg.equals("half_md4") ? DirHash.DX_HASH_HALF_MD4 : DirHash.DX_HASH_TEA;
                    int got = DirHash.hash(version, useSeed == 1 ? seed : null, n.getBytes(StandardCharsets.UTF_8));
                    assertEquals(Integer.toHexString(want), Integer.toHexString(got), cmd);
                    checked++;
                }
            }
        }
        assertEquals(algs.length * 2 * names.length, checked);
    }
}
