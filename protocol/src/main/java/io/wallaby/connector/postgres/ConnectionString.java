package io.wallaby.connector.postgres;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * A PostgreSQL connection string as a user writes it, turned into what pgjdbc takes: a JDBC URL and
 * connection {@link Properties}. Accepts the three forms people paste:
 * <ul>
 *   <li>libpq keyword/value: {@code dbname=test user=postgres password=secret host=db port=5432}</li>
 *   <li>URI: {@code postgresql://user:pass@host:port/db?sslmode=require} (or {@code postgres://})</li>
 *   <li>JDBC URL: {@code jdbc:postgresql://host:port/db?user=u&password=p}</li>
 * </ul>
 * The password goes into the properties only, never into the URL, so {@link #toString()} and
 * {@link #jdbcUrl()} are safe to log. No pgjdbc dependency: both connectors and their tests share it.
 *
 * @param jdbcUrl    {@code jdbc:postgresql://host:port/database}
 * @param properties user, password and the other connection parameters
 */
public record ConnectionString(String jdbcUrl, Properties properties) {

    /** libpq keywords and the pgjdbc property each becomes (empty: the keyword goes into the URL). */
    private static final Map<String, String> LIBPQ_KEYWORDS = Map.ofEntries(
            Map.entry("host", ""), Map.entry("hostaddr", ""), Map.entry("port", ""), Map.entry("dbname", ""),
            Map.entry("user", "user"), Map.entry("password", "password"), Map.entry("sslmode", "sslmode"),
            Map.entry("sslcert", "sslcert"), Map.entry("sslkey", "sslkey"), Map.entry("sslrootcert", "sslrootcert"),
            Map.entry("sslpassword", "sslpassword"), Map.entry("connect_timeout", "connectTimeout"),
            Map.entry("application_name", "ApplicationName"), Map.entry("options", "options"),
            Map.entry("target_session_attrs", "targetServerType"), Map.entry("gssencmode", "gssEncMode"),
            Map.entry("channel_binding", "channelBinding"));

    private static final Set<String> URL_PARTS = Set.of("host", "hostaddr", "port", "dbname");

    /**
     * Parses any of the three forms.
     *
     * @throws IllegalArgumentException with a message that says what is wrong and shows the accepted forms
     */
    public static ConnectionString parse(String text) {
        if (text == null || text.isBlank()) {
            throw invalid("it is empty");
        }
        String trimmed = text.trim();
        if (trimmed.startsWith("jdbc:postgresql:")) {
            return fromUri(trimmed.substring("jdbc:".length()), true);
        }
        if (trimmed.startsWith("postgresql://") || trimmed.startsWith("postgres://")) {
            return fromUri(trimmed, false);
        }
        if (trimmed.contains("://")) {
            throw invalid("the scheme is not postgresql://, postgres:// or jdbc:postgresql://");
        }
        return fromKeywords(trimmed);
    }

    /** The user name, or null when the string names none. */
    public String user() {
        return properties.getProperty("user");
    }

    @Override
    public String toString() {
        // The password is a secret: never print it.
        return "ConnectionString[" + jdbcUrl + (user() == null ? "" : ", user=" + user()) + "]";
    }

    private static ConnectionString fromKeywords(String text) {
        Map<String, String> values = new LinkedHashMap<>();
        int i = 0;
        while (i < text.length()) {
            while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            if (i >= text.length()) {
                break;
            }
            int equals = text.indexOf('=', i);
            if (equals < 0) {
                throw invalid("'" + text.substring(i).split("\\s")[0] + "' is not keyword=value");
            }
            String keyword = text.substring(i, equals).trim();
            if (keyword.isEmpty() || keyword.chars().anyMatch(Character::isWhitespace)) {
                throw invalid("'" + keyword + "' before '=' is not a keyword");
            }
            i = equals + 1;
            while (i < text.length() && text.charAt(i) == ' ') {
                i++;
            }
            StringBuilder value = new StringBuilder();
            if (i < text.length() && text.charAt(i) == '\'') {
                i++;
                boolean terminated = false;
                while (i < text.length()) {
                    char c = text.charAt(i++);
                    if (c == '\\' && i < text.length()) {
                        value.append(text.charAt(i++));
                    } else if (c == '\'') {
                        terminated = true;
                        break;
                    } else {
                        value.append(c);
                    }
                }
                if (!terminated) {
                    throw invalid("the quoted value of '" + keyword + "' has no closing quote");
                }
            } else {
                while (i < text.length() && !Character.isWhitespace(text.charAt(i))) {
                    char c = text.charAt(i++);
                    if (c == '\\' && i < text.length()) {
                        c = text.charAt(i++);
                    }
                    value.append(c);
                }
            }
            if (!LIBPQ_KEYWORDS.containsKey(keyword)) {
                throw invalid("'" + keyword + "' is not a libpq connection keyword this connector knows; known: "
                        + String.join(", ", LIBPQ_KEYWORDS.keySet().stream().sorted().toList()));
            }
            values.put(keyword, value.toString());
        }
        String host = values.getOrDefault("host", values.getOrDefault("hostaddr", "localhost"));
        String port = values.getOrDefault("port", "5432");
        String database = values.getOrDefault("dbname", values.getOrDefault("user", "postgres"));
        Properties properties = new Properties();
        values.forEach((keyword, value) -> {
            if (!URL_PARTS.contains(keyword)) {
                properties.setProperty(LIBPQ_KEYWORDS.get(keyword), value);
            }
        });
        return new ConnectionString(jdbcUrl(host, port, database), properties);
    }

    private static ConnectionString fromUri(String text, boolean jdbc) {
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw invalid("it is not a valid URI (" + e.getReason() + " at index " + e.getIndex()
                    + "); percent-encode special characters such as @ : / in the password");
        }
        String host = uri.getHost();
        if (host == null && uri.getRawAuthority() != null && !uri.getRawAuthority().endsWith("@")) {
            throw invalid("the host in '" + hideUserInfo(uri) + "' is not a valid host name");
        }
        Properties properties = new Properties();
        String userInfo = uri.getRawUserInfo();
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            properties.setProperty("user", decode(colon < 0 ? userInfo : userInfo.substring(0, colon)));
            if (colon >= 0) {
                properties.setProperty("password", decode(userInfo.substring(colon + 1)));
            }
        }
        String query = uri.getRawQuery();
        if (query != null && !query.isEmpty()) {
            for (String pair : query.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int equals = pair.indexOf('=');
                if (equals <= 0) {
                    throw invalid("the query parameter '" + pair + "' is not name=value");
                }
                String name = decode(pair.substring(0, equals));
                String value = decode(pair.substring(equals + 1));
                // In a URI the libpq spelling is the norm; a JDBC URL already uses pgjdbc's names.
                String property = !jdbc && LIBPQ_KEYWORDS.containsKey(name) ? LIBPQ_KEYWORDS.get(name) : name;
                if (!jdbc && URL_PARTS.contains(name)) {
                    throw invalid("put the " + name + " in the URI itself, not in ?" + name + "=");
                }
                properties.setProperty(property, value);
            }
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        String database = path.startsWith("/") ? decode(path.substring(1)) : decode(path);
        if (database.isEmpty()) {
            database = properties.getProperty("user", "postgres");
        }
        String port = uri.getPort() < 0 ? "5432" : Integer.toString(uri.getPort());
        return new ConnectionString(jdbcUrl(host == null ? "localhost" : host, port, database), properties);
    }

    private static String jdbcUrl(String host, String port, String database) {
        try {
            int number = Integer.parseInt(port);
            if (number < 1 || number > 65535) {
                throw invalid("the port " + port + " is not between 1 and 65535");
            }
        } catch (NumberFormatException e) {
            throw invalid("the port '" + port + "' is not a number");
        }
        String hostPart = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        return "jdbc:postgresql://" + hostPart + ":" + port + "/"
                + URLEncoder.encode(database, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String decode(String text) {
        return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static String hideUserInfo(URI uri) {
        return uri.getRawUserInfo() == null ? uri.toString() : uri.toString().replace(uri.getRawUserInfo(), "***");
    }

    private static IllegalArgumentException invalid(String what) {
        return new IllegalArgumentException("invalid PostgreSQL connection string: " + what + ". Use "
                + "'host=localhost port=5432 dbname=mydb user=me password=secret', "
                + "'postgresql://me:secret@localhost:5432/mydb' or "
                + "'jdbc:postgresql://localhost:5432/mydb?user=me&password=secret'");
    }
}
