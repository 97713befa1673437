package org.vfsgi.launcher;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.framework.startlevel.FrameworkStartLevel;

import org.vfsgi.launcher.ReadyConditions.ServiceCondition;

/**
 * Decides whether the platform is ready: every bundle that should run is ACTIVE (or STARTING
 * with a lazy activation policy, which is as far as such a bundle goes on its own), and every
 * {@link ServiceCondition} matches a registered service. A bundle should run when it is marked
 * for starting and its start level is not above the framework's current one; fragments never
 * run on their own.
 *
 * <p>Polling rather than listeners: the check is a handful of registry look-ups, a 50 ms
 * period costs nothing next to a platform start, and it cannot miss an event that happened
 * between installing a listener and looking at the current state.
 */
public final class Readiness {
    private static final System.Logger LOG = System.getLogger(Readiness.class.getName());
    private static final long POLL_MILLIS = 50;

    private final BundleContext context;
    private final List<ServiceCondition> conditions;

    /**
     * @param context    the system bundle's context
     * @param conditions the services that must be present
     */
    public Readiness(BundleContext context, List<ServiceCondition> conditions) {
        this.context = context;
        this.conditions = List.copyOf(conditions);
    }

    /**
     * Lists what is not ready now.
     *
     * @return one description per bundle not yet active and per service not yet registered;
     *         empty when the platform is ready
     */
    public List<String> notReady() {
        List<String> missing = new ArrayList<>();
        int activeLevel = context.getBundle(0).adapt(FrameworkStartLevel.class).getStartLevel();
        for (Bundle bundle : context.getBundles()) {
            if (!isReady(bundle, activeLevel)) {
                missing.add("bundle " + bundle.getSymbolicName() + " (" + stateName(bundle.getState()) + ")");
            }
        }
        for (ServiceCondition condition : conditions) {
            if (!isRegistered(condition)) {
                missing.add(condition.toString());
            }
        }
        return missing;
    }

    /**
     * Waits until {@link #notReady()} is empty.
     *
     * @param timeout how long to wait
     * @return what was still not ready at the timeout; empty if the platform became ready
     * @throws InterruptedException if the waiting thread is interrupted
     */
    public List<String> await(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> missing = notReady();
        while (!missing.isEmpty() && System.nanoTime() - deadline < 0) {
            Thread.sleep(POLL_MILLIS);
            missing = notReady();
        }
        LOG.log(Level.DEBUG, "readiness after waiting: {0}", missing.isEmpty() ? "ready" : missing);
        return missing;
    }

    private static boolean isReady(Bundle bundle, int activeLevel) {
        if (bundle.getBundleId() == 0 || bundle.getHeaders("").get(Constants.FRAGMENT_HOST) != null) {
            return true; // the framework is running; fragments never become ACTIVE, they live in their host
        }
        BundleStartLevel startLevel = bundle.adapt(BundleStartLevel.class);
        if (startLevel != null
                && (startLevel.getStartLevel() > activeLevel || !startLevel.isPersistentlyStarted())) {
            return true; // nobody asked for it to run yet: above the current level, or not marked for starting
        }
        return switch (bundle.getState()) {
            case Bundle.ACTIVE -> true;
            case Bundle.STARTING -> isLazy(bundle.getHeaders("").get(Constants.BUNDLE_ACTIVATIONPOLICY));
            default -> false;
        };
    }

    private static boolean isLazy(String activationPolicy) {
        // the header may carry directives after the policy: "lazy;exclude:=..."
        return activationPolicy != null && activationPolicy.trim().startsWith(Constants.ACTIVATION_LAZY);
    }

    private boolean isRegistered(ServiceCondition condition) {
        try {
            ServiceReference<?>[] refs = context.getAllServiceReferences(null, condition.filter());
            return refs != null && refs.length > 0;
        } catch (InvalidSyntaxException e) {
            // ReadyConditions.parse already checked the syntax; this would be a framework disagreement
            throw new IllegalStateException("filter of " + condition.name() + " rejected: " + e.getMessage(), e);
        }
    }

    /**
     * @param state a {@link Bundle} state constant
     * @return its name as the OSGi specification spells it
     */
    static String stateName(int state) {
        return switch (state) {
            case Bundle.UNINSTALLED -> "UNINSTALLED";
            case Bundle.INSTALLED -> "INSTALLED";
            case Bundle.RESOLVED -> "RESOLVED";
            case Bundle.STARTING -> "STARTING";
            case Bundle.STOPPING -> "STOPPING";
            case Bundle.ACTIVE -> "ACTIVE";
            default -> "state " + state;
        };
    }
}
