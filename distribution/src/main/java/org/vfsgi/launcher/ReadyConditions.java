package org.vfsgi.launcher;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Properties;

import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;

/**
 * The services script mode waits for, read from {@code conf/ready.properties}: one line per
 * service, {@code service.<name> = <LDAP filter>}, for example
 * <pre>
 * service.ram0 = (&amp;(objectClass=org.vfsgi.hw.Device)(vfsgi.hw.name=ram0))
 * </pre>
 * The name is what the launcher reports when the service is still missing at the timeout.
 * Besides these, the platform is ready only when every installed non-fragment bundle is
 * ACTIVE (see {@link Readiness}).
 */
public final class ReadyConditions {

    /** Prefix of every key of {@code conf/ready.properties}. */
    public static final String SERVICE_PREFIX = "service.";

    /** The Gogo command processor: script mode cannot run a script without it. */
    public static final ServiceCondition COMMAND_PROCESSOR = new ServiceCondition("gogo.commandprocessor",
            "(objectClass=org.apache.felix.service.command.CommandProcessor)");

    private ReadyConditions() {
    }

    /**
     * Parses the conditions.
     *
     * @param properties the contents of {@code conf/ready.properties}
     * @return the conditions, sorted by name
     * @throws LaunchException for a key without the {@value #SERVICE_PREFIX} prefix or a filter
     *                         that does not parse, naming the key and the filter's problem
     */
    public static List<ServiceCondition> parse(Properties properties) throws LaunchException {
        List<ServiceCondition> conditions = new ArrayList<>();
        for (String key : properties.stringPropertyNames()) {
            if (!key.startsWith(SERVICE_PREFIX) || key.length() == SERVICE_PREFIX.length()) {
                throw new LaunchException("conf/ready.properties: key '" + key
                        + "' must be service.<name> = <LDAP filter>");
            }
            String filter = properties.getProperty(key).trim();
            try {
                FrameworkUtil.createFilter(filter);
            } catch (InvalidSyntaxException e) {
                throw new LaunchException("conf/ready.properties: " + key + " has a malformed filter '"
                        + filter + "': " + e.getMessage(), e);
            }
            conditions.add(new ServiceCondition(key.substring(SERVICE_PREFIX.length()), filter));
        }
        conditions.sort(Comparator.comparing(ServiceCondition::name));
        return conditions;
    }

    /**
     * One service the platform must have registered before it is ready.
     *
     * @param name   a short name for reports, e.g. {@code ram0}
     * @param filter the LDAP filter a registered service must match
     */
    public record ServiceCondition(String name, String filter) {
        /** Rejects missing parts. */
        public ServiceCondition {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(filter, "filter");
        }

        @Override
        public String toString() {
            return "service " + name + " " + filter;
        }
    }
}
