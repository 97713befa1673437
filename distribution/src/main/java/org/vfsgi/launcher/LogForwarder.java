package org.vfsgi.launcher;

import java.lang.System.Logger.Level;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.util.tracker.ServiceTracker;

/**
 * Copies errors and warnings that bundles send to the OSGi Log Service (SCR reports a
 * component that fails to activate there, FileInstall a file it cannot install) to
 * {@code System.Logger}, where the platform's own logging goes. Without it they would sit in
 * Felix Log's memory, unseen.
 *
 * <p>The forwarded record's logger is named after the bundle that logged, so the line reads
 * {@code SEVERE org.apache.felix.scr: ...}. The listener is a dynamic proxy of {@code
 * LogListener} made in the log bundle's class loader, for the reason {@link GogoSession}
 * explains: the launcher does not put OSGi service APIs on its own class path.
 */
final class LogForwarder extends ServiceTracker<Object, Object> {
    private static final String LOG_READER = "org.osgi.service.log.LogReaderService";
    private static final String LOG_LISTENER = "org.osgi.service.log.LogListener";
    private static final String LOG_ENTRY = "org.osgi.service.log.LogEntry";

    private final boolean debug;

    /**
     * @param context the system bundle's context
     * @param debug   whether to forward stack traces too
     */
    LogForwarder(BundleContext context, boolean debug) {
        super(context, LOG_READER, null);
        this.debug = debug;
    }

    @Override
    public Object addingService(ServiceReference<Object> reference) {
        Object reader = context.getService(reference);
        if (reader == null) {
            return null;
        }
        try {
            Class<?> readerType = reference.getBundle().loadClass(LOG_READER);
            Class<?> listenerType = reference.getBundle().loadClass(LOG_LISTENER);
            // the entry's class is the log bundle's private implementation: call through the API
            Class<?> entryType = reference.getBundle().loadClass(LOG_ENTRY);
            Object listener = Proxy.newProxyInstance(listenerType.getClassLoader(),
                    new Class<?>[] {listenerType}, new Forward(entryType));
            readerType.getMethod("addLogListener", listenerType).invoke(reader, listener);
            // removal is automatic: the reader drops its listeners when the service goes away
            return reader;
        } catch (ReflectiveOperationException e) {
            System.getLogger(LogForwarder.class.getName()).log(Level.WARNING,
                    "OSGi log entries will not be shown: cannot listen to {0}: {1}",
                    LOG_READER, GogoSession.describe(e));
            context.ungetService(reference);
            return null;
        }
    }

    /** Receives {@code LogListener.logged(LogEntry)} calls. */
    private final class Forward implements InvocationHandler {
        private final Method getLogLevel;
        private final Method getBundle;
        private final Method getMessage;
        private final Method getException;

        Forward(Class<?> entryType) throws NoSuchMethodException {
            getLogLevel = entryType.getMethod("getLogLevel");
            getBundle = entryType.getMethod("getBundle");
            getMessage = entryType.getMethod("getMessage");
            getException = entryType.getMethod("getException");
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) {
            switch (method.getName()) {
                case "logged" -> {
                    try {
                        logged(args[0]);
                    } catch (ReflectiveOperationException | RuntimeException e) {
                        // never throw into the log service's delivery thread
                        System.getLogger(LogForwarder.class.getName()).log(Level.DEBUG,
                                "cannot forward a log entry: {0}", GogoSession.describe(e));
                    }
                }
                case "hashCode" -> {
                    return System.identityHashCode(proxy);
                }
                case "equals" -> {
                    return proxy == args[0];
                }
                case "toString" -> {
                    return "vfsgi log forwarder";
                }
                default -> {
                    // LogListener has no other methods
                }
            }
            return null;
        }

        private void logged(Object entry) throws ReflectiveOperationException {
            // LogEntry.getLogLevel() returns the R7 LogLevel enum: AUDIT ERROR WARN INFO DEBUG TRACE
            String severity = String.valueOf(getLogLevel.invoke(entry));
            Level level = switch (severity) {
                case "ERROR" -> Level.ERROR;
                case "WARN" -> Level.WARNING;
                default -> null; // informational entries stay in the log service
            };
            if (level == null) {
                return;
            }
            Bundle bundle = (Bundle) getBundle.invoke(entry);
            String source = bundle == null || bundle.getSymbolicName() == null ? "osgi" : bundle.getSymbolicName();
            String message = String.valueOf(getMessage.invoke(entry));
            Throwable exception = (Throwable) getException.invoke(entry);
            System.Logger logger = System.getLogger(source);
            if (exception == null) {
                logger.log(level, message);
            } else if (debug) {
                logger.log(level, message, exception);
            } else {
                logger.log(level, message + ": " + GogoSession.describe(exception));
            }
        }
    }
}
