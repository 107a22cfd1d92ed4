package io.wallaby.engine;

import io.wallaby.api.Application;
import io.wallaby.apps.AlertStateless;
import io.wallaby.apps.VelocityAlerts;

import java.lang.reflect.InvocationTargetException;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

/** Finds the application named by {@code --application}: a built-in name or a class on the classpath. */
public final class ApplicationLoader {

    /** Sorted, so that an error lists them in a stable order. */
    private static final Map<String, Supplier<Application>> BUILT_IN = new TreeMap<>(Map.of(
            AlertStateless.NAME, AlertStateless::new,
            VelocityAlerts.NAME, VelocityAlerts::new));

    private ApplicationLoader() {
    }

    /** The built-in application names. */
    public static Set<String> builtInNames() {
        return BUILT_IN.keySet();
    }

    /**
     * @throws IllegalArgumentException when the name is neither built in nor a loadable Application
     *                                  class; the message says what was tried
     */
    public static Application load(String name) {
        Supplier<Application> builtIn = BUILT_IN.get(name);
        if (builtIn != null) {
            return builtIn.get();
        }
        String tried = "tried the built-in applications " + BUILT_IN.keySet() + " and the class " + name
                + " on the classpath";
        Class<?> type;
        try {
            type = Class.forName(name, true, ApplicationLoader.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IllegalArgumentException("unknown application " + name + ": " + tried + " (not found)", e);
        }
        if (!Application.class.isAssignableFrom(type)) {
            throw new IllegalArgumentException("class " + name + " does not implement " + Application.class.getName()
                    + ": " + tried);
        }
        try {
            return (Application) type.getConstructor().newInstance();
        } catch (NoSuchMethodException | IllegalAccessException e) {
            throw new IllegalArgumentException("class " + name + " needs a public no-argument constructor", e);
        } catch (InstantiationException e) {
            throw new IllegalArgumentException("class " + name + " cannot be instantiated (abstract?)", e);
        } catch (InvocationTargetException e) {
            throw new IllegalArgumentException("the constructor of " + name + " failed: " + e.getCause(), e.getCause());
        }
    }
}
