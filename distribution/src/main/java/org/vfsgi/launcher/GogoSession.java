package org.vfsgi.launcher;

import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * A Gogo {@code CommandSession}, reached through the {@code CommandProcessor} service.
 *
 * <p>Why reflection: the launcher lives on the application class path, outside the framework.
 * Importing {@code org.apache.felix.service.command} directly would put a second copy of that
 * package on the class path, and the launcher's copy is not the one the Gogo runtime bundle
 * implements; making them the same would mean exporting the package from the system bundle
 * ({@code org.osgi.framework.system.packages.extra}) and moving Gogo's API out of its bundle
 * onto the class path, which ties the launcher to one Gogo version and stops the Gogo bundles
 * from being updated like any other. Instead the launcher loads the API interfaces through the
 * class loader of the bundle that registered the service, and calls the four methods it needs
 * ({@code createSession}, {@code execute}, {@code format}, {@code close}) by name. The Gogo
 * bundles stay ordinary bundles.
 */
public final class GogoSession implements ScriptRunner.Shell, AutoCloseable {

    /** Name of Gogo's command processor service interface. */
    public static final String COMMAND_PROCESSOR = "org.apache.felix.service.command.CommandProcessor";
    private static final String COMMAND_SESSION = "org.apache.felix.service.command.CommandSession";
    /** {@code Converter.INSPECT}: format a result in full, as Gogo's console does. */
    private static final int INSPECT = 0;

    private final BundleContext context;
    private final ServiceReference<?> reference;
    private final Object session;
    private final Method execute;
    private final Method format;
    private final Method close;

    private GogoSession(BundleContext context, ServiceReference<?> reference, Object session,
                        Class<?> sessionType) throws NoSuchMethodException {
        this.context = context;
        this.reference = reference;
        this.session = session;
        this.execute = sessionType.getMethod("execute", CharSequence.class);
        this.format = sessionType.getMethod("format", Object.class, int.class);
        this.close = sessionType.getMethod("close");
    }

    /**
     * Opens a session on the registered command processor.
     *
     * @param context the system bundle's context, used to get the service and set as the
     *                session's {@code .context} variable as Gogo's shell does
     * @param in      what commands read as standard input
     * @param out     where commands write standard output
     * @param err     where commands write standard error
     * @return the session
     * @throws LaunchException if no command processor is registered or its API does not have
     *                         the expected methods (an incompatible Gogo runtime)
     */
    public static GogoSession open(BundleContext context, InputStream in, OutputStream out, OutputStream err)
            throws LaunchException {
        ServiceReference<?> reference = context.getServiceReference(COMMAND_PROCESSOR);
        if (reference == null) {
            throw new LaunchException("no Gogo " + COMMAND_PROCESSOR + " service is registered");
        }
        Object processor = context.getService(reference);
        if (processor == null) {
            throw new LaunchException("the Gogo " + COMMAND_PROCESSOR + " service went away");
        }
        try {
            Bundle provider = reference.getBundle();
            Class<?> processorType = provider.loadClass(COMMAND_PROCESSOR);
            Class<?> sessionType = provider.loadClass(COMMAND_SESSION);
            Object session = processorType
                    .getMethod("createSession", InputStream.class, OutputStream.class, OutputStream.class)
                    .invoke(processor, in, out, err);
            sessionType.getMethod("put", String.class, Object.class).invoke(session, ".context", context);
            return new GogoSession(context, reference, session, sessionType);
        } catch (ReflectiveOperationException | IllegalStateException e) {
            context.ungetService(reference);
            throw new LaunchException("cannot open a Gogo session: " + describe(unwrap(e)), e);
        }
    }

    @Override
    public Object execute(String command) throws Exception {
        try {
            return execute.invoke(session, command);
        } catch (InvocationTargetException e) {
            throw asException(e.getCause());
        }
    }

    /** Formats a result at Gogo's {@code INSPECT} level, as Gogo's console prints it. */
    @Override
    public String format(Object result) throws Exception {
        try {
            Object text = format.invoke(session, result, INSPECT);
            return text == null ? String.valueOf(result) : text.toString();
        } catch (InvocationTargetException e) {
            throw asException(e.getCause());
        }
    }

    /** Closes the session and releases the command processor service. */
    @Override
    public void close() {
        try {
            close.invoke(session);
        } catch (ReflectiveOperationException e) {
            System.getLogger(GogoSession.class.getName())
                    .log(System.Logger.Level.DEBUG, "closing the Gogo session failed", e);
        } finally {
            try {
                context.ungetService(reference);
            } catch (IllegalStateException e) {
                // the framework is already stopping: nothing left to release
            }
        }
    }

    /**
     * @param t a failure
     * @return its message, or its type's simple name when it has none, as one line
     */
    static String describe(Throwable t) {
        String message = t.getMessage();
        if (message == null || message.isBlank()) {
            return t.getClass().getSimpleName();
        }
        return message.strip().replace(System.lineSeparator(), " ").replace('\n', ' ');
    }

    private static Throwable unwrap(Throwable t) {
        return t instanceof InvocationTargetException && t.getCause() != null ? t.getCause() : t;
    }

    private static Exception asException(Throwable t) {
        if (t instanceof Exception e) {
            return e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new Exception(t);
    }
}
