package org.vfsgi.mm.core.vfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The core packages keep the kernel's rule for {@code mm/vma.c}: no dependency on the
 * framework, so that plain JUnit drives them. A source scan, because the annotation jar is
 * on the compile path and would not stop an import by itself.
 */
class CorePackagesTest {
    @Test
    void vfsAndShmemCoreImportNothingFromOsgi() throws IOException {
        List<Path> sources;
        try (Stream<Path> s = Stream.concat(Files.walk(Path.of("src/main/java/org/vfsgi/mm/core/vfs")),
                Files.walk(Path.of("src/main/java/org/vfsgi/mm/core/shmem")))) {
            sources = s.filter(p -> p.toString().endsWith(".java")).collect(Collectors.toList());
        }
        assertTrue(sources.size() >= 10, "found the core sources: " + sources);
        List<String> offenders = sources.stream().filter(p -> {
            try {
                return Files.readString(p).contains("import org.osgi");
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }).map(Path::toString).collect(Collectors.toList());
        assertEquals(List.of(), offenders);
    }
}
