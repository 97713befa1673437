package org.vfsgi.launcher;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

/**
 * Builds the framework properties from {@code conf/config.properties}.
 *
 * <p>Values may refer to {@code ${name}}: another property of the same file, {@value
 * Distribution#HOME_PROPERTY}, {@value Distribution#STATE_PROPERTY}, or a system property. A
 * system property of the same name as a property in the file overrides it, so one run can
 * change any setting with {@code -Dname=value}. The launcher always sets {@value
 * Distribution#HOME_PROPERTY} and {@value Distribution#STATE_PROPERTY}, which FileInstall's
 * own {@code ${...}} substitution then offers to every configuration file.
 */
public final class FrameworkProperties {

    /** Gogo shell's argument property: decides whether the shell takes the console. */
    public static final String GOSH_ARGS = "gosh.args";

    private FrameworkProperties() {
    }

    /**
     * Resolves the framework properties.
     *
     * @param distribution     where the distribution and its state live
     * @param fileProperties   the contents of {@code conf/config.properties}
     * @param systemProperties the system properties (overrides and substitution source)
     * @return the resolved properties, sorted by name for readable logs
     * @throws LaunchException if a {@code ${name}} refers to nothing or to itself, naming both
     */
    public static Map<String, String> resolve(Distribution distribution, Properties fileProperties,
                                              Properties systemProperties) throws LaunchException {
        Map<String, String> raw = new LinkedHashMap<>();
        for (String name : fileProperties.stringPropertyNames()) {
            String override = systemProperties.getProperty(name);
            raw.put(name, override != null ? override : fileProperties.getProperty(name));
        }
        raw.put(Distribution.HOME_PROPERTY, distribution.home().toString());
        raw.put(Distribution.STATE_PROPERTY, distribution.stateDir().toString());

        Map<String, String> resolved = new TreeMap<>();
        for (String name : raw.keySet()) {
            resolved.put(name, substitute(name, raw, systemProperties, new HashSet<>()));
        }
        return resolved;
    }

    private static String substitute(String name, Map<String, String> raw, Properties systemProperties,
                                     Set<String> resolving) throws LaunchException {
        if (!resolving.add(name)) {
            throw new LaunchException("property " + name + " refers to itself through ${...}");
        }
        String value = raw.get(name);
        StringBuilder out = new StringBuilder();
        int from = 0;
        while (true) {
            int start = value.indexOf("${", from);
            if (start < 0) {
                out.append(value, from, value.length());
                break;
            }
            int end = value.indexOf('}', start + 2);
            if (end < 0) {
                throw new LaunchException("property " + name + " has an unclosed ${ in '" + value + "'");
            }
            out.append(value, from, start);
            String variable = value.substring(start + 2, end);
            if (raw.containsKey(variable)) {
                out.append(substitute(variable, raw, systemProperties, resolving));
            } else if (systemProperties.getProperty(variable) != null) {
                out.append(systemProperties.getProperty(variable));
            } else {
                throw new LaunchException("property " + name + " refers to ${" + variable
                        + "}, which is neither in conf/config.properties nor a system property");
            }
            from = end + 1;
        }
        resolving.remove(name);
        return out.toString();
    }
}
